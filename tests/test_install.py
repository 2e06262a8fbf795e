"""A new user's first commands, for real: bake, then `make install test run-local` in a fresh venv
(and `make test-e2e` once: the default bake's end-to-end test runs here and nowhere else).

Baked two ways, as users bake:
- from a git URL (a bare clone of this repository reached over `file://`, as a team reaches
  `gh:org/dlt-medallion`): requirements/tool.txt pins the tool to that repository at the baked
  commit, and `make install` has pip fetch it with git;
- from a local checkout (this folder): the pin is the checkout's tool/ folder.

`make install` builds .venv with the Python that runs these tests (pip reads PyPI, with its
cache), so each bake takes about a minute and a half; the pins are committed state, so the git
URL bake tests HEAD.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE_DIR

# The interpreter this venv was made from: what a user's `python3` is.
HOST_PYTHON = str(Path(sys.base_prefix) / "bin" / "python3")


def run(command: list[str], cwd: Path, timeout: int = 900) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env = {k: v for k, v in env.items() if not k.startswith(("MAKE", "MEDALLION"))}
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
        )
    return result.stdout


def bake_from(template: str, work: Path) -> Path:
    config = work / "cookiecutter.yml"
    config.write_text(
        yaml.safe_dump({"cookiecutters_dir": str(work / "cc"), "replay_dir": str(work / "replay")})
    )
    out = work / "out"
    run([sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config),
         "--output-dir", str(out), template], work)  # fmt: skip
    (project,) = out.iterdir()
    return project


@pytest.mark.parametrize("source", ["git-url", "local-checkout"])
def test_install_test_and_run_local_on_a_fresh_venv(source: str, tmp_path: Path) -> None:
    if source == "git-url":
        bare = tmp_path / "dlt-medallion.git"
        run(["git", "clone", "--bare", "--quiet", str(TEMPLATE_DIR), str(bare)], tmp_path)
        head = run(["git", "rev-parse", "HEAD"], bare).strip()
        project = bake_from(bare.as_uri(), tmp_path)
        expected = f"git+{bare.as_uri()}@{head}#subdirectory=tool"
    else:
        project = bake_from(str(TEMPLATE_DIR), tmp_path)
        expected = (TEMPLATE_DIR / "tool").as_uri()
    pin = (project / "requirements" / "tool.txt").read_text().splitlines()[-1]
    assert pin == f"dlt-medallion-tool @ {expected}"

    run(["make", "install", f"HOST_PYTHON={HOST_PYTHON}"], project)
    medallion = project / ".venv" / "bin" / "medallion"
    assert "run-local" in run([str(medallion), "--help"], project)
    tests = run(["make", "test"], project)
    assert " passed" in tests and "failed" not in tests
    if source == "local-checkout":  # the default bake's end-to-end test: here, not run again
        e2e = run(["make", "test-e2e"], project)
        assert " passed" in e2e and "failed" not in e2e and "skipped" not in e2e
    summary = run(["make", "run-local"], project)
    assert "gold integrity checks: 8 of 8 hold" in summary
