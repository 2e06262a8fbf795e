"""Operations side of generated projects: SQL, Makefile targets, GitHub workflows, the bake hook.

For several bakes: the generated SQL (admin grants and monitoring) parses with sqlglot's Databricks
dialect, the Makefile's Databricks targets call the right CLI commands (the generated project's own
strict-fake-CLI and local-SDK-server tests run), the workflows validate against the GitHub workflow
schema vendored by check-jsonschema, every `make` target they call exists, CI's validate step
really reaches the CLI, and a bake never calls a `databricks` CLI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE_DIR, bake_project, run_checked

MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")

BAKES = {
    "default": {},
    "classic": {"compute": "classic"},
    "continuous": {"pipeline_mode": "continuous"},
    "email": {"__notification_email": "data-oncall@example.com", "__warehouse_id": "abc123def456"},
    "other_tables": {
        "table_names": "stores, items, categories, sales",
        "databricks_profile": "team-dev",
        "catalog": "analytics",
        "schema": "shop",
    },
    "single_table": {"table_names": "accounts", "source_format": "csv"},
    "prod_sp": {
        "__prod_service_principal": "6f1c0b3e-9d4a-4e8b-a2f7-0c5d3e1b9a84",
        "__prod_workspace_host": "https://prod-workspace.cloud.databricks.com",
    },
}
# Bakes whose generated strict-fake-CLI and SDK-server tests run (they depend on the ops answers,
# not on the tables): a named profile, the default profile, a prod service principal and host.
CLI_TEST_BAKES = ("default", "other_tables", "prod_sp")
# Released commits of the actions the workflows use (tag -> commit read from each repository).
PINNED_ACTIONS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/setup-java": ("b6effb05e454b25005698d916606bdc6ffcbf961", "v5.7.0"),
    "databricks/setup-cli": ("6bb7075f85b326f8b9ce160933dfe9bcd63c8121", "v1.13.0"),
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
    """sql/admin_grants.sql + sql/monitoring/*.sql parse (Databricks dialect) in every bake; the
    recorded-CLI and local-SDK-server tests run in two bakes (they do not depend on the tables)."""
    project, _ = baked
    tests = ["test_sql_parses.py", "test_databricks_cli.py"]
    if request.node.callspec.id in CLI_TEST_BAKES:
        tests.append("test_admin_grants.py")
        if MAKE is not None:
            tests.append("test_make_targets.py")
    # The tool's own tests, on this bake instead of the default one (tool/tests/baked.py).
    paths = [str(TEMPLATE_DIR / "tool" / "tests" / test) for test in tests]
    output = run_checked(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths],
        cwd=TEMPLATE_DIR,
        env={**os.environ, "MEDALLION_TEST_PROJECT": str(project)},
    )
    assert " passed" in output and "skipped" not in output


def test_monitoring_follows_the_spec_and_names_no_fixed_schema(baked):
    """The dashboards read every quarantine table and fact of the spec by unqualified name (the
    bundle resource says which catalog and schema, per target); the alerts name the event log and
    the integrity checks through bundle references, never the bake-time catalog or schema."""
    project, answers = baked
    pipeline = yaml.safe_load((project / "resources" / "pipeline.yml").read_text())
    event_log = pipeline["resources"]["pipelines"]["medallion"]["event_log"]
    name = pipeline["resources"]["pipelines"]["medallion"]["name"]
    assert event_log["name"] == f"{name}_event_log"
    assert event_log["schema"] == "${resources.schemas.medallion.name}"
    monitoring = yaml.safe_load((project / "resources" / "monitoring.yml").read_text())
    dashboards = monitoring["resources"]["dashboards"]
    assert dashboards["pipeline_health"]["dataset_schema"] == "${resources.schemas.medallion.name}"
    assert dashboards["gold_quality"]["dataset_schema"] == "${resources.schemas.gold.name}"
    health = json.loads((project / "resources" / "pipeline_health.lvdash.json").read_text())
    queries = {d["name"]: "".join(d["queryLines"]) for d in health["datasets"]}
    tables = yaml.safe_load((project / "tables.yml").read_text())
    for query in ("quarantine_growth", "quarantine_rules"):
        for table in tables:
            assert f"FROM `silver_{table}_quarantine`" in queries[query]
        assert queries[query].count("UNION ALL") == len(tables) - 1
    for query in ("updates", "rows_per_flow", "expectations", "freshness"):
        assert f"FROM `{name}_event_log`" in queries[query]
    medallion = "${var.catalog}.${resources.schemas.medallion.name}"
    for alert in monitoring["resources"]["alerts"].values():
        assert f"{medallion}.{name}_event_log" in alert["query_text"] or (
            "${var.catalog}.${resources.schemas.gold.name}.gold_integrity_checks"
            in alert["query_text"]
        )
    catalog, schema = answers.get("catalog", "main"), answers.get("schema")
    for path in [*(project / "resources").glob("*.json"), project / "resources" / "monitoring.yml"]:
        text = path.read_text()
        assert f"{catalog}." not in text.replace("${var.catalog}.", ""), path.name
        assert not schema or f".{schema}." not in text, path.name


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


def test_dependabot_config_validates_against_its_schema(default_project):
    config = default_project / ".github" / "dependabot.yml"
    run_checked(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.dependabot",
         str(config)],
        cwd=default_project,
    )  # fmt: skip
    ecosystems = {u["package-ecosystem"] for u in yaml.safe_load(config.read_text())["updates"]}
    assert ecosystems == {"github-actions", "pip"}


def test_deploy_workflow_takes_credentials_from_secrets_only(baked):
    project, _ = baked
    deploy = yaml.safe_load((project / ".github" / "workflows" / "deploy.yml").read_text())
    for job in ("deploy", "staging_check"):
        env = deploy["jobs"][job]["env"]
        for name in ("DATABRICKS_HOST", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"):
            assert env[name] == f"${{{{ secrets.{name} }}}}"
    triggers = deploy[True]  # YAML 1.1 reads the `on:` key as True
    assert triggers["push"] == {"branches": ["main"], "tags": ["v*"]}
    assert triggers["workflow_dispatch"]["inputs"]["target"]["options"] == ["staging", "prod"]


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
        "help install install-remote lock lint format test test-e2e test-remote apply-spec "
        "add-table upgrade-template run-local validate plan deploy dry-run run full-refresh land "
        "test-staging logs history check-graph destroy admin-grants clean"
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


def steps(workflow: Path) -> list[dict]:
    return [
        step
        for job in yaml.safe_load(workflow.read_text())["jobs"].values()
        for step in job["steps"]
    ]


def test_actions_are_pinned_to_released_commits(default_project):
    for workflow in sorted((default_project / ".github" / "workflows").glob("*.yml")):
        text = workflow.read_text()
        for step in steps(workflow):
            if "uses" not in step:
                continue
            action, _, ref = step["uses"].partition("@")
            commit, tag = PINNED_ACTIONS[action]
            assert ref == commit, f"{workflow.name}: {step['uses']} is not the commit of {tag}"
            assert f"{step['uses']} # {tag}" in text, "the comment names the release"
    deploy = steps(default_project / ".github" / "workflows" / "deploy.yml")
    setup_cli = next(step for step in deploy if step.get("uses", "").startswith("databricks/"))
    assert setup_cli["with"] == {"version": "1.13.0"}  # >= 0.286.0, what the project checks


def deploy_step(project: Path, make_target: str) -> dict:
    workflow = project / ".github" / "workflows" / "deploy.yml"
    deploy_steps = yaml.safe_load(workflow.read_text())["jobs"]["deploy"]["steps"]
    return next(step for step in deploy_steps if f"make {make_target} " in step.get("run", ""))


def test_deploy_workflow_validates_and_deploys_then_tests_staging_with_data(default_project):
    workflow = yaml.safe_load((default_project / ".github/workflows/deploy.yml").read_text())
    deploy = workflow["jobs"]["deploy"]
    runs = [step.get("run", "") for step in deploy["steps"]]
    order = [next(i for i, run in enumerate(runs) if f"make {t} " in run) for t in
             ("validate", "deploy")]  # fmt: skip
    assert order == sorted(order)
    assert "ONLINE=required" in runs[order[0]] and "PROFILE=" in runs[order[0]]
    assert "DATABRICKS_AUTH_TYPE" not in deploy["env"]
    check = workflow["jobs"]["staging_check"]
    assert check["if"] == "${{ needs.target.outputs.target == 'staging' }}"
    assert check["needs"] == ["target", "deploy"]
    runs = [step.get("run", "") for step in check["steps"]]
    order = [next(i for i, run in enumerate(runs) if f"make {t} " in run) for t in
             ("dry-run", "land", "run", "test-staging")]  # fmt: skip
    assert order == sorted(order), "resolve the graph, land, run one update, then compare"
    for job in (deploy, check):
        for name in ("DATABRICKS_HOST", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"):
            assert job["env"][name] == f"${{{{ secrets.{name} }}}}"


def test_ci_runs_the_graph_check_after_the_tests(default_project):
    runs = [step.get("run", "") for step in steps(default_project / ".github/workflows/ci.yml")]
    assert runs.index("make check-graph") > runs.index("make test")
    assert "make validate PROFILE= ONLINE=off" in runs


def fake_cli_env(project: Path, tmp_path: Path, with_cli: bool = True) -> dict[str, str]:
    """The deploy job's environment, with the project's strict fake CLI on PATH (or no CLI)."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir(exist_ok=True)
    fake = TEMPLATE_DIR / "tool" / "tests" / "fake_databricks.py"
    if with_cli:
        (fake_bin / "databricks").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{fake}" "$@"\n')
        (fake_bin / "databricks").chmod(0o755)
    path = [
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "databricks").exists()
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "MAKE"))}
    return {
        **env,
        "PATH": os.pathsep.join([str(fake_bin), *path]),
        "PYTHON": sys.executable,  # what `make install` would put in .venv
        "TARGET": "dev",
        "DATABRICKS_HOST": "https://my-workspace.cloud.databricks.com",
        "DATABRICKS_CLIENT_ID": "ci-service-principal",
        "DATABRICKS_CLIENT_SECRET": "secret",
        "DATABRICKS_CONFIG_FILE": str(tmp_path / "no-databrickscfg"),
        "FAKE_DATABRICKS_LOG": str(tmp_path / "calls.jsonl"),
    }


@needs_make
def test_ci_validate_step_reaches_the_cli_with_environment_credentials(default_project, tmp_path):
    env = fake_cli_env(default_project, tmp_path)

    result = subprocess.run(
        ["bash", "-c", deploy_step(default_project, "validate")["run"]],
        cwd=default_project, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    calls = [json.loads(line) for line in Path(env["FAKE_DATABRICKS_LOG"]).read_text().splitlines()]
    assert calls[-1] == {
        "argv": ["bundle", "validate", "--strict", "--target", "dev"],  # no --profile
        "auth": "environment (oauth) at https://my-workspace.cloud.databricks.com",
        "error": "",
    }


@needs_make
def test_ci_validate_step_fails_when_the_cli_is_missing(default_project, tmp_path):
    env = fake_cli_env(default_project, tmp_path, with_cli=False)

    result = subprocess.run(
        ["bash", "-c", deploy_step(default_project, "validate")["run"]],
        cwd=default_project, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode != 0
    assert "online check required but the `databricks` CLI is not on PATH" in result.stderr


def test_a_bake_never_calls_the_databricks_cli(tmp_path, monkeypatch):
    """Even with a CLI and a DEFAULT profile on the machine, the bake validates offline only."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    calls = tmp_path / "calls.txt"
    (fake_bin / "databricks").write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\nexit 1\n')
    (fake_bin / "databricks").chmod(0o755)
    config = tmp_path / "databrickscfg"
    config.write_text("[DEFAULT]\nhost = https://someone-elses.cloud.databricks.com\ntoken = x\n")
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
    monkeypatch.setenv("DATABRICKS_CLIENT_ID", "id")
    monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "secret")

    project = bake_project(tmp_path / "out")

    assert (project / "databricks.yml").is_file()
    assert not calls.exists(), f"the bake ran: databricks {calls.read_text()}"
