"""The Makefile's Databricks targets, run against a strict fake `databricks` executable.

fake_databricks.py (beside this file) accepts only the commands and flags transcribed from the
real CLI's sources and fails like it on anything else, so these tests show which CLI commands
`make` runs, that the real CLI would accept them, and how make fails. They do not talk to
Databricks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from . import baked, fake_databricks

ROOT = baked.PROJECT
FAKE = Path(fake_databricks.__file__).resolve()
BAKED_PROFILE = baked.ANSWERS["databricks_profile"]
DEV_HOST = baked.ANSWERS["workspace_host"].rstrip("/")
PROD_HOST = baked.ANSWERS["__prod_workspace_host"].rstrip("/")
PROD_SERVICE_PRINCIPAL = baked.ANSWERS["__prod_service_principal"]
PIPELINE_KEY = "medallion"
MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")


@pytest.fixture
def cli(tmp_path):
    """Run make with the fake `databricks` first on PATH and a config file with two profiles."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "databricks"
    fake.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    fake.chmod(0o755)
    # python3 for the stdlib-only pre-flight module, even when PATH loses the real CLI's folder.
    (fake_bin / "python3").symlink_to(sys.executable)
    config = tmp_path / "databrickscfg"
    config.write_text(f"[{BAKED_PROFILE}]\nhost = {DEV_HOST}\n\n[prod]\nhost = {PROD_HOST}\n")
    log = tmp_path / "calls.jsonl"
    no_real_cli = [
        part
        for part in os.environ.get("PATH", "").split(os.pathsep)
        if part and not (Path(part) / "databricks").exists()
    ]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABRICKS_", "BUNDLE_VAR_"))
        and key not in ("CI", "MAKEFLAGS", "MAKELEVEL")
    }
    env.update(DATABRICKS_CONFIG_FILE=str(config), FAKE_DATABRICKS_LOG=str(log))

    class Cli:
        def make(self, *args: str, with_fake: bool = True, **extra_env: str):
            run_env = dict(env, **extra_env)
            if not with_fake:
                fake.unlink(missing_ok=True)
            run_env["PATH"] = os.pathsep.join([str(fake_bin), *no_real_cli])
            # PYTHON: this interpreter has what `make install` would put in .venv.
            return subprocess.run(
                [MAKE, "--no-print-directory", "-C", str(ROOT), f"PYTHON={sys.executable}", *args],
                env=run_env,
                check=False,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
            )

        def records(self) -> list[dict]:
            if not log.exists():
                return []
            return [json.loads(line) for line in log.read_text().splitlines()]

        def calls(self) -> list[list[str]]:
            return [record["argv"] for record in self.records()]

    return Cli()


def test_deploy_checks_the_cli_then_deploys_the_default_target(cli):
    result = cli.make("deploy")

    assert result.returncode == 0, result.stderr
    assert cli.calls() == [
        ["--version"],
        ["bundle", "deploy", "--target", "dev", "--profile", BAKED_PROFILE],
    ]
    assert cli.records()[-1]["auth"] == f"profile {BAKED_PROFILE} at {DEV_HOST}"
    assert "databricks bundle deploy --target dev" in result.stdout  # make prints what it runs


def test_deploy_stops_when_the_workspace_lacks_the_looked_up_warehouse(cli):
    """var.warehouse_id looks up "Serverless Starter Warehouse" by name (dashboards, alerts,
    metric views) unless the bake answered an id: a workspace without it fails the deploy,
    naming it, before anything ships."""
    bundle = yaml.safe_load((baked.PROJECT / "databricks.yml").read_text())
    other = json.dumps({"Team Warehouse": "0123456789abcdef"})
    result = cli.make("deploy", FAKE_DATABRICKS_WAREHOUSES=other)

    if "lookup" not in bundle["variables"]["warehouse_id"]:  # an answered id: no lookup
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode != 0
    assert (
        "failed to resolve warehouse: Serverless Starter Warehouse, err: EndpointInfo named "
        "'Serverless Starter Warehouse' does not exist" in result.stderr
    )
    found = cli.make("deploy")
    assert found.returncode == 0, found.stderr


