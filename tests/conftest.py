"""Shared fixtures for the template's tests.

`bake(extra_context=None, config_file=None) -> Path` bakes the template without prompts into a fresh
temporary folder and returns the generated project's path. It raises cookiecutter's
`FailedHookException` when a hook rejects the answers. `default_project` is the default bake, made
once per test session: tests that only read it must not modify it.

Replay files and cloned-template caches go to a temporary folder, never to the user's home.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
# The interpreter running pytest has every dependency of a generated project.
PYTHON = sys.executable


def _hermetic_config(workdir: Path, config_file: str | os.PathLike | None) -> Path:
    """A cookiecutter user config: the given one (if any) plus replay/cache dirs under `workdir`."""
    config: dict[str, Any] = {}
    if config_file is not None:
        config = yaml.safe_load(Path(config_file).read_text()) or {}
    config["replay_dir"] = str(workdir / "replay")
    config["cookiecutters_dir"] = str(workdir / "cookiecutters")
    path = workdir / "cookiecutter-config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def bake_project(
    output_dir: Path,
    extra_context: dict[str, Any] | None = None,
    config_file: str | os.PathLike | None = None,
) -> Path:
    """Bake the template into `output_dir` with no prompts; return the generated project path."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    config = _hermetic_config(output_dir.parent, config_file)
    project = cookiecutter(
        str(TEMPLATE_DIR),
        no_input=True,
        extra_context=extra_context or {},
        output_dir=str(output_dir),
        config_file=str(config),
    )
    return Path(project)


def run_cookiecutter_cli(
    output_dir: Path, *args: str, config_file: str | os.PathLike | None = None
) -> subprocess.CompletedProcess:
    """Run the `cookiecutter` command line (no prompts) and capture its output (for error tests).

    `args` are extra `key=value` answers or options; the return code and output are not checked.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    config = _hermetic_config(output_dir.parent, config_file)
    command = [PYTHON, "-m", "cookiecutter", "--no-input", "--config-file", str(config)]
    command += ["--output-dir", str(output_dir), str(TEMPLATE_DIR), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def rejection(result: subprocess.CompletedProcess) -> str:
    """The message of a bake cookiecutter refused: it must exit non-zero and say why once, with
    no traceback (bake.jinja_guard raises a FailedHookException, which its CLI prints plainly)."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert output.count("nothing was generated") == 1, output
    return output


def run_checked(command: list[str], cwd: Path, timeout: int = 900, **kwargs: Any) -> str:
    """Run a command in a generated project; on failure, fail the test with its full output."""
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, **kwargs
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result.stdout


@pytest.fixture
def bake(tmp_path_factory: pytest.TempPathFactory):
    """`bake(extra_context=None, config_file=None) -> Path` of the generated project."""

    def _bake(
        extra_context: dict[str, Any] | None = None,
        config_file: str | os.PathLike | None = None,
    ) -> Path:
        workdir = tmp_path_factory.mktemp("bake")
        return bake_project(workdir / "out", extra_context, config_file)

    return _bake


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project baked with every default answer (shared: read it, do not modify it)."""
    return bake_project(tmp_path_factory.mktemp("default") / "out")


def warehouse_views(warehouse: Path, prefixes: tuple[str, ...] = ("",)) -> Any:
    """A DuckDB connection with a view per table of a local run's warehouse whose name starts
    with one of `prefixes` (every table by default), read from its parquet files."""
    import duckdb  # only the tests that read a warehouse need it

    connection = duckdb.connect()
    for path in sorted(warehouse.iterdir()):
        if path.name.startswith(prefixes) and any(path.glob("*.parquet")):
            files = str(path / "*.parquet").replace("'", "''")
            connection.execute(f"CREATE VIEW {path.name} AS SELECT * FROM read_parquet('{files}')")
    return connection
