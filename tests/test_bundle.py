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
DEV_HOST = "https://my-workspace.cloud.databricks.com"
PROD_HOST = "https://prod-workspace.cloud.databricks.com"
PROD_SP = "6f1c0b3e-9d4a-4e8b-a2f7-0c5d3e1b9a84"

# name -> (answers, gold tables that analysts get SELECT on)
VARIANTS: dict[str, tuple[dict[str, str], set[str]]] = {
    "defaults": ({}, RETAIL_GOLD),
    "csv": ({"source_format": "csv"}, RETAIL_GOLD),
    "parquet": ({"source_format": "parquet"}, RETAIL_GOLD),
    "delta": ({"source_format": "delta"}, RETAIL_GOLD),
    "kafka": ({"source_format": "kafka"}, RETAIL_GOLD),
    "classic": ({"compute": "classic"}, RETAIL_GOLD),
    "continuous": ({"pipeline_mode": "continuous"}, RETAIL_GOLD),
    "email": ({"__notification_email": "data-oncall@example.com"}, RETAIL_GOLD),
    "other_tables": (
        {"table_names": "accounts, merchants, payments", "catalog": "finance", "schema": "cards"},
        {"dim_accounts", "dim_merchants", "fact_payments", "dim_date"},
    ),
    "one_table": ({"table_names": "products"}, {"dim_products"}),
    "s3_landing": ({"__landing_path": "s3://my-bucket/retail/landing"}, RETAIL_GOLD),
    "shared_volume": ({"__landing_path": "/Volumes/main/raw/files/retail"}, RETAIL_GOLD),
    "other_catalog_volume": ({"__landing_path": "/Volumes/raw/retail/files"}, RETAIL_GOLD),
    "volume_subfolder": (
        {"__landing_path": "/Volumes/main/retail_lakehouse/incoming/retail/v1"},
        RETAIL_GOLD,
    ),
    "prod_sp": (
        {"__prod_service_principal": PROD_SP, "__prod_workspace_host": PROD_HOST},
        RETAIL_GOLD,
    ),
    "everything_else": (
        {
            "source_format": "kafka",
            "compute": "classic",
            "pipeline_mode": "continuous",
            "__notification_email": "data-oncall@example.com",
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
    email = answers(name).get("__notification_email")
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


KAFKA_KEYS = (
    "kafka_bootstrap_servers",
    "kafka_security_protocol",
    "kafka_sasl_mechanism",
    "kafka_secret_scope",
    "kafka_username_key",
    "kafka_password_key",
)


@pytest.mark.parametrize("name", VARIANTS)
def test_source_configuration(baked, name: str) -> None:
    project = baked(name)
    source = answers(name).get("source_format", "json")
    configuration = pipeline(project)["configuration"]
    variables = load(project, "databricks.yml")["variables"]
    assert configuration["medallion.engine"] == "databricks"
    assert configuration["medallion.source_format"] == "${var.source_format}"
    assert variables["source_format"]["default"] == source
    for key, fmt in (("delta_source_schema", "delta"), *((key, "kafka") for key in KAFKA_KEYS)):
        assert (f"medallion.{key}" in configuration) == (source == fmt)
        assert (key in variables) == (source == fmt)
        if key in variables:
            assert configuration[f"medallion.{key}"] == f"${{var.{key}}}"
    if source == "kafka":
        assert variables["kafka_security_protocol"]["default"] == "SASL_SSL"
        assert variables["kafka_sasl_mechanism"]["default"] == "PLAIN"
        # names of a secret scope and its keys only: the values are read at run time
        assert not [key for key in variables if "secret" in key and key != "kafka_secret_scope"]


def test_targets_and_schema(baked) -> None:
    project = baked("defaults")
    config = load(project, "databricks.yml")
    dev, prod = config["targets"]["dev"], config["targets"]["prod"]
    assert dev["mode"] == "development"
    assert dev["default"] is True
    assert prod["mode"] == "production"
    resource = pipeline(project)
    assert resource["schema"] == "${resources.schemas.medallion.name}"
    assert resource["event_log"]["name"] == "retail_lakehouse_pipeline_event_log"
    assert resource["libraries"] == [
        {"glob": {"include": f"../src/{layer}/**"}} for layer in ("bronze", "silver", "gold")
    ]


def merge(base: Any, override: Any) -> Any:
    """The CLI's target merge: maps merge key by key, sequences concatenate, scalars are replaced
    (databricks/cli libs/dyn/merge/merge.go; bundle/config/root.go MergeTargetOverrides)."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{k: merge(base[k], v) if k in base else v for k, v in override.items()}}
    if isinstance(base, list) and isinstance(override, list):
        return base + override
    return override


def target_config(project: Path, target: str) -> dict[str, Any]:
    """What the CLI deploys for `target`: the merged config with the target's overrides."""
    config = merged_config(project)
    overrides = config["targets"][target]
    for section in ("workspace", "resources", "permissions", "run_as"):
        if section in overrides:
            replace = section == "run_as"  # run_as is overwritten, not merged (root.go)
            base = config.get(section)
            config[section] = (
                overrides[section] if replace or base is None else merge(base, overrides[section])
            )
    return config


def schema_grants(config: dict[str, Any]) -> dict[str, set[str]]:
    grants = config["resources"]["schemas"]["medallion"]["grants"]
    merged: dict[str, set[str]] = {}
    for grant in grants:  # duplicate principals are merged by the CLI from 0.296.0
        merged.setdefault(grant["principal"], set()).update(grant["privileges"])
    return merged


ENGINEERS_SCHEMA = {"USE_SCHEMA", "CREATE_TABLE", "CREATE_MATERIALIZED_VIEW", "MODIFY", "SELECT"}


@pytest.mark.parametrize("name", ["defaults", "prod_sp"])
def test_analysts_reach_the_prod_schema_only_and_never_select_it(baked, name: str) -> None:
    project = baked(name)
    dev, prod = target_config(project, "dev"), target_config(project, "prod")
    assert schema_grants(dev) == {"${var.engineers_group}": ENGINEERS_SCHEMA}
    assert schema_grants(prod) == {
        "${var.engineers_group}": ENGINEERS_SCHEMA,
        "${var.analysts_group}": {"USE_SCHEMA"},
    }


@pytest.mark.parametrize("name", ["defaults", "prod_sp"])
def test_each_target_has_its_own_host(baked, name: str) -> None:
    config = load(baked(name), "databricks.yml")
    assert "workspace" not in config, "a top-level host would apply to every target"
    assert config["targets"]["dev"]["workspace"]["host"] == DEV_HOST
    # the prod answer defaults to the dev answer: one answer can fill both
    expected_prod = answers(name).get("__prod_workspace_host", DEV_HOST)
    assert config["targets"]["prod"]["workspace"]["host"] == expected_prod
    for target in ("dev", "prod"):
        assert "${" not in config["targets"][target]["workspace"]["host"]


def test_prod_with_a_service_principal_runs_as_it_from_its_home_folder(baked) -> None:
    prod = target_config(baked("prod_sp"), "prod")
    root_path = f"/Workspace/Users/{PROD_SP}/.bundle/${{bundle.name}}/prod"
    assert prod["workspace"]["root_path"] == root_path
    assert prod["run_as"] == {"service_principal_name": PROD_SP}
    assert {"service_principal_name": PROD_SP, "level": "CAN_MANAGE"} in prod["permissions"]
    assert {"group_name": "${var.engineers_group}", "level": "CAN_RUN"} in prod["permissions"]
    assert {"group_name": "${var.analysts_group}", "level": "CAN_VIEW"} in prod["permissions"]


def test_prod_without_a_service_principal_has_one_fixed_folder(baked) -> None:
    prod = target_config(baked("defaults"), "prod")
    assert prod["workspace"]["root_path"] == "/Workspace/Shared/.bundle/${bundle.name}/prod"
    assert "run_as" not in prod
    # Not silenced: `validate --strict` reports that every user can write this folder (the
    # generated tests/tools/test_make_targets.py shows it against the CLI fake).
    assert not [p for p in prod["permissions"] if p.get("group_name") == "users"]
    assert {"group_name": "${var.engineers_group}", "level": "CAN_MANAGE"} in prod["permissions"]


@pytest.mark.parametrize("name", ["defaults", "prod_sp"])
def test_prod_folder_does_not_depend_on_who_deploys(baked, name: str) -> None:
    prod = load(baked(name), "databricks.yml")["targets"]["prod"]
    assert "current_user" not in json.dumps(prod)
    assert prod["workspace"]["root_path"].endswith("/.bundle/${bundle.name}/prod")


def landing_volume(name: str) -> str | None:
    from bake.answers import own_landing_volume

    catalog = answers(name).get("catalog", "main")
    schema = answers(name).get("schema", "retail_lakehouse")
    landing = answers(name).get("__landing_path", f"/Volumes/{catalog}/{schema}/landing")
    return own_landing_volume(landing, catalog, schema)


@pytest.mark.parametrize("name", VARIANTS)
def test_the_landing_volume_is_a_bundle_resource_when_it_is_ours(baked, name: str) -> None:
    project = baked(name)
    volume = landing_volume(name)
    volume_file = project / "resources" / "landing_volume.yml"
    landing = pipeline(project)["configuration"]["medallion.landing_path"]
    if volume is None:  # another schema's volume or a cloud URI: not ours to create
        assert not volume_file.exists()
        assert landing == "${var.landing_path}"
        return
    resource = load(project, "resources/landing_volume.yml")["resources"]["volumes"]["landing"]
    assert resource["catalog_name"] == "${var.catalog}"
    assert resource["schema_name"] == "${resources.schemas.medallion.name}"
    assert resource["name"] == volume
    assert resource["grants"] == [
        {"principal": "${var.engineers_group}", "privileges": ["READ_VOLUME", "WRITE_VOLUME"]}
    ]
    path = answers(name).get("__landing_path", "")
    subfolder = path.rstrip("/").split("/")[5:]
    expected = "/Volumes/${var.catalog}/${resources.schemas.medallion.name}/"
    expected += "${resources.volumes.landing.name}" + "".join(f"/{part}" for part in subfolder)
    assert landing == expected, "every target reads its own schema's volume"
    assert "landing_path" not in load(project, "databricks.yml")["variables"]


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
    flat = " ".join(" ".join(code).split())
    # engineers create their dev_<user>_ schemas with their own deploys
    assert f"GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `{catalog}` TO `data-engineers`;" in flat
    landing = answers(name).get("__landing_path", f"/Volumes/{catalog}/{schema}/landing")
    volume = ".".join(f"`{part}`" for part in landing.split("/")[2:5])
    assert "CREATE VOLUME" not in sql, "the bundle owns our volume; another schema's is not ours"
    if landing.startswith("/Volumes/") and landing_volume(name) is None:
        assert f"GRANT READ VOLUME ON VOLUME {volume} TO `data-engineers`;" in sql
    else:
        assert "VOLUME" not in "\n".join(code)


@pytest.mark.parametrize("name", VARIANTS)
def test_analysts_are_granted_the_gold_tables_and_nothing_else(baked, name: str) -> None:
    import sqlglot

    sql = (baked(name) / "sql/grants.sql").read_text()
    statements = [s for s in sqlglot.parse(sql, read="databricks") if s is not None]
    texts = [" ".join(s.sql(dialect="databricks", comments=False).split()) for s in statements]
    to_analysts = {text for text in texts if text.endswith(" TO `data-analysts`")}
    catalog = answers(name).get("catalog", "main")
    schema = f"`{catalog}`.`{answers(name).get('schema', 'retail_lakehouse')}`"
    gold = {f"GRANT SELECT ON TABLE {schema}.`{table}`" for table in VARIANTS[name][1]}
    assert {text.removesuffix(" TO `data-analysts`") for text in to_analysts} == {
        f"GRANT USE CATALOG ON CATALOG `{catalog}`",
        f"GRANT USE SCHEMA ON SCHEMA {schema}",  # USE SCHEMA alone reads nothing
        *gold,
    }
    for hidden in ("bronze_", "silver_", "_quarantine", "_event_log", "SELECT ON SCHEMA"):
        assert not [text for text in to_analysts if hidden in text], hidden


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
