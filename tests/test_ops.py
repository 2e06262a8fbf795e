"""Operations side of generated projects: SQL, Makefile targets and GitHub workflows.

For several bakes: the generated SQL (grants and monitoring) parses with sqlglot's Databricks
dialect, the Makefile's Databricks targets call the right CLI commands (the generated project's own
recorded-CLI and local-SDK-server tests run), the workflows validate against the GitHub workflow
schema vendored by check-jsonschema, and every `make` target they call exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import bake_project, run_checked

MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")

BAKES = {
    "default": {},
    "classic": {"compute": "classic"},
    "continuous": {"pipeline_mode": "continuous"},
    "email": {"notification_email": "data-oncall@example.com", "warehouse_id": "abc123def456"},
    "other_tables": {
        "table_names": "stores, items, categories, sales",
        "databricks_profile": "team-dev",
        "catalog": "analytics",
        "schema": "shop",
    },
    "single_table": {"table_names": "accounts", "source_format": "csv"},
}
TARGET_LINE = re.compile(r"^([a-zA-Z][a-zA-Z0-9_-]*):(?!=)", re.MULTILINE)


@pytest.fixture(scope="module", params=sorted(BAKES))
def baked(request, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """(generated project, the answers given) for each bake in BAKES."""
    out = tmp_path_factory.mktemp(f"ops-{request.param}") / "out"
    return bake_project(out, BAKES[request.param]), BAKES[request.param]


def make(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(project), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def makefile_targets(project: Path) -> list[str]:
    return TARGET_LINE.findall((project / "Makefile").read_text())


def workflow_make_targets(workflow: Path) -> set[str]:
    targets = set()
    for job in yaml.safe_load(workflow.read_text())["jobs"].values():
        for step in job.get("steps", []):
            for command in re.findall(r"\bmake\s+([a-z][a-z0-9_-]*)", step.get("run", "")):
                targets.add(command)
    return targets


def test_sql_parses_and_generated_ops_tests_pass(baked, request):
    """sql/grants.sql + sql/monitoring/*.sql parse (Databricks dialect) in every bake; the
    recorded-CLI and local-SDK-server tests run in two bakes (they do not depend on the tables)."""
    project, _ = baked
    tests = ["tests/tools/test_sql_parses.py"]
    if request.node.callspec.id in ("default", "other_tables"):
        tests.append("tests/tools/test_grants.py")
        if MAKE is not None:
            tests.append("tests/tools/test_make_targets.py")
    output = run_checked(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests], cwd=project
    )
    assert " passed" in output and "skipped" not in output


def test_monitoring_queries_name_the_event_log_and_every_quarantine_table(baked):
    project, answers = baked
    catalog = answers.get("catalog", "main")
    schema = answers.get("schema", "retail_lakehouse")
    pipeline = yaml.safe_load((project / "resources" / "pipeline.yml").read_text())
    event_log = pipeline["resources"]["pipelines"]["medallion"]["event_log"]
    name = pipeline["resources"]["pipelines"]["medallion"]["name"]
    assert event_log["name"] == f"{name}_event_log"
    for query in ("update_durations", "rows_per_flow", "expectations"):
        sql = (project / "sql" / "monitoring" / f"{query}.sql").read_text()
        assert f"FROM `{catalog}`.`{schema}`.`{name}_event_log`" in sql
    tables = [
        t.strip() for t in answers.get("table_names", "customers, products, orders").split(",")
    ]
    growth = (project / "sql" / "monitoring" / "quarantine_growth.sql").read_text()
    for table in tables:
        assert f"`{catalog}`.`{schema}`.`silver_{table}_quarantine`" in growth
    assert growth.count("UNION ALL") == len(tables) - 1


def test_workflows_validate_against_the_github_workflow_schema(baked):
    project, _ = baked
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["ci.yml", "deploy.yml"]
    run_checked(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, workflows),
        ],
        cwd=project,
    )


def test_deploy_workflow_takes_credentials_from_secrets_only(baked):
    project, _ = baked
    deploy = yaml.safe_load((project / ".github" / "workflows" / "deploy.yml").read_text())
    env = deploy["jobs"]["deploy"]["env"]
    for name in ("DATABRICKS_HOST", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"):
        assert env[name] == f"${{{{ secrets.{name} }}}}"
    triggers = deploy[True]  # YAML 1.1 reads the `on:` key as True
    assert triggers["push"] == {"branches": ["main"], "tags": ["v*"]}
    assert "workflow_dispatch" in triggers


@needs_make
def test_every_make_target_the_workflows_call_exists(baked):
    project, _ = baked
    defined = set(makefile_targets(project))
    for workflow in sorted((project / ".github" / "workflows").glob("*.yml")):
        called = workflow_make_targets(workflow)
        assert called, f"{workflow.name} calls no make target"
        assert called <= defined, f"{workflow.name} calls undefined targets {called - defined}"
        for target in sorted(called):
            result = make(project, "-n", target, "PROFILE=")
            assert result.returncode == 0, f"make -n {target}: {result.stderr}"


@needs_make
def test_make_help_lists_every_target_and_is_the_default(baked):
    project, _ = baked
    targets = makefile_targets(project)
    result = make(project)

    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^  ([a-z][a-z0-9-]*)\s", result.stdout, re.MULTILINE)
    assert listed == targets
    for required in (
        "help install install-remote lint format test test-remote sample-data run-local "
        "validate deploy run full-refresh logs destroy grants clean"
    ).split():
        assert required in targets


@needs_make
def test_make_dry_run_shows_the_cli_calls(baked):
    project, answers = baked
    profile = answers.get("databricks_profile", "DEFAULT")

    deploy = make(project, "-n", "deploy")
    run = make(project, "-n", "run", "TARGET=prod")

    assert deploy.returncode == 0 and run.returncode == 0, deploy.stderr + run.stderr
    assert f"databricks bundle deploy --target dev --profile {profile}\n" in deploy.stdout
    assert f"databricks bundle run --target prod --profile {profile} medallion\n" in run.stdout
    assert f'--profile "{profile}"' in deploy.stdout  # the pre-flight check runs first
