"""The generated Databricks bundle: offline validation, resource shape, grants SQL, JSON schema.

Each variant is baked once (module cache) and checked by several small tests. Where the official
bundle JSON schema is available next to the repository (../shared/reference), the merged
configuration is validated against it too.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BUNDLE_SCHEMA = REPO.parent / "shared" / "reference" / "databricks-bundle-schema.json"
RETAIL_GOLD = {"dim_customers", "dim_products", "fact_orders", "dim_date"}

# name -> (answers, gold tables that analysts get SELECT on)
VARIANTS: dict[str, tuple[dict[str, str], set[str]]] = {
    "defaults": ({}, RETAIL_GOLD),
    "csv": ({"source_format": "csv"}, RETAIL_GOLD),
    "parquet": ({"source_format": "parquet"}, RETAIL_GOLD),
    "delta": ({"source_format": "delta"}, RETAIL_GOLD),
    "kafka": ({"source_format": "kafka"}, RETAIL_GOLD),
    "classic": ({"compute": "classic"}, RETAIL_GOLD),
    "continuous": ({"pipeline_mode": "continuous"}, RETAIL_GOLD),
    "email": ({"notification_email": "data-oncall@example.com"}, RETAIL_GOLD),
    "other_tables": (
        {"table_names": "accounts, merchants, payments", "catalog": "finance", "schema": "cards"},
        {"dim_accounts", "dim_merchants", "fact_payments", "dim_date"},
    ),
    "one_table": ({"table_names": "products"}, {"dim_products"}),
    "s3_landing": ({"landing_path": "s3://my-bucket/retail/landing"}, RETAIL_GOLD),
    "shared_volume": ({"landing_path": "/Volumes/main/raw/files/retail"}, RETAIL_GOLD),
    "everything_else": (
        {
            "source_format": "kafka",
            "compute": "classic",
            "pipeline_mode": "continuous",
            "notification_email": "data-oncall@example.com",
        },
        RETAIL_GOLD,
    ),
}


@pytest.fixture(scope="module")
def baked(tmp_path_factory: pytest.TempPathFactory):
    """`baked(name) -> Path`: the project for a variant, baked once per module."""
    from cookiecutter.main import cookiecutter

    @functools.cache
    def _baked(name: str) -> Path:
        workdir = tmp_path_factory.mktemp(name)
        config = workdir / "config.yml"
        config.write_text(
            yaml.safe_dump({"replay_dir": str(workdir / "r"), "cookiecutters_dir": str(workdir)})
        )
        project = cookiecutter(
            str(REPO),
            no_input=True,
            extra_context=VARIANTS[name][0],
            output_dir=str(workdir / "out"),
            config_file=str(config),
        )
        return Path(project)

    return _baked


def answers(name: str) -> dict[str, str]:
    return VARIANTS[name][0]


def load(project: Path, relative: str) -> dict[str, Any]:
    return yaml.safe_load((project / relative).read_text())


def pipeline(project: Path) -> dict[str, Any]:
    return load(project, "resources/pipeline.yml")["resources"]["pipelines"]["medallion"]


def merged_config(project: Path) -> dict[str, Any]:
    """databricks.yml with every included resources/*.yml merged in (what the CLI loads)."""
    config = load(project, "databricks.yml")
    resources: dict[str, dict[str, Any]] = {}
    for path in sorted((project / "resources").glob("*.yml")):
        for kind, items in (yaml.safe_load(path.read_text()).get("resources") or {}).items():
            resources.setdefault(kind, {}).update(items)
    config["resources"] = resources
    return config


@pytest.mark.parametrize("name", VARIANTS)
def test_offline_validation_passes(baked, name: str) -> None:
    project = baked(name)
    result = subprocess.run(
        [sys.executable, "-m", "tools.validate_bundle", "--offline"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Bundle validation passed." in result.stdout


@pytest.mark.parametrize("name", VARIANTS)
def test_serverless_xor_clusters(baked, name: str) -> None:
    resource = pipeline(baked(name))
    assert ("serverless" in resource) != ("clusters" in resource)
    if answers(name).get("compute") == "classic":
        assert resource["photon"] is True
        assert resource["clusters"][0]["autoscale"]["max_workers"] >= 1
    else:
        assert resource["serverless"] is True


@pytest.mark.parametrize("name", VARIANTS)
def test_notifications_only_with_email(baked, name: str) -> None:
    project = baked(name)
    email = answers(name).get("notification_email")
    resource = pipeline(project)
    assert ("notifications" in resource) == bool(email)
    if email:
        [notification] = resource["notifications"]
        assert notification["email_recipients"] == ["${var.notification_email}"]
        assert set(notification["alerts"]) == {
            "on-update-failure",
            "on-update-fatal-failure",
            "on-flow-failure",
        }
        assert load(project, "databricks.yml")["variables"]["notification_email"]["default"] == (
            email
        )
    job_file = project / "resources/job.yml"
    if job_file.exists():
        job = load(project, "resources/job.yml")["resources"]["jobs"]["medallion_refresh"]
        assert ("email_notifications" in job) == bool(email)


@pytest.mark.parametrize("name", VARIANTS)
def test_trigger_mode(baked, name: str) -> None:
    project = baked(name)
    continuous = answers(name).get("pipeline_mode") == "continuous"
    assert pipeline(project)["continuous"] is continuous
    # A continuous pipeline runs all the time: no scheduling job.
    assert (project / "resources/job.yml").exists() is not continuous
    if not continuous:
        job = load(project, "resources/job.yml")["resources"]["jobs"]["medallion_refresh"]
        assert job["tasks"][0]["pipeline_task"]["pipeline_id"] == (
            "${resources.pipelines.medallion.id}"
        )
        assert "pause_status" not in job["schedule"]  # dev mode pauses it; prod runs it


@pytest.mark.parametrize("name", VARIANTS)
def test_source_configuration(baked, name: str) -> None:
    project = baked(name)
    source = answers(name).get("source_format", "json")
    configuration = pipeline(project)["configuration"]
    variables = load(project, "databricks.yml")["variables"]
    assert configuration["medallion.engine"] == "databricks"
    assert configuration["medallion.source_format"] == "${var.source_format}"
    assert variables["source_format"]["default"] == source
    for key, fmt in (("delta_source_schema", "delta"), ("kafka_bootstrap_servers", "kafka")):
        assert (f"medallion.{key}" in configuration) == (source == fmt)
        assert (key in variables) == (source == fmt)


def test_targets_and_schema(baked) -> None:
    project = baked("defaults")
    config = load(project, "databricks.yml")
    dev, prod = config["targets"]["dev"], config["targets"]["prod"]
    assert dev["mode"] == "development"
    assert dev["default"] is True
    assert prod["mode"] == "production"
    assert prod["workspace"]["root_path"].startswith("/Workspace/")
    assert "run_as" in prod
    assert {"group_name": "${var.engineers_group}", "level": "CAN_RUN"} in prod["permissions"]
    resource = pipeline(project)
    assert resource["schema"] == "${resources.schemas.medallion.name}"
    assert resource["event_log"]["name"] == "retail_lakehouse_pipeline_event_log"
    assert resource["libraries"] == [
        {"glob": {"include": f"../src/{layer}/**"}} for layer in ("bronze", "silver", "gold")
    ]
    grants = load(project, "resources/schema.yml")["resources"]["schemas"]["medallion"]["grants"]
    assert {g["principal"]: set(g["privileges"]) for g in grants} == {
        "${var.engineers_group}": {
            "USE_SCHEMA",
            "CREATE_TABLE",
            "CREATE_MATERIALIZED_VIEW",
            "MODIFY",
            "SELECT",
        },
        "${var.analysts_group}": {"USE_SCHEMA", "SELECT"},
    }


@pytest.mark.parametrize("name", VARIANTS)
def test_grants_sql_parses_and_is_least_privilege(baked, name: str) -> None:
    import sqlglot
    from sqlglot import exp

    project = baked(name)
    sql = (project / "sql/grants.sql").read_text()
    assert "ALL PRIVILEGES" not in sql.upper()
    assert "ALL_PRIVILEGES" not in sql.upper()
    code = [line for line in sql.splitlines() if not line.startswith("--")]
    assert not [line for line in sql.splitlines() if line.startswith("--") and ";" in line], (
        "a ';' in a comment would break statement-by-statement execution"
    )
    statements = [s for s in sqlglot.parse(sql, read="databricks") if s is not None]
    assert len(statements) == "\n".join(code).count(";")
    grants = [s for s in statements if isinstance(s, exp.Grant)]
    table_grants = {
        g.args["securable"].name for g in grants if g.args.get("kind", "").upper() == "TABLE"
    }
    assert table_grants == VARIANTS[name][1]
    catalog = answers(name).get("catalog", "main")
    schema = answers(name).get("schema", "retail_lakehouse")
    assert f"CREATE CATALOG IF NOT EXISTS `{catalog}`;" in sql
    assert f"CREATE SCHEMA IF NOT EXISTS `{catalog}`.`{schema}`;" in sql
    assert f"ON SCHEMA `{catalog}`.`{schema}` TO `data-analysts`;" in sql
    landing = answers(name).get("landing_path", f"/Volumes/{catalog}/{schema}/landing")
    if landing.startswith("/Volumes/"):
        volume = ".".join(f"`{part}`" for part in landing.split("/")[2:5])
        assert f"CREATE VOLUME IF NOT EXISTS {volume};" in sql
        assert f"GRANT READ VOLUME, WRITE VOLUME ON VOLUME {volume} TO `data-engineers`;" in sql
    else:
        assert "VOLUME" not in sql


@functools.cache
def bundle_schema_validator():
    import jsonschema
    import regex

    def pattern(validator, expected, instance, _schema):
        # The schema's patterns use \p{L}, which only the `regex` module understands.
        if validator.is_type(instance, "string") and not regex.search(expected, instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {expected!r}")

    schema = json.loads(BUNDLE_SCHEMA.read_text())
    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": pattern})
    return cls(schema)


@pytest.mark.parametrize("name", VARIANTS)
def test_matches_official_bundle_schema(baked, name: str) -> None:
    if not BUNDLE_SCHEMA.is_file():
        pytest.skip(f"official bundle schema not available at {BUNDLE_SCHEMA}")
    errors = sorted(
        bundle_schema_validator().iter_errors(merged_config(baked(name))),
        key=lambda error: list(error.absolute_path),
    )
    report = "\n".join(f"{error.json_path}: {error.message[:300]}" for error in errors)
    assert not errors, report


def test_schema_check_catches_a_misspelled_field(baked) -> None:
    if not BUNDLE_SCHEMA.is_file():
        pytest.skip(f"official bundle schema not available at {BUNDLE_SCHEMA}")
    config = merged_config(baked("defaults"))
    config["resources"]["pipelines"]["medallion"]["serverles"] = True
    assert list(bundle_schema_validator().iter_errors(config))