def test_run_on_prod_starts_the_pipeline_by_its_resource_key(cli):
    result = cli.make("run", "TARGET=prod", "PROFILE=prod")

    assert result.returncode == 0, result.stderr
    assert cli.calls() == [
        ["--version"],
        ["bundle", "run", "--target", "prod", "--profile", "prod", PIPELINE_KEY],
    ]
    assert "Update ID:" in result.stdout


def test_dry_run_starts_a_validate_only_update(cli):
    result = cli.make("dry-run")

    assert result.returncode == 0, result.stderr
    assert cli.calls() == [
        ["--version"],
        ["bundle", "run", "--target", "dev", "--profile", BAKED_PROFILE, "--validate-only",
         PIPELINE_KEY],
    ]  # fmt: skip


def test_logs_uses_the_cli_command_and_prints_one_line_per_event(cli):
    result = cli.make("logs", "SINCE=2026-01-01T00:00:00Z", "MAX_EVENTS=20", "LEVEL=ERROR,INFO")

    assert result.returncode == 0, result.stderr
    assert cli.calls() == [
        ["--version"],
        [
            "pipelines", "logs", PIPELINE_KEY, "--target", "dev", "--profile", BAKED_PROFILE,
            "-n", "20", "--start-time", "2026-01-01T00:00:00Z", "--level", "ERROR,INFO",
            "-o", "json",
        ],
    ]  # fmt: skip
    lines = result.stdout.splitlines()
    running = next(i for i, line in enumerate(lines) if "Update u-2 is RUNNING." in line)
    failed = next(i for i, line in enumerate(lines) if "[silver_orders]" in line)
    assert running < failed, "events print oldest first"
    assert "1 ERROR event(s)" in result.stdout


def test_logs_of_one_update(cli):
    result = cli.make("logs", "UPDATE_ID=u-1")

    assert result.returncode == 0, result.stderr
    assert cli.calls()[-1] == [
        "pipelines", "logs", PIPELINE_KEY, "--target", "dev", "--profile", BAKED_PROFILE,
        "-n", "50", "--update-id", "u-1", "-o", "json",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("MAX_EVENTS=251", "MAX_EVENTS=251: the CLI returns 1 to 250 events."),
        ("SINCE=yesterday", "SINCE=yesterday: use an RFC 3339 time"),
    ],
)
def test_logs_rejects_what_the_cli_would_reject_before_calling_it(cli, variable, message):
    result = cli.make("logs", variable)

    assert result.returncode != 0
    assert message in result.stderr
    assert cli.calls() == [["--version"]]


def test_history_lists_the_updates(cli):
    result = cli.make("history", "TARGET=prod", "PROFILE=prod", "SINCE=2026-01-01T00:00:00Z")

    assert result.returncode == 0, result.stderr
    assert cli.calls()[-1] == [
        "pipelines", "history", PIPELINE_KEY, "--target", "prod", "--profile", "prod",
        "--start-time", "2026-01-01T00:00:00Z",
    ]  # fmt: skip
    assert "Updates Summary for pipeline medallion:" in result.stdout


def test_destroy_with_confirm_yes_auto_approves(cli):
    result = cli.make("destroy", "CONFIRM=yes")

    assert result.returncode == 0, result.stderr
    assert cli.calls() == [
        ["--version"],
        ["bundle", "destroy", "--target", "dev", "--profile", BAKED_PROFILE, "--auto-approve"],
    ]


def test_destroy_without_confirmation_refuses_when_nobody_can_answer(cli):
    result = cli.make("destroy")

    assert result.returncode != 0
    assert "Refusing to destroy" in result.stderr
    assert "CONFIRM=yes" in result.stderr
    assert cli.calls() == [["--version"]]


