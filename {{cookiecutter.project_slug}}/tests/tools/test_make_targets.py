"""The Makefile's Databricks targets, run against a recording fake `databricks` executable.

These tests show which CLI commands `make` runs and how it fails; they do not talk to Databricks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BAKED_PROFILE = {{ cookiecutter.databricks_profile | yaml_str }}
PIPELINE_KEY = "medallion"
MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")

FAKE_DATABRICKS = """#!@PYTHON@
import json, os, sys

args = sys.argv[1:]
with open(os.environ["FAKE_DATABRICKS_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
if args[:1] in (["--version"], ["version"]):
    print("Databricks CLI v" + os.environ.get("FAKE_DATABRICKS_VERSION", "1.22.1"))
elif args[:2] == ["bundle", "summary"]:
    pipeline = {"id": "pipe-123", "name": "demo"}
    print(json.dumps({"resources": {"pipelines": {"medallion": pipeline}}}))
elif args[:2] == ["pipelines", "list-pipeline-events"]:
    print(json.dumps([
        {"timestamp": "2026-01-02T10:00:05.000Z", "level": "ERROR",
          "event_type": "flow_progress", "origin": {"flow_name": "silver_orders"},
          "message": "Flow 'silver_orders' has FAILED."},
        {"timestamp": "2026-01-02T10:00:00.000Z", "level": "INFO",
          "event_type": "update_progress", "origin": {},
          "message": "Update 1a2b is RUNNING."},
    ]))
else:
    print("fake databricks: ok")
"""


@pytest.fixture
def cli(tmp_path):
    """Run make with a fake `databricks` first on PATH and a config file with one profile."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "databricks"
    fake.write_text(FAKE_DATABRICKS.replace("@PYTHON@", sys.executable))
    fake.chmod(0o755)
    # python3 for the stdlib-only pre-flight module, even when PATH loses the real CLI's folder.
    (fake_bin / "python3").symlink_to(sys.executable)
    config = tmp_path / "databrickscfg"
    config.write_text(
        f"[{BAKED_PROFILE}]\nhost = https://example.cloud.databricks.com\n\n"
        "[prod]\nhost = https://example.cloud.databricks.com\n"
    )
    log = tmp_path / "calls.jsonl"
    no_real_cli = [
        part
        for part in os.environ.get("PATH", "").split(os.pathsep)
        if part and not (Path(part) / "databricks").exists()
    ]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DATABRICKS_") and key not in ("CI", "MAKEFLAGS", "MAKELEVEL")
    }
    env.update(DATABRICKS_CONFIG_FILE=str(config), FAKE_DATABRICKS_LOG=str(log))

    class Cli:
        def __init__(self):
            self.env = env
            self.path_with_fake = os.pathsep.join([str(fake_bin), *no_real_cli])

        def make(self, *args: str, with_fake: bool = True, **extra_env: str):
            run_env = dict(self.env, **extra_env)
            if with_fake:
                run_env["PATH"] = self.path_with_fake
            else:
                fake.unlink(missing_ok=True)
                run_env["PATH"] = os.pathsep.join([str(fake_bin), *no_real_cli])
            return subprocess.run(
                [MAKE, "--no-print-directory", "-C", str(ROOT), *args],
                env=run_env,
                check=False,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
            )

        def calls(self) -> list[list[str]]:
            if not log.exists():
                return []
            return [json.loads(line) for line in log.read_text().splitlines()]

    return Cli()


def test_deploy_checks_the_cli_then_deploys_the_default_target(cli):
    result = cli.make("deploy")

    assert result.returncode == 0, result.stderr
    assert cli.calls() == [
        ["--version"],
        ["bundle", "deploy", "--target", "dev", "--profile", BAKED_PROFILE],
    ]
    assert "databricks bundle deploy --target dev" in result.stdout  # make prints what it runs


def test_run_on_prod_starts_the_pipeline_by_its_resource_key(cli):
    result = cli.make("run", "TARGET=prod", "PROFILE=prod")

    assert result.returncode == 0, result.stderr
    assert cli.calls() == [
        ["--version"],
        ["bundle", "run", "--target", "prod", "--profile", "prod", PIPELINE_KEY],
    ]


def test_logs_finds_the_pipeline_id_from_the_bundle_summary(cli):
    result = cli.make("logs", "SINCE=2026-01-01T00:00:00Z", "MAX_EVENTS=20")

    assert result.returncode == 0, result.stderr
    assert cli.calls() == [
        ["--version"],
        ["bundle", "summary", "--target", "dev", "--profile", BAKED_PROFILE, "-o", "json"],
        [
            "pipelines",
            "list-pipeline-events",
            "pipe-123",
            "--max-results",
            "20",
            "--filter",
            "timestamp >= '2026-01-01T00:00:00Z'",
            "--profile",
            BAKED_PROFILE,
            "-o",
            "json",
        ],
    ]
    lines = result.stdout.splitlines()
    running = next(i for i, line in enumerate(lines) if "Update 1a2b is RUNNING." in line)
    failed = next(i for i, line in enumerate(lines) if "[silver_orders]" in line)
    assert running < failed, "events print oldest first"
    assert "1 ERROR event(s)" in result.stdout


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


def test_full_refresh_on_prod_refuses_without_confirmation(cli):
    result = cli.make("full-refresh", "TARGET=prod", "PROFILE=prod")

    assert result.returncode != 0
    assert "Refusing to fully refresh every table" in result.stderr
    assert ["bundle", "run"] not in [call[:2] for call in cli.calls()]


def test_full_refresh_on_prod_with_confirm_yes_refreshes_all(cli):
    result = cli.make("full-refresh", "TARGET=prod", "PROFILE=prod", "CONFIRM=yes")

    assert result.returncode == 0, result.stderr
    assert cli.calls()[-1] == [
        "bundle",
        "run",
        "--target",
        "prod",
        "--profile",
        "prod",
        "--full-refresh-all",
        PIPELINE_KEY,
    ]


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


def test_empty_profile_without_environment_credentials_explains(cli):
    result = cli.make("deploy", "PROFILE=")

    assert result.returncode != 0
    assert "DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET" in result.stderr
    assert cli.calls() == [["--version"]]


def test_missing_cli_says_how_to_install_it(cli):
    result = cli.make("deploy", with_fake=False)

    assert result.returncode != 0
    assert "The Databricks CLI (`databricks`) is not on PATH" in result.stderr
    assert "brew install databricks" in result.stderr
    assert cli.calls() == []


def test_too_old_cli_is_rejected_with_the_minimum_version(cli):
    result = cli.make("deploy", FAKE_DATABRICKS_VERSION="0.205.0")

    assert result.returncode != 0
    assert "Databricks CLI 0.205.0 is too old for bundles" in result.stderr
    assert ">= 0.250.0" in result.stderr
    assert cli.calls() == [["--version"]]


def test_legacy_python_cli_is_named(cli):
    result = cli.make("deploy", FAKE_DATABRICKS_VERSION="0.18.0")

    assert result.returncode != 0
    assert "pip uninstall databricks-cli" in result.stderr


def test_unknown_profile_says_how_to_log_in(cli):
    result = cli.make("deploy", "PROFILE=nope")

    assert result.returncode != 0
    assert "The Databricks CLI profile 'nope' is not configured" in result.stderr
    assert "databricks auth login --host" in result.stderr
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
        (["destroy", "TARGET=prod"], "databricks bundle destroy --target prod"),
    ],
)
def test_dry_run_shows_the_cli_calls(cli, args, expected):
    result = cli.make("-n", *args)

    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert cli.calls() == [], "make -n runs nothing"
