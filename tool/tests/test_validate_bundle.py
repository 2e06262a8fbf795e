"""medallion.validate_bundle on small bundles in tmp_path: pure Python, no Spark, no network."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from medallion import validate_bundle

from . import baked, fake_databricks
from .run_cli import medallion

REPO = baked.PROJECT

DATABRICKS_YML = """\
bundle:
  name: tiny
include:
  - resources/*.yml
variables:
  catalog:
    default: main
targets:
  dev:
    mode: development
    default: true
"""
PIPELINE_YML = """\
resources:
  pipelines:
    tiny:
      name: tiny
      catalog: ${var.catalog}
      schema: ${resources.schemas.tiny.name}
      serverless: true
      root_path: ../src
      libraries:
        - glob:
            include: ../src/bronze/**
"""
SCHEMA_YML = """\
resources:
  schemas:
    tiny:
      catalog_name: ${var.catalog}
      name: tiny
      grants:
        - principal: readers
          privileges: [USE_SCHEMA, SELECT]
"""


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A minimal valid bundle: one pipeline reading src/bronze, one schema."""
    (tmp_path / "resources").mkdir()
    (tmp_path / "src/bronze").mkdir(parents=True)
    (tmp_path / "databricks.yml").write_text(DATABRICKS_YML)
    (tmp_path / "resources/pipeline.yml").write_text(PIPELINE_YML)
    (tmp_path / "resources/schema.yml").write_text(SCHEMA_YML)
    (tmp_path / "src/bronze/orders.py").write_text("ORDERS = 1\n")
    return tmp_path


def problems(root: Path) -> list[str]:
    return validate_bundle.validate(root, online="off", target="dev", profile=None).problems


def only_problem(root: Path) -> str:
    found = problems(root)
    assert len(found) == 1, found
    return found[0]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_valid_bundle_passes(bundle: Path) -> None:
    assert problems(bundle) == []


def test_this_projects_bundle_passes() -> None:
    assert problems(REPO) == []


# The typed models (databricks-bundles, a `local` dependency) name the field and its class.


def test_misspelled_field_names_the_resource_and_the_field(bundle: Path) -> None:
    edit(bundle / "resources/pipeline.yml", "serverless:", "serverles:")
    assert only_problem(bundle) == (
        "resources/pipeline.yml: resources.pipelines.tiny: "
        "Unexpected field 'serverles' for class Pipeline"
    )


def test_misspelled_nested_field_names_its_class(bundle: Path) -> None:
    edit(bundle / "resources/pipeline.yml", "include:", "includ:")
    assert only_problem(bundle) == (
        "resources/pipeline.yml: resources.pipelines.tiny: "
        "Unexpected field 'includ' for class PathPattern"
    )


def test_invalid_privilege_is_named(bundle: Path) -> None:
    edit(bundle / "resources/schema.yml", "SELECT]", "SELEKT]")
    assert only_problem(bundle) == (
        "resources/schema.yml: resources.schemas.tiny: 'SELEKT' is not a valid Privilege"
    )


def test_undefined_variable(bundle: Path) -> None:
    edit(bundle / "resources/pipeline.yml", "${var.catalog}", "${var.catalgo}")
    assert only_problem(bundle) == (
        "resources/pipeline.yml: resources.pipelines.tiny.catalog: "
        "${var.catalgo} is not defined under variables"
    )


def test_reference_to_missing_resource(bundle: Path) -> None:
    edit(bundle / "resources/pipeline.yml", "schemas.tiny.name", "schemas.other.name")
    assert only_problem(bundle) == (
        "resources/pipeline.yml: resources.pipelines.tiny.schema: "
        "${resources.schemas.other} is not a resource of this bundle"
    )


def test_glob_matching_nothing(bundle: Path) -> None:
    edit(bundle / "resources/pipeline.yml", "src/bronze/**", "src/silver/**")
    assert only_problem(bundle) == (
        "resources/pipeline.yml: resources.pipelines.tiny.libraries[0].glob.include: "
        "'../src/silver/**' matches no file"
    )


def test_non_source_file_under_a_glob(bundle: Path) -> None:
    (bundle / "src/bronze/README.md").write_text("notes\n")
    assert only_problem(bundle) == (
        "resources/pipeline.yml: resources.pipelines.tiny.libraries[0].glob.include: "
        "src/bronze/README.md is not a .py or .sql file, the only kinds allowed"
    )


def test_broken_yaml(bundle: Path) -> None:
    (bundle / "resources/schema.yml").write_text("resources:\n  schemas: [unclosed\n")
    problem = only_problem(bundle)
    assert problem.startswith("resources/schema.yml: line 3, column 1: YAML does not parse:")


def test_duplicate_key(bundle: Path) -> None:
    with (bundle / "databricks.yml").open("a") as handle:
        handle.write("bundle:\n  name: again\n")
    problem = only_problem(bundle)
    assert problem.startswith("databricks.yml: line 12, column 1: YAML does not parse:")
    assert "duplicate key 'bundle'" in problem


def test_unknown_top_level_key(bundle: Path) -> None:
    with (bundle / "databricks.yml").open("a") as handle:
        handle.write("resource:\n  jobs: {}\n")
    assert only_problem(bundle) == "databricks.yml: resource: unknown top-level key"


def test_cli_exits_1_and_prints_problems(bundle: Path, capsys: pytest.CaptureFixture) -> None:
    edit(bundle / "resources/pipeline.yml", "${var.catalog}", "${var.nope}")
    assert medallion("validate", "--offline", "--root", str(bundle)) == 1
    err = capsys.readouterr().err
    assert "resources/pipeline.yml: resources.pipelines.tiny.catalog:" in err
    assert "Bundle validation failed: 1 problem(s)." in err


def test_online_check_is_skipped_without_cli(
    bundle: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(bundle))  # no `databricks` executable there
    assert medallion("validate", "--root", str(bundle)) == 0
    out = capsys.readouterr().out
    assert "Online check skipped: the `databricks` CLI is not on PATH." in out
    assert "Bundle validation passed." in out


@pytest.fixture
def fake_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The strict fake `databricks` (fake_databricks.py) alone on PATH, logging each
    accepted call as a JSON line, and a config file with two profiles."""
    log = tmp_path / "calls.jsonl"
    fake = tmp_path / "bin" / "databricks"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{fake_databricks.__file__}" "$@"\n')
    fake.chmod(0o755)
    config = tmp_path / "databrickscfg"
    config.write_text("[DEFAULT]\nhost = https://example.cloud.databricks.com\n[team]\nhost = x\n")
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
    monkeypatch.setenv("FAKE_DATABRICKS_LOG", str(log))
    for name in ("HOST", "TOKEN", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.delenv(f"DATABRICKS_{name}", raising=False)
    return log


def calls(log: Path) -> list[list[str]]:
    """The argv of every call the fake accepted."""
    lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(line)["argv"] for line in lines]


def test_online_blockers_name_the_missing_piece(fake_cli: Path) -> None:
    assert validate_bundle.online_blocker("team") is None
    assert validate_bundle.online_blocker("DEFAULT") is None
    assert validate_bundle.online_blocker("ops").startswith(
        "The Databricks CLI profile 'ops' is not configured in"
    )
    assert validate_bundle.online_blocker("").startswith("PROFILE is empty")


def test_empty_profile_means_environment_credentials(
    bundle: Path, fake_cli: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABRICKS_CLIENT_ID", "sp")
    monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "secret")

    assert (
        medallion("validate", "--root", str(bundle), "--profile", "", "--online", "required") == 0
    )
    assert calls(fake_cli)[-1] == ["bundle", "validate", "--strict", "--target", "dev"]


def test_required_online_check_fails_without_credentials(
    bundle: Path, fake_cli: Path, capsys: pytest.CaptureFixture
) -> None:
    assert (
        medallion("validate", "--root", str(bundle), "--profile", "", "--online", "required") == 1
    )
    assert "online check required but PROFILE is empty" in capsys.readouterr().err
    assert not [argv for argv in calls(fake_cli) if "validate" in argv]


def test_offline_never_calls_the_cli(bundle: Path, fake_cli: Path) -> None:
    assert medallion("validate", "--root", str(bundle), "--offline") == 0
    assert calls(fake_cli) == []


def test_a_partial_target_override_is_checked_by_the_model(bundle: Path) -> None:
    override = """\
  prod:
    mode: production
    resources:
      schemas:
        tiny:
          grants:
            - principal: readers
              privileges: [READ]
"""
    with (bundle / "databricks.yml").open("a") as handle:
        handle.write(override)
    assert only_problem(bundle) == (
        "databricks.yml: targets.prod.resources.schemas.tiny: 'READ' is not a valid Privilege"
    )