def test_destroy_on_prod_asks_twice_and_the_cli_still_keeps_the_schemas(cli):
    """Prod's schemas (and landing volume) carry lifecycle.prevent_destroy: one confirmation is
    not enough for make, and two are not enough for the CLI, which deletes nothing."""
    once = cli.make("destroy", "TARGET=prod", "PROFILE=prod", "CONFIRM=yes")
    assert once.returncode != 0
    assert "re-run with CONFIRM=yes CONFIRM_AGAIN=prod" in once.stderr
    assert ["bundle", "destroy"] not in [call[:2] for call in cli.calls()]

    again = ("CONFIRM=yes", "CONFIRM_AGAIN=prod")
    twice = cli.make("destroy", "TARGET=prod", "PROFILE=prod", *again)
    assert twice.returncode != 0
    assert cli.calls()[-1][:2] == ["bundle", "destroy"]
    for resource in ("schemas.medallion", "schemas.gold"):
        assert f"resources.{resource} has lifecycle.prevent_destroy set" in twice.stderr


def test_run_and_full_refresh_can_select_tables(cli):
    assert cli.make("run", "REFRESH=silver_orders,fact_orders").returncode == 0
    assert cli.calls()[-1][-3:] == ["--refresh", "silver_orders,fact_orders", PIPELINE_KEY]
    result = cli.make("full-refresh", "TARGET=prod", "PROFILE=prod", "CONFIRM=yes", "TABLES=a,b")
    assert result.returncode == 0, result.stderr
    assert cli.calls()[-1] == [
        "bundle", "run", "--target", "prod", "--profile", "prod", "--full-refresh", "a,b",
        PIPELINE_KEY,
    ]  # fmt: skip
    assert "fully refresh a,b of medallion" in result.stdout


def test_land_copies_each_table_folder_to_the_deployed_volume(cli):
    """The landing path comes from `bundle summary`, names resolved as deployed (staging's
    schema is prefixed), and each table folder is one `fs cp`."""
    result = cli.make("land", "TARGET=staging", "PROFILE=", DATABRICKS_HOST=DEV_HOST, **CI_ENV)

    assert result.returncode == 0, result.stderr
    calls = cli.calls()
    assert calls[1] == ["bundle", "summary", "--output", "json", "--target", "staging"]
    tables = sorted(p.name for p in (ROOT / "sample_data").iterdir() if p.is_dir())
    copies = [call for call in calls if call[:2] == ["fs", "cp"]]
    assert [call[-1].rsplit("/", 1)[-1] for call in copies] == tables
    config = fake_databricks.load_bundle(ROOT)
    deployed = fake_databricks.resolved_config(config, "staging", config["targets"]["staging"])
    volume = deployed["resources"]["pipelines"][PIPELINE_KEY]["configuration"]
    volume = volume["medallion.landing_path"]
    assert "/staging_" in volume  # the target's own schema, not prod's
    for call, table in zip(copies, tables, strict=True):
        assert call == ["fs", "cp", "--recursive", "--overwrite", str(ROOT / "sample_data" / table),
                        f"dbfs:{volume}/{table}"]  # fmt: skip


def test_full_refresh_on_prod_refuses_without_confirmation(cli):
    result = cli.make("full-refresh", "TARGET=prod", "PROFILE=prod")

    assert result.returncode != 0
    assert "Refusing to fully refresh every table" in result.stderr
    assert ["bundle", "run"] not in [call[:2] for call in cli.calls()]


def test_full_refresh_on_prod_with_confirm_yes_refreshes_all(cli):
    result = cli.make("full-refresh", "TARGET=prod", "PROFILE=prod", "CONFIRM=yes")

    assert result.returncode == 0, result.stderr
    assert cli.calls()[-1] == [
        "bundle", "run", "--target", "prod", "--profile", "prod", "--full-refresh-all",
        PIPELINE_KEY,
    ]  # fmt: skip


def test_full_refresh_on_dev_does_not_ask(cli):
    result = cli.make("full-refresh")

    assert result.returncode == 0, result.stderr
    assert cli.calls()[-1][:3] == ["bundle", "run", "--target"]


