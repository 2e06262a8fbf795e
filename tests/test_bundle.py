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
from conftest import TEMPLATE_DIR

REPO = Path(__file__).resolve().parents[1]
BUNDLE_SCHEMA = REPO.parent / "shared" / "reference" / "databricks-bundle-schema.json"
DEV_HOST = "https://my-workspace.cloud.databricks.com"
PROD_HOST = "https://prod-workspace.cloud.databricks.com"
PROD_SP = "6f1c0b3e-9d4a-4e8b-a2f7-0c5d3e1b9a84"

# name -> answers
VARIANTS: dict[str, dict[str, str]] = {
    "defaults": {},
    "csv": {"source_format": "csv"},
    "parquet": {"source_format": "parquet"},
    "delta": {"source_format": "delta"},
    "kafka": {"source_format": "kafka"},
    "classic": {"compute": "classic"},
    "continuous": {"pipeline_mode": "continuous"},
    "email": {"__notification_email": "data-oncall@example.com"},
    "other_tables": {
        "table_names": "accounts, merchants, payments",
        "catalog": "finance",
        "schema": "cards",
    },
    "one_table": {"table_names": "products"},
    "s3_landing": {"__landing_path": "s3://my-bucket/retail/landing"},
    "shared_volume": {"__landing_path": "/Volumes/main/raw/files/retail"},
    "other_catalog_volume": {"__landing_path": "/Volumes/raw/retail/files"},
    "volume_subfolder": {"__landing_path": "/Volumes/main/retail_lakehouse/incoming/retail/v1"},
    "prod_sp": {"__prod_service_principal": PROD_SP, "__prod_workspace_host": PROD_HOST},
    "everything_else": {
        "source_format": "kafka",
        "compute": "classic",
        "pipeline_mode": "continuous",
        "__notification_email": "data-oncall@example.com",
    },
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
            extra_context=VARIANTS[name],
            output_dir=str(workdir / "out"),
            config_file=str(config),
        )
        return Path(project)

    return _baked


def answers(name: str) -> dict[str, str]:
    return VARIANTS[name]


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
        [sys.executable, "-m", "medallion", "validate", "--offline"],
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
def test_notifications_follow_the_variable_on_every_target(baked, name: str) -> None:
    """The pipeline and the job always notify `var.notification_emails` (a list), so a team
    that sets it after the bake, or per target, gets e-mails; an empty list e-mails nobody."""
    project = baked(name)
    email = answers(name).get("__notification_email")
    [notification] = pipeline(project)["notifications"]
    assert notification["email_recipients"] == "${var.notification_emails}"
    assert set(notification["alerts"]) == {
        "on-update-failure",
        "on-update-fatal-failure",
        "on-flow-failure",
    }
    variable = load(project, "databricks.yml")["variables"]["notification_emails"]
    assert variable["type"] == "complex"
    assert variable["default"] == ([email] if email else [])
    job_file = project / "resources/job.yml"
    if job_file.exists():
        job = load(project, "resources/job.yml")["resources"]["jobs"]["medallion_refresh"]
        assert job["email_notifications"] == {"on_failure": "${var.notification_emails}"}


@pytest.mark.parametrize("name", ["defaults", "kafka", "shared_volume"])
def test_every_variable_takes_effect(baked, name: str) -> None:
    """A variable nobody reads would let a team set it and wait for an effect that never comes:
    each one is read by a resource, or by the make target that documents it."""
    project = baked(name)
    variables = set(load(project, "databricks.yml")["variables"])
    readers = [
        *(project / "resources").glob("*.yml"),
        project / "databricks.yml",
        TEMPLATE_DIR / "tool" / "src" / "medallion" / "admin_grants.py",
        project / "sql" / "admin_grants.sql",
    ]
    used = {
        variable
        for path in readers
        for variable in variables
        if f"${{var.{variable}}}" in path.read_text()
        or (path.suffix == ".py" and f'"{variable}"' in path.read_text())
    }
    assert variables == used, f"never read: {sorted(variables - used)}"


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


def schema_grants(config: dict[str, Any], schema: str = "medallion") -> dict[str, set[str]]:
    grants = config["resources"]["schemas"][schema]["grants"]
    merged: dict[str, set[str]] = {}
    for grant in grants:  # duplicate principals are merged by the CLI from 0.296.0
        merged.setdefault(grant["principal"], set()).update(grant["privileges"])
    return merged


ENGINEERS_SCHEMA = {"USE_SCHEMA", "CREATE_TABLE", "CREATE_MATERIALIZED_VIEW", "MODIFY", "SELECT"}


@pytest.mark.parametrize("name", ["defaults", "prod_sp"])
def test_analysts_read_prods_gold_schema_and_nothing_else(baked, name: str) -> None:
    """Every grant the bundle can express is in the bundle: analysts get schema-wide read access
    to prod's gold schema (a gold table added later is covered, nothing to re-run), and nothing in
    the bronze/silver schema, in dev or in staging."""
    project = baked(name)
    for target in ("dev", "staging", "prod"):
        config = target_config(project, target)
        assert schema_grants(config) == {"${var.engineers_group}": ENGINEERS_SCHEMA}, target
        expected = {"${var.engineers_group}": ENGINEERS_SCHEMA}
        if target == "prod":
            expected["${var.analysts_group}"] = {"USE_SCHEMA", "SELECT"}
        assert schema_grants(config, "gold") == expected, target
    gold = target_config(project, "prod")["resources"]["schemas"]["gold"]
    assert gold["name"] == "${var.schema}_gold"
    configuration = pipeline(project)["configuration"]
    assert configuration["medallion.gold_schema"] == "${var.catalog}.${resources.schemas.gold.name}"


