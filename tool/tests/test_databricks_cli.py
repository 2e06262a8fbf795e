"""medallion.databricks_cli: reading each target's host without PyYAML, and the host pre-flight."""

from __future__ import annotations

import pytest
import yaml

from medallion import databricks_cli

from . import baked

ROOT = baked.PROJECT
BUNDLE = ROOT / "databricks.yml"


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_the_stdlib_reader_agrees_with_pyyaml_on_this_project(target):
    expected = yaml.safe_load(BUNDLE.read_text())["targets"][target]["workspace"]["host"]

    assert databricks_cli.bundle_host(BUNDLE.read_text(), target) == expected


def test_the_reader_handles_quotes_comments_block_scalars_and_a_top_level_host():
    text = """\
variables:
  note:
    description: >-
      host: not-this-one
workspace:
  host: https://shared.example.com  # every target
targets:
  dev:
    workspace:
      host: 'https://dev.example.com'
  prod:
    mode: production
  "qa":
    workspace: {}
"""
    assert databricks_cli.bundle_host(text, "dev") == "https://dev.example.com"
    assert databricks_cli.bundle_host(text, "prod") == "https://shared.example.com"
    assert databricks_cli.bundle_host(text, "qa") == "https://shared.example.com"
    assert databricks_cli.bundle_host("targets:\n  dev:\n    mode: development\n", "dev") is None


@pytest.mark.parametrize(
    "spelling",
    [
        "https://adb-1.2.azuredatabricks.net",
        "https://ADB-1.2.azuredatabricks.net/",
        "adb-1.2.azuredatabricks.net",
        " https://adb-1.2.azuredatabricks.net// ",
    ],
)
def test_host_spellings_that_mean_the_same_workspace(spelling):
    assert databricks_cli.normalize_host(spelling) == "https://adb-1.2.azuredatabricks.net"


def test_a_different_databricks_host_names_both_hosts(tmp_path, monkeypatch):
    bundle = tmp_path / "databricks.yml"
    bundle.write_text("targets:\n  prod:\n    workspace:\n      host: https://prod.example.com\n")
    monkeypatch.setenv("DATABRICKS_HOST", "https://dev.example.com")

    with pytest.raises(databricks_cli.PreflightError) as error:
        databricks_cli.check_host("prod", bundle)

    message = str(error.value)
    assert message.startswith("DATABRICKS_HOST is https://dev.example.com, but target 'prod'")
    assert "deploys to https://prod.example.com (targets.prod.workspace.host" in message


def test_no_databricks_host_or_the_same_one_passes(tmp_path, monkeypatch):
    bundle = tmp_path / "databricks.yml"
    bundle.write_text("targets:\n  prod:\n    workspace:\n      host: https://prod.example.com\n")
    monkeypatch.delenv("DATABRICKS_HOST", raising=False)
    assert databricks_cli.check_host("prod", bundle) == "https://prod.example.com"
    monkeypatch.setenv("DATABRICKS_HOST", "PROD.example.com/")
    assert databricks_cli.check_host("prod", bundle) == "https://prod.example.com"