def test_empty_profile_uses_environment_credentials_without_profile_flag(cli):
    result = cli.make(
        "deploy",
        "TARGET=prod",
        "PROFILE=",
        DATABRICKS_CLIENT_ID="sp-id",
        DATABRICKS_CLIENT_SECRET="sp-secret",
    )

    assert result.returncode == 0, result.stderr
    assert cli.calls()[-1] == ["bundle", "deploy", "--target", "prod"]
    assert cli.records()[-1]["auth"] == f"environment (oauth) at {PROD_HOST}"


def test_empty_profile_without_environment_credentials_explains(cli):
    result = cli.make("deploy", "PROFILE=")

    assert result.returncode != 0
    assert "DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET" in result.stderr
    assert cli.calls() == [["--version"]]


def test_a_databricks_host_of_another_workspace_stops_before_the_cli(cli):
    """The CLI would use the bundle's host and ignore DATABRICKS_HOST without a word."""
    result = cli.make("deploy", DATABRICKS_HOST="https://other-workspace.cloud.databricks.com/")

    assert result.returncode != 0
    assert "DATABRICKS_HOST is https://other-workspace.cloud.databricks.com/" in result.stderr
    assert f"target 'dev' deploys to {DEV_HOST}" in result.stderr
    assert cli.calls() == [["--version"]]


def test_the_same_host_in_another_spelling_is_accepted(cli):
    host = DEV_HOST.upper().removeprefix("HTTPS://") + "/"

    result = cli.make("deploy", DATABRICKS_HOST=host)

    assert result.returncode == 0, result.stderr


# CI's validate step (.github/workflows/deploy.yml), for each target.
CI_VALIDATE = ("validate", "PROFILE=", "ONLINE=required")
CI_ENV = {"DATABRICKS_CLIENT_ID": "sp-id", "DATABRICKS_CLIENT_SECRET": "sp-secret"}


