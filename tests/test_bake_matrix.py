"""Bake the default answers and a matrix of variants; check the tree, YAML, code style and hooks.

Each variant is baked once per module. Bundle-specific checks live in test_bundle.py.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml
from conftest import (
    PYTHON,
    TEMPLATE_DIR,
    _hermetic_config,
    bake_project,
    rejection,
    run_checked,
    run_cookiecutter_cli,
)

VARIANTS = {
    "defaults": {},
    "csv": {"source_format": "csv"},
    "parquet": {"source_format": "parquet"},
    "delta": {"source_format": "delta"},
    "kafka": {"source_format": "kafka"},
    "continuous": {"pipeline_mode": "continuous"},
    "classic": {"compute": "classic"},
    "email": {"__notification_email": "data-oncall@example.com"},
    "other_tables": {
        "project_name": "Card Payments",
        "table_names": "accounts, merchants, payments",
    },
    "one_table": {"table_names": "products"},
    "two_facts": {"table_names": "stations, trips:fact, readings:fact"},
    "reserved_words": {"table_names": "order, group, user"},  # quoted wherever SQL names them
    # tables.py constants: `O` is ambiguous to ruff (E741), `SPECS` is the module's own name.
    "python_names": {"table_names": "o, specs, l:fact"},
}
JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#|cookiecutter\.")  # `${{ }}`: GitHub Actions
# A SQL file task's job parameters ({{name}}, as Databricks' bundle-examples write them), the only
# double braces sql/metric_views.sql may hold.
JOB_PARAMETERS = {"sql/metric_views.sql": re.compile(r"\{\{(catalog|gold_schema)\}\}")}


@functools.cache
def baked(name: str, tmp_root: Path) -> Path:
    return bake_project(tmp_root / name / "out", VARIANTS[name])


@pytest.fixture(scope="module")
def tmp_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("matrix")


@pytest.fixture(params=list(VARIANTS))
def project(request, tmp_root) -> Path:
    return baked(request.param, tmp_root)


def text_files(project: Path):
    for path in sorted(project.rglob("*")):
        skipped = {"sample_data", "__pycache__", ".ruff_cache", ".pytest_cache"}
        if path.is_file() and not skipped.intersection(path.parts):
            try:
                yield path, path.read_text()
            except UnicodeDecodeError:
                continue


def test_default_project_layout(default_project):
    assert default_project.name == "retail-lakehouse"
    expected = [
        "README.md", "Makefile", "pyproject.toml", ".pre-commit-config.yaml", ".gitignore",
        "databricks.yml", "resources/pipeline.yml", "resources/schema.yml", "resources/job.yml",
        "sql/admin_grants.sql", "requirements/tool.txt", "tables.yml",
        "src/retail_lakehouse/__init__.py", "src/retail_lakehouse/tables.py",
        "src/bronze/customers.py", "src/bronze/products.py", "src/bronze/orders.py",
        "src/silver/customers.py", "src/silver/products.py", "src/silver/orders.py",
        "src/gold/dim_customers.py", "src/gold/dim_products.py", "src/gold/fact_orders.py",
        "src/gold/dim_date.py",
    ]  # fmt: skip
    missing = [name for name in expected if not (default_project / name).is_file()]
    assert missing == []
    for table in ("customers", "products", "orders"):
        sample = default_project / "sample_data" / table
        assert sorted(p.name for p in sample.iterdir()) == ["part-0001.json", "part-0002.json"]
        increment = default_project / "tests" / "e2e" / "increment" / table
        assert [p.name for p in increment.iterdir()] == ["part-0003.json"]
    # The generators stay with the template, the tooling in the medallion package: the project
    # carries what its team edits and runs.
    assert not (default_project / "tools").exists()


def test_table_files_follow_the_table_names(tmp_root):
    project = baked("other_tables", tmp_root)
    assert project.name == "card-payments"
    package = project / "src" / "card_payments"
    assert (package / "tables.py").is_file()
    for layer, stem in [("bronze", "accounts"), ("silver", "payments"), ("gold", "dim_merchants"),
                        ("gold", "fact_payments"), ("gold", "dim_date")]:  # fmt: skip
        assert (project / "src" / layer / f"{stem}.py").is_file(), (layer, stem)
    assert not (project / "src" / "bronze" / "customers.py").exists()


def test_one_table_has_no_fact_and_no_dim_date(tmp_root):
    project = baked("one_table", tmp_root)
    gold = sorted(path.name for path in (project / "src" / "gold").glob("*.py"))
    assert gold == ["dim_products.py", "integrity_checks.py"]


def test_table_constants_never_shadow_the_module_or_look_like_digits(tmp_root):
    project = baked("python_names", tmp_root)
    tables_py = (project / "src" / "retail_lakehouse" / "tables.py").read_text()
    for constant in ("O_TABLE", "SPECS_TABLE", "L_TABLE"):
        assert f"\n{constant} = TableSpec(" in tables_py, constant
    assert "ALL_TABLES = (O_TABLE, SPECS_TABLE, L_TABLE)" in tables_py
    assert "SPECS = {spec.name: spec for spec in ALL_TABLES}" in tables_py


def test_job_only_for_triggered_pipelines(tmp_root):
    assert (baked("defaults", tmp_root) / "resources" / "job.yml").is_file()
    assert not (baked("continuous", tmp_root) / "resources" / "job.yml").exists()


def test_yaml_parses_and_no_template_leftovers(project):
    for path, text in text_files(project):
        if path.suffix in (".yml", ".yaml"):
            yaml.safe_load(text)
        allowed = JOB_PARAMETERS.get(path.relative_to(project).as_posix())
        leftover = JINJA_LEFTOVER.search(allowed.sub("", text) if allowed else text)
        assert leftover is None, f"{path.relative_to(project)}: {leftover.group()!r} left over"


def test_python_is_ruff_clean(project):
    run_checked([PYTHON, "-m", "ruff", "check", "--no-cache", "."], cwd=project)
    run_checked([PYTHON, "-m", "ruff", "format", "--no-cache", "--check", "."], cwd=project)


def test_pre_commit_config_is_valid(project):
    run_checked([PYTHON, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"], project)


def test_generated_pyproject_groups(default_project):
    import tomllib

    config = tomllib.loads((default_project / "pyproject.toml").read_text())
    local, remote = config["dependency-groups"]["local"], config["dependency-groups"]["remote"]
    assert "pyspark[pipelines]==4.3.0" in local and "pandas<3" in local
    assert not any(dep.startswith("databricks-connect") for dep in local)
    assert any(dep.startswith("databricks-connect") for dep in remote)
    assert not any(dep.startswith("pyspark") for dep in remote)  # connect ships its own pyspark
    assert config["tool"]["pytest"]["ini_options"]["pythonpath"] == ["src", "."]
    assert config["tool"]["ruff"]["line-length"] == 100


def test_readme_has_the_sections_and_the_tables(default_project):
    readme = (default_project / "README.md").read_text()
    for heading in ("## Run locally", "## Deploy to Databricks", "## Monitoring"):
        assert heading in readme
    assert "make install test run-local" in readme
    for table in ("customers", "products", "orders"):
        assert f"`{table}`" in readme


def test_gitignore_keeps_secrets_and_outputs_out(default_project):
    ignored = (default_project / ".gitignore").read_text().split()
    for pattern in (".venv/", ".databricks/", ".local/", ".databrickscfg", "*.env", "__pycache__/"):
        assert pattern in ignored


def test_relative_template_path(tmp_path):
    """`cookiecutter .` from the template folder (what `make demo` does): hooks still find bake/."""
    config = _hermetic_config(tmp_path, None)
    output = tmp_path / "out"
    command = [PYTHON, "-m", "cookiecutter", "--no-input", "--config-file", str(config)]
    run_checked([*command, "--output-dir", str(output), "."], cwd=TEMPLATE_DIR)
    assert (output / "retail-lakehouse" / "databricks.yml").is_file()


# --- bad answers -------------------------------------------------------------------------------

BAD_ANSWERS = [
    ("catalog", "main-prod"),
    ("schema", "select"),
    ("workspace_host", "http://example.com/path"),
    ("__notification_email", "not-an-email"),
    ("__landing_path", "/tmp/landing"),
    ("engineers_group", "eng`ineers"),
    ("analysts_group", "analysts'; DROP SCHEMA x; --"),
    ("__warehouse_id", "${var.warehouse_id}"),
    ("__project_slug", "Retail Lakehouse"),
    ("databricks_profile", "my profile"),
    ("__integrity_checks", "ignore"),
]


@pytest.mark.parametrize(
    ("names", "bad"),
    [("customers, Customers", "Customers"), ("customers, order-lines", "order-lines")],
)
def test_bad_table_name_is_rejected(tmp_path, names, bad):
    output = tmp_path / "out"
    result = run_cookiecutter_cli(output, f"table_names={names}")
    assert f"table_names: {bad!r} -- " in rejection(result)
    assert list(output.iterdir()) == []


@pytest.mark.parametrize(("field", "value"), BAD_ANSWERS)
def test_bad_answer_is_rejected_and_nothing_is_left(tmp_path, field, value):
    output = tmp_path / "out"
    result = run_cookiecutter_cli(output, f"{field}={value}")
    assert f"{field}: {value!r} -- " in rejection(result)
    assert list(output.iterdir()) == []


def test_all_bad_answers_are_reported_together(tmp_path):
    output = tmp_path / "out"
    result = run_cookiecutter_cli(output, "catalog=1x", "schema=a b", "__notification_email=x")
    message = rejection(result)
    for field in ("catalog", "schema", "__notification_email"):
        assert f"\n  {field}: " in message
    assert list(output.iterdir()) == []


def test_integrity_checks_can_warn_instead_of_failing(bake):
    """A derived answer, not a prompt: with `warn` a broken check is recorded and the update goes
    on; with either, the key constraints are never RELY (gold is published before the checks)."""
    project = bake(extra_context={"__integrity_checks": "warn"})
    tables = next((project / "src").glob("*/tables.py")).read_text()
    assert 'INTEGRITY_CHECKS = "warn"' in tables
    assert "is recorded (failures and a sample key)" in (project / "README.md").read_text()
    default = bake()
    assert 'INTEGRITY_CHECKS = "fail"' in next((default / "src").glob("*/tables.py")).read_text()
    assert "stops the update, naming the table" in (default / "README.md").read_text()
    for baked in (project, default):
        for gold in (baked / "src" / "gold").glob("*.py"):
            assert "rely" not in gold.read_text().lower()


def test_names_only_mode_makes_the_marked_tables_facts(tmp_root):
    project = baked("two_facts", tmp_root)
    gold = sorted(p.name for p in (project / "src" / "gold").glob("*.py"))
    assert gold == [
        "dim_date.py",
        "dim_stations.py",
        "fact_readings.py",
        "fact_trips.py",
        "integrity_checks.py",
    ]


def test_the_dependency_locks_pin_every_group_requirement(default_project):
    """requirements/<group>.txt (`make lock`, uv with hashes) must satisfy every requirement of
    the pyproject group it locks, so `make install` installs what pyproject.toml asks for."""
    import tomllib
    from packaging.requirements import Requirement

    groups = tomllib.loads((default_project / "pyproject.toml").read_text())["dependency-groups"]
    for group in ("local", "remote"):
        lock = (default_project / "requirements" / f"{group}.txt").read_text()
        pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", lock, re.MULTILINE))
        pins = {name.lower().replace("_", "-"): version for name, version in pins.items()}
        assert "--hash=sha256:" in lock
        for text in groups[group]:
            requirement = Requirement(text)
            name = requirement.name.lower().replace("_", "-")
            assert name in pins, f"{group}: {name} is not pinned"
            assert requirement.specifier.contains(pins[name], prereleases=True), (
                f"{group}: {name}=={pins[name]} does not satisfy {requirement.specifier}"
            )


def test_the_tools_dependencies_are_pinned_by_the_project(default_project):
    """The tool is installed with --no-deps (requirements/tool.txt): every dependency it declares
    must be in the project's `local` group, pinned in a version the tool accepts."""
    import tomllib
    from packaging.requirements import Requirement

    tool = tomllib.loads((TEMPLATE_DIR / "tool" / "pyproject.toml").read_text())
    lock = (default_project / "requirements" / "local.txt").read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", lock, re.MULTILINE))
    pins = {name.lower().replace("_", "-"): version for name, version in pins.items()}
    group = tomllib.loads((default_project / "pyproject.toml").read_text())["dependency-groups"]
    named = {Requirement(text).name.lower() for text in group["local"]}
    for text in tool["project"]["dependencies"]:
        requirement = Requirement(text)
        name = requirement.name.lower().replace("_", "-")
        assert name in named, f"the tool needs {name}: add it to the project's local group"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def test_the_project_schema_is_the_generated_one(default_project):
    from bake import spec_schema

    assert (default_project / "tables.schema.json").read_text() == spec_schema.text()
