"""Hostile and careless answers through cookiecutter itself: nothing runs, nothing is written.

Every rejected bake must print one message (no traceback), leave the output folder empty and
create nothing beside it. The payloads would create a file if Jinja ever evaluated them.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import PYTHON, TEMPLATE_DIR, rejection, run_cookiecutter_cli
from cookiecutter.environment import StrictEnvironment
from cookiecutter.exceptions import FailedHookException
from jinja2 import Environment
from jinja2.exceptions import SecurityError

from bake import jinja_guard

# Each would `touch` a file named PWNED in the working folder if it were ever evaluated.
RUNS_CODE = "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}"
HIDDEN = "{% raw %}" + RUNS_CODE + "{% endraw %}"


def tree(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def refused(tmp_path: Path, *answers: str, tables: dict | None = None) -> str:
    """Bake from `tmp_path/a/b` into `a/b/out`; the bake must be refused and write nothing."""
    workdir = tmp_path / "a" / "b"
    output = workdir / "out"
    config = None
    if tables is not None:
        config = tmp_path / "config.yml"
        config.write_text(yaml.safe_dump({"default_context": {"tables": tables}}))
    before = set(tree(tmp_path))
    result = run_cookiecutter_cli(output, *answers, config_file=config)
    message = rejection(result)
    assert list(output.iterdir()) == [], message
    made = set(tree(tmp_path)) - before - {"a", "a/b", "a/b/out", "a/b/cookiecutter-config.yml"}
    assert not {name for name in made if not name.startswith(("a/b/replay", "a/b/cookiecutters"))}
    assert not list(tmp_path.rglob("PWNED")) and not (TEMPLATE_DIR / "PWNED").exists()
    return message


@pytest.mark.parametrize(
    "answer",
    [
        "project_name=A{{ 7*7 }}",
        f"project_name={RUNS_CODE}",
        f"catalog={HIDDEN}",
        "__warehouse_id={{ 7*7 }}",  # a derived answer, rendered before any hook
        "engineers_group={# #}",
        f"table_names=customers, {HIDDEN}",
    ],
)
def test_template_syntax_in_an_answer_is_never_evaluated(tmp_path, answer):
    message = refused(tmp_path, answer)
    assert "template syntax in answers and specs is never evaluated" in message


@pytest.mark.parametrize(
    "comment", ["Customers {{ cookiecutter.catalog }}", f"Customers {HIDDEN}", "{#"]
)
def test_template_syntax_in_a_spec_string_is_never_evaluated(tmp_path, comment):
    tables = {"customers": {"comment": comment}, "orders": {"role": "fact"}}
    assert "is never evaluated" in refused(tmp_path, tables=tables)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("project_name=../../escape-test/x", "project_name: '../../escape-test/x' -- use 1-50"),
        ("project_name=Retail/Lakehouse", "project_name: 'Retail/Lakehouse' -- use 1-50"),
        ("project_name=", "project_name: '' -- use 1-50"),
        ("source_format=JSON", "source_format: 'JSON' -- choose one of json, csv"),
        ("databricks_profile=--help", "databricks_profile: '--help' -- use 1-100"),
        ("workspace_host=https://x.cloud.databricks.com:", "workspace_host: 'https://x.cloud"),
        ("engineers_group=data\u202eengineers", "engineers_group: "),
    ],
)
def test_careless_answers_write_nothing_anywhere(tmp_path, answer, message):
    text = refused(tmp_path, answer)
    assert message in text
    assert text.count(" -- ") == 1  # one problem, not one per value derived from it


def test_yaml_booleans_as_names_are_refused_then_a_fixed_bake_works(tmp_path):
    tables = {True: {}, None: {"role": "fact"}}  # what `yes:` and `~:` become in YAML
    message = refused(tmp_path, tables=tables)
    assert "tables: True -- YAML read this name as True" in message
    fixed = {"yes": {}, "orders": {"role": "fact"}}
    config = tmp_path / "fixed.yml"
    config.write_text(yaml.safe_dump({"default_context": {"tables": fixed}}))
    output = tmp_path / "a" / "b" / "out"
    result = run_cookiecutter_cli(output, config_file=config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (output / "retail-lakehouse" / "src" / "bronze" / "yes.py").is_file()


def test_colliding_names_are_refused_naming_both_sides(tmp_path):
    message = refused(tmp_path, "table_names=_loads, orders")
    assert "tables._loads.columns: '_load_id' -- names starting with _" in message


def test_the_environment_is_a_sandbox_even_for_the_template_own_text():
    context = {"cookiecutter": {"_extensions": ["bake.jinja_extension.MedallionExtension"]}}
    env = StrictEnvironment(context=context)
    assert env.sandboxed
    # (the extension re-imports bake from disk: match cookiecutter's class, not this import's)
    with pytest.raises(FailedHookException, match="never evaluated"):
        env.from_string(RUNS_CODE)
    # compiled without the guard (as the template's own text would be): still sandboxed
    template = Environment.from_string(env, "{{ cycler.__init__.__globals__ }}")
    with pytest.raises(SecurityError):
        template.render()
    assert Environment.from_string(env, "{{ 'Retail Lakehouse'.lower() }}").render() == (
        "retail lakehouse"
    )


def test_only_the_template_own_text_may_hold_jinja():
    assert jinja_guard.is_template_text("{{cookiecutter.__project_slug}}")
    assert jinja_guard.is_template_text("/tmp/out/proj/./src/{{cookiecutter.__package_name}}")
    assert jinja_guard.is_template_text(
        "{{ cookiecutter.__project_slug.replace('-', '_') }}_pipeline"
    )
    assert not jinja_guard.is_template_text("/tmp/{{ 7*7 }}/proj")
    assert not jinja_guard.is_template_text("{{ cookiecutter.__project_slug }}")  # not verbatim


BOMB = "\n".join(
    ["  tables:", '    a: &a ["x","x","x","x","x","x","x","x","x"]']
    + [
        f"    {name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


@pytest.mark.parametrize(
    ("default_context", "message"),
    [
        (
            "  tables:\n    customers: {}\n    orders: {role: fact}\n    customers: {role: fact}",
            "line 7: duplicate key 'customers' (first given on line 5)",
        ),
        ("  catalog: main\n  catalog: sales", "line 5: duplicate key 'catalog' (first given on"),
        (BOMB, "line 5: anchors and aliases (&name, *name) are not allowed"),
    ],
    ids=["duplicate table", "duplicate answer", "alias bomb"],
)
def test_a_config_file_is_read_strictly(tmp_path, default_context, message):
    """cookiecutter reads the config file itself (last key wins, aliases expanded while
    rendering); the template reads it again strictly before any answer is rendered."""
    config = tmp_path / "config.yml"
    config.write_text(
        f"replay_dir: {tmp_path / 'replay'}\ncookiecutters_dir: {tmp_path / 'cc'}\n"
        f"default_context:\n{default_context}\n"
    )
    output = tmp_path / "out"
    command = [PYTHON, "-m", "cookiecutter", "--no-input", "--config-file", str(config)]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, "--output-dir", str(output), str(TEMPLATE_DIR)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"--config-file {config}: {message}" in rejection(result)
    assert time.perf_counter() - started < 30
    assert not output.exists() or not list(output.iterdir())