def test_ci_validate_reaches_the_cli_with_environment_credentials(cli):
    result = cli.make(*CI_VALIDATE, "TARGET=dev", DATABRICKS_HOST=DEV_HOST, **CI_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert cli.calls() == [["--version"], ["bundle", "validate", "--strict", "--target", "dev"]]
    assert cli.records()[-1]["auth"] == f"environment (oauth) at {DEV_HOST}"
    assert "Bundle validation passed." in result.stdout


def test_ci_validate_of_prod_is_strict_about_who_can_write_it(cli):
    result = cli.make(*CI_VALIDATE, "TARGET=prod", DATABRICKS_HOST=PROD_HOST, **CI_ENV)

    assert cli.calls()[-1] == ["bundle", "validate", "--strict", "--target", "prod"]
    if PROD_SERVICE_PRINCIPAL:  # prod lives in the principal's home folder
        assert result.returncode == 0, result.stdout + result.stderr
    else:  # /Workspace/Shared: the CLI warns that every user can write it, --strict fails
        assert result.returncode != 0
        assert "is writable by all workspace users" in result.stderr
        assert "Warnings are not allowed in strict mode" in result.stderr


def test_ci_validate_fails_without_a_cli_instead_of_skipping(cli):
    result = cli.make(*CI_VALIDATE, with_fake=False, **CI_ENV)

    assert result.returncode != 0
    assert "online check required but the `databricks` CLI is not on PATH" in result.stderr


def test_ci_validate_fails_without_credentials(cli):
    result = cli.make(*CI_VALIDATE)

    assert result.returncode != 0
    assert "online check required but PROFILE is empty" in result.stderr
    assert cli.calls() == []


def test_ci_validate_fails_on_a_host_of_another_workspace(cli):
    result = cli.make(*CI_VALIDATE, DATABRICKS_HOST="https://elsewhere.example.com", **CI_ENV)

    assert result.returncode != 0
    assert "DATABRICKS_HOST is https://elsewhere.example.com" in result.stderr
    assert ["bundle", "validate"] not in [call[:2] for call in cli.calls()]


def test_validate_without_cli_skips_the_online_check_by_default(cli):
    result = cli.make("validate", with_fake=False)

    assert result.returncode == 0, result.stderr
    assert "Online check skipped: the `databricks` CLI is not on PATH." in result.stdout


def test_validate_with_a_profile_passes_it(cli):
    result = cli.make("validate")

    assert result.returncode == 0, result.stdout + result.stderr
    assert cli.calls()[-1] == [
        "bundle", "validate", "--strict", "--target", "dev", "--profile", BAKED_PROFILE,
    ]  # fmt: skip


def test_missing_cli_says_how_to_install_it(cli):
    result = cli.make("deploy", with_fake=False)

    assert result.returncode != 0
    assert "The Databricks CLI (`databricks`) is not on PATH" in result.stderr
    assert "brew install databricks" in result.stderr
    assert cli.calls() == []


@pytest.mark.parametrize("version", ["0.205.0", "0.299.2", "1.11.0"])
def test_too_old_cli_is_rejected_with_the_minimum_version(cli, version):
    result = cli.make("deploy", FAKE_DATABRICKS_VERSION=version)

    assert result.returncode != 0
    assert f"Databricks CLI {version} is too old for this project" in result.stderr
    assert ">= 1.12.0" in result.stderr
    assert cli.calls() == [["--version"]]


def test_the_minimum_version_is_enough(cli):
    assert cli.make("deploy", FAKE_DATABRICKS_VERSION="1.12.0").returncode == 0


def test_legacy_python_cli_is_named(cli):
    result = cli.make("deploy", FAKE_DATABRICKS_VERSION="0.18.0")

    assert result.returncode != 0
    assert "pip uninstall databricks-cli" in result.stderr


def test_unknown_profile_says_how_to_log_in(cli):
    result = cli.make("deploy", "PROFILE=nope")

    assert result.returncode != 0
    assert "The Databricks CLI profile 'nope' is not configured" in result.stderr
    assert f"databricks auth login --host {DEV_HOST}" in result.stderr
    assert "--profile nope" in result.stderr
    assert cli.calls() == [["--version"]]


def test_test_remote_without_profile_stops_with_a_clear_message(cli, tmp_path):
    fake_python = tmp_path / "remote-python"
    fake_python.write_text("#!/bin/sh\necho remote tests ran\n")
    fake_python.chmod(0o755)

    result = cli.make("test-remote", f"REMOTE_PYTHON={fake_python}", "PROFILE=nope")

    assert result.returncode != 0
    assert "profile 'nope' is not configured" in result.stderr
    assert "remote tests ran" not in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["deploy"], f"databricks bundle deploy --target dev --profile {BAKED_PROFILE}"),
        (
            ["run", "TARGET=prod"],
            f"databricks bundle run --target prod --profile {BAKED_PROFILE} {PIPELINE_KEY}",
        ),
        (
            ["dry-run"],
            f"databricks bundle run --target dev --profile {BAKED_PROFILE} --validate-only "
            f"{PIPELINE_KEY}",
        ),
        (["history"], f"databricks pipelines history {PIPELINE_KEY} --target dev"),
        (
            ["plan", "TARGET=staging"],
            f"databricks bundle plan --target staging --profile {BAKED_PROFILE}",
        ),
        (["destroy", "TARGET=prod"], "databricks bundle destroy --target prod"),
    ],
)
def test_make_n_shows_the_cli_calls(cli, args, expected):
    result = cli.make("-n", *args)

    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert cli.calls() == [], "make -n runs nothing"


# The fake itself: as strict as the real CLI, so the tests above mean something.