@pytest.mark.parametrize("name", ["defaults", "kafka"])
def test_the_pipeline_installs_the_project_and_kafka_bronze_refuses_resets(baked, name) -> None:
    """Serverless installs the project (its `dependencies`) as Databricks' own template does, and
    every bronze table asks sources.bronze_options, which refuses resets of Kafka bronze."""
    project = baked(name)
    assert pipeline(project)["environment"] == {
        "dependencies": ["--editable ${workspace.file_path}"]
    }
    pyproject = (project / "pyproject.toml").read_text()
    assert 'build-backend = "hatchling.build"' in pyproject
    for bronze in (project / "src" / "bronze").glob("*.py"):
        assert "**sources.bronze_options(spark)" in bronze.read_text(), bronze.name


@pytest.mark.parametrize("name", ["defaults", "prod_sp"])
def test_prod_data_outlives_a_destroy(baked, name: str) -> None:
    """`bundle destroy` stops at a resource with lifecycle.prevent_destroy (the CLI's
    bundle/phases/plan.go), and the pipeline keeps its tables when it is deleted."""
    project = baked(name)
    prod = target_config(project, "prod")["resources"]
    protected = {
        f"{kind}.{key}"
        for kind in ("schemas", "volumes")
        for key, body in (prod.get(kind) or {}).items()
        if (body.get("lifecycle") or {}).get("prevent_destroy") is True
    }
    assert protected == {"schemas.medallion", "schemas.gold", "volumes.landing"}
    for target in ("dev", "staging"):  # a personal or CI copy may be destroyed
        resources = target_config(project, target)["resources"]
        assert "prevent_destroy" not in json.dumps(resources), target
    assert pipeline(project)["cascade_on_destroy"] is False
    bundle = load(project, "databricks.yml")["bundle"]
    assert bundle["engine"] == "direct"  # cascade_on_destroy is direct-engine only
    assert bundle["databricks_cli_version"] == ">= 1.12.0"  # where cascade_on_destroy came in


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
    # tool's tests/test_make_targets.py shows it against the CLI fake).
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
    storage = load(project, "resources/schema.yml")["resources"]
    landing = pipeline(project)["configuration"]["medallion.landing_path"]
    if volume is None:  # another schema's volume or a cloud URI: not ours to create
        assert "volumes" not in storage
        assert landing == "${var.landing_path}"
        return
    resource = storage["volumes"]["landing"]
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


def admin_statements(project: Path, target: str = "prod") -> list[str]:
    """sql/admin_grants.sql as `make admin-grants TARGET=<target>` sends it (the project's own
    `medallion admin-grants` fills in the target's variables)."""
    code = (
        "import json, sys; from medallion import admin_grants as g; "
        "text = g.GRANTS_SQL.read_text(); variables = g.bundle_variables(sys.argv[1]); "
        "print(json.dumps([g.fill(s, variables) for s in g.split_statements(text)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, target],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", VARIANTS)
def test_admin_grants_are_only_what_the_bundle_cannot_grant(baked, name: str) -> None:
    """Granting needs ownership or MANAGE (on the object or a parent): the file holds only the
    catalog's rights and another schema's landing volume, for their owner to run."""
    import sqlglot

    project = baked(name)
    sql = (project / "sql/admin_grants.sql").read_text()
    assert not (project / "sql/grants.sql").exists()
    assert "ALL PRIVILEGES" not in sql.upper() and "ALL_PRIVILEGES" not in sql.upper()
    assert not [line for line in sql.splitlines() if line.startswith("--") and ";" in line], (
        "a ';' in a comment would break statement-by-statement execution"
    )
    statements = admin_statements(project)
    for statement in statements:
        assert len([s for s in sqlglot.parse(statement, read="databricks") if s]) == 1
    catalog = answers(name).get("catalog", "main")
    landing = answers(name).get("__landing_path", f"/Volumes/{catalog}/retail_lakehouse/landing")
    expected = [
        f"GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `{catalog}` TO `data-engineers`",
        f"GRANT USE CATALOG ON CATALOG `{catalog}` TO `data-analysts`",
    ]
    if landing.startswith("/Volumes/") and landing_volume(name) is None:
        parts = [f"`{part}`" for part in landing.split("/")[2:5]]
        expected += [  # the volume's catalog may be the pipeline's: the grant is idempotent
            f"GRANT USE CATALOG ON CATALOG {parts[0]} TO `data-engineers`",
            f"GRANT USE SCHEMA ON SCHEMA {'.'.join(parts[:2])} TO `data-engineers`",
            f"GRANT READ VOLUME ON VOLUME {'.'.join(parts)} TO `data-engineers`",
        ]
    assert [" ".join(s.split()) for s in statements] == expected


def test_admin_grants_follow_a_targets_catalog(baked) -> None:
    """A per-target override must take effect (the file used to name the bake-time catalog)."""
    project = baked("defaults")
    bundle = project / "databricks.yml"
    original = bundle.read_text()
    try:
        bundle.write_text(
            original.replace("  prod:\n", "  prod:\n    variables:\n      catalog: sales_prod\n", 1)
        )
        assert admin_statements(project, "prod")[0] == (
            "GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `sales_prod` TO `data-engineers`"
        )
        assert admin_statements(project, "dev")[0].endswith("ON CATALOG `main` TO `data-engineers`")
    finally:
        bundle.write_text(original)


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