def fake(*argv: str, **env: str) -> subprocess.CompletedProcess:
    """Run the fake in this project with M2M credentials in the environment (unless replaced)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DATABRICKS_")}
    clean.update(
        DATABRICKS_CONFIG_FILE=str(ROOT / "no-such-databrickscfg"),
        DATABRICKS_CLIENT_ID="sp-id",
        DATABRICKS_CLIENT_SECRET="sp-secret",
        FAKE_DATABRICKS_LOG="",
    )
    return subprocess.run(
        [sys.executable, str(FAKE), *argv],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["bundle", "deploy", "--frobnicate"], "unknown flag: --frobnicate"),
        (["bundle", "validate", "-x"], "unknown shorthand flag: 'x' in -x"),
        (["bundle", "deploy", "--target"], "flag needs an argument: --target"),
        (["bundle", "deploy", "-o", "yaml"], 'accepted arguments are json and text'),
        (["bundle", "validate", "extra"], 'unknown command "extra" for "databricks bundle valid'),
        (["bundle", "frob"], 'unknown command "frob" for "databricks bundle"'),
        (["bundle", "deploy", "--target", "qa"], "qa: no such target."),
        (["bundle", "run", "medallion", "--validate-only", "--full-refresh-all"],
         "--full-refresh-all, --validate-only pipeline run flags are mutually exclusive"),
        (["bundle", "run", "medallion", "--validate-only", "--refresh", "a"],
         "cannot use --refresh or --full-refresh together with --validate-only"),
        (["bundle", "run"], "expected a KEY of the resource to run"),
        (["bundle", "run", "nope"], 'resource with key "nope" not found'),
        (["pipelines", "logs", "medallion", "-n", "251"], "number of results must be 250 or less"),
        (["pipelines", "logs", "medallion", "-n", "ten"], 'invalid argument "ten" for "-n, --num'),
        (["pipelines", "logs", "a", "b"], "accepts at most 1 arg(s), received 2"),
        (["pipelines", "logs", "medallion", "--since", "x"], "unknown flag: --since"),
        (["pipelines", "history", "medallion", "-n", "5"], "unknown shorthand flag: 'n' in -n"),
        (["pipelines", "history", "--start-time", "today"], "invalid time format."),
        (["pipelines", "run", "--validate-only"], "unknown flag: --validate-only"),
        (["pipelines", "open"], 'unknown command "open" for "databricks pipelines" (or not tran'),
        (["bundle", "deploy", "--profile", "missing"], "has no missing profile configured"),
    ],
)  # fmt: skip
def test_the_fake_rejects_what_the_real_cli_rejects(argv, error):
    result = fake(*argv)

    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("Error: ")
    assert error in result.stderr


def test_the_fake_rejects_two_kinds_of_environment_credentials():
    result = fake("bundle", "deploy", DATABRICKS_TOKEN="dapi")

    assert result.returncode == 1
    assert "more than one authorization method configured: oauth and pat" in result.stderr


def test_the_fake_refuses_a_profile_for_another_host(tmp_path):
    config = tmp_path / "cfg"
    config.write_text("[elsewhere]\nhost = https://elsewhere.example.com\n")

    result = fake("bundle", "deploy", "-p", "elsewhere", DATABRICKS_CONFIG_FILE=str(config))

    assert result.returncode == 1
    assert "the host in the profile (https://elsewhere.example.com) doesn" in result.stderr


def test_every_transcribed_command_names_its_source():
    for words, command in fake_databricks.COMMANDS.items():
        assert command.source.split()[0].startswith(("cmd/", "bundle/")), words
        assert command.source.split()[0].endswith(".go"), words
    assert fake_databricks.SOURCE_URL.startswith("https://github.com/databricks/cli/blob/")


def test_the_fake_reads_the_same_bundle_as_the_project():
    config = fake_databricks.load_bundle(ROOT)

    assert set(config["targets"]) == {"dev", "staging", "prod"}
    assert set(config["resources"]["pipelines"]) == {PIPELINE_KEY}
    assert config["targets"]["dev"]["workspace"]["host"].rstrip("/") == DEV_HOST
    assert config["targets"]["prod"]["workspace"]["host"].rstrip("/") == PROD_HOST
