"""bake.answers: every answer is checked; each problem names the field and the bad value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bake import answers

TEMPLATE = Path(__file__).resolve().parents[1]


def default_answers() -> dict[str, str]:
    """The answers cookiecutter derives from cookiecutter.json's defaults."""
    return {
        "project_name": "Retail Lakehouse",
        "__project_slug": "retail-lakehouse",
        "__pipeline_name": "retail_lakehouse_pipeline",
        "workspace_host": "https://my-workspace.cloud.databricks.com",
        "__prod_workspace_host": "https://my-workspace.cloud.databricks.com",
        "databricks_profile": "DEFAULT",
        "__prod_service_principal": "",
        "catalog": "main",
        "schema": "retail_lakehouse",
        "table_names": "customers, products, orders",
        "source_format": "json",
        "__landing_path": "/Volumes/main/retail_lakehouse/landing",
        "pipeline_mode": "triggered",
        "compute": "serverless",
        "__notification_email": "",
        "engineers_group": "data-engineers",
        "analysts_group": "data-analysts",
        "__warehouse_id": "",
    }


def test_defaults_are_valid():
    assert answers.validate(default_answers()) == []


def test_choices_match_cookiecutter_json():
    prompts = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    for field, choices in answers.CHOICES.items():
        # a text answer defaulting to the first choice, the choices named in its prompt (a
        # cookiecutter list choice refuses another spelling with a traceback, before any check)
        assert prompts[field] == choices[0]
        assert all(choice in prompts["__prompts__"][field] for choice in choices)
    # every checked field is a prompt (keeps the two lists in step)
    assert set(answers.CHECKS) <= set(prompts)


GOOD = [
    ("__project_slug", "sales-2024"),
    ("project_name", "Sales 2024 - EU_west"),
    ("__pipeline_name", "_sales"),
    ("workspace_host", "https://adb-1234567890123456.7.azuredatabricks.net/"),
    ("workspace_host", "https://dbc-a1b2c3d4-e5f6.cloud.databricks.com"),
    ("__prod_workspace_host", "https://dbc-prod-1234.cloud.databricks.com"),
    ("databricks_profile", "prod.eu-west_1"),
    ("__prod_service_principal", "6f1c0b3e-9d4a-4e8b-a2f7-0c5d3e1b9a84"),
    ("__prod_service_principal", "6F1C0B3E-9D4A-4E8B-A2F7-0C5D3E1B9A84"),
    ("catalog", "Sales_2024"),
    ("__landing_path", "/Volumes/main/raw/files/retail/2024"),
    ("__landing_path", "/Volumes/main/raw/land-ing"),  # another schema's volume: not ours to name
    ("__landing_path", "/Volumes/MAIN/Retail_Lakehouse/landing/incoming"),
    ("__landing_path", "s3://my-bucket/retail/landing"),
    ("__landing_path", "abfss://landing@account.dfs.core.windows.net/retail"),
    ("__landing_path", "gs://bucket"),
    ("__notification_email", "data-oncall+pipeline@example.co.uk"),
    ("engineers_group", "Data Engineers (EU)"),
    ("__warehouse_id", "1234567890abcdef"),
]


@pytest.mark.parametrize(("field", "value"), GOOD)
def test_valid_answers(field, value):
    assert answers.validate({**default_answers(), field: value}) == []


BAD = [
    ("project_name", "Retail\nLakehouse"),
    ("project_name", "{{ 7 * 7 }}"),
    ("__project_slug", "Retail Lakehouse"),
    ("__project_slug", "retail_lakehouse"),
    ("__project_slug", "-retail"),
    ("__project_slug", "retail-"),
    ("project_name", "Bob's Shop"),
    ("project_name", "2024 Sales"),
    ("__project_slug", "1retail"),
    ("__pipeline_name", "my-pipeline"),
    ("__pipeline_name", "select"),
    ("workspace_host", "http://my-workspace.cloud.databricks.com"),
    ("workspace_host", "https://my-workspace.cloud.databricks.com/login"),
    ("workspace_host", "https://user:secret@my-workspace.cloud.databricks.com"),
    ("workspace_host", "https://my-workspace.cloud.databricks.com?o=123"),
    ("workspace_host", "https://host.com\nfoo: bar"),
    ("workspace_host", "https://${var.host}"),
    ("workspace_host", "my-workspace.cloud.databricks.com"),
    ("__prod_workspace_host", "http://prod.cloud.databricks.com"),
    ("__prod_workspace_host", ""),
    ("__prod_service_principal", "etl-prod"),  # a display name, not the application id
    ("__prod_service_principal", "6f1c0b3e-9d4a-4e8b-a2f7-0c5d3e1b9a8"),
    ("__prod_service_principal", "{6f1c0b3e-9d4a-4e8b-a2f7-0c5d3e1b9a84}"),
    ("databricks_profile", "my profile"),
    ("databricks_profile", ""),
    ("catalog", "main-prod"),
    ("catalog", "1main"),
    ("catalog", "system"),
    ("catalog", "x" * 256),
    ("catalog", "table"),
    ("catalog", "main`; DROP CATALOG main; --"),
    ("schema", "information_schema"),
    ("schema", "sales.data"),
    ("schema", ""),
    ("__landing_path", "/tmp/landing"),
    ("__landing_path", "/Volumes/main/retail"),
    ("__landing_path", "/Volumes/main/retail/../../etc"),
    ("__landing_path", "/Volumes/main/retail/land ing"),
    # the pipeline's own schema: the bundle creates this volume, so it needs a valid name
    ("__landing_path", "/Volumes/main/retail_lakehouse/land-ing"),
    ("__landing_path", "/Volumes/main/RETAIL_LAKEHOUSE/select"),
    ("__landing_path", "s3://bucket/it's"),
    ("__landing_path", "s3://bucket/${var.x}"),
    ("__landing_path", "hdfs://nn/landing"),
    ("__notification_email", "not-an-email"),
    ("__notification_email", "a@b"),
    ("__notification_email", "a@example.com, b@example.com"),
    ("__notification_email", "a@example.com\nbcc: x@example.com"),
    ("engineers_group", ""),
    ("engineers_group", "eng`ineers"),
    ("engineers_group", "eng'ineers"),
    ("engineers_group", 'eng"ineers'),
    ("engineers_group", "engineers\n"),
    ("engineers_group", "{% raw %}"),
    ("analysts_group", "data-engineers"),  # same as the engineers: analysts would get build rights
    ("__warehouse_id", "abc-123"),
    ("__warehouse_id", "${var.warehouse}"),
    ("source_format", "avro"),
    ("compute", "gpu"),
    ("pipeline_mode", "sometimes"),
]


@pytest.mark.parametrize(("field", "value"), BAD)
def test_invalid_answers_name_the_field_and_value(field, value):
    errors = answers.validate({**default_answers(), field: value})
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{field}: {value!r} -- ")
    assert "\n" not in errors[0]  # one line each, the bad value shown escaped


@pytest.mark.parametrize(
    ("landing_path", "volume"),
    [
        ("/Volumes/main/retail_lakehouse/landing", "landing"),
        ("/Volumes/main/retail_lakehouse/landing/", "landing"),
        ("/Volumes/Main/RETAIL_LAKEHOUSE/files/in/2024", "files"),
        ("/Volumes/main/raw/landing", None),
        ("/Volumes/other/retail_lakehouse/landing", None),
        ("s3://bucket/main/retail_lakehouse/landing", None),
    ],
)
def test_own_landing_volume(landing_path, volume):
    assert answers.own_landing_volume(landing_path, "main", "retail_lakehouse") == volume


def test_a_bad_host_that_fills_both_targets_is_reported_once():
    bad = "http://my-workspace.cloud.databricks.com"
    errors = answers.validate(
        {**default_answers(), "workspace_host": bad, "__prod_workspace_host": bad}
    )
    assert [error.split(":")[0] for error in errors] == ["workspace_host"]


def test_every_problem_is_reported_at_once():
    bad = {**default_answers(), "catalog": "a-b", "schema": "c d", "__notification_email": "x"}
    fields = [error.split(":")[0] for error in answers.validate(bad)]
    assert fields == ["catalog", "schema", "__notification_email"]


def test_non_text_answer():
    errors = answers.validate({**default_answers(), "catalog": 42})
    assert errors == ["catalog: 42 -- expected text"]


@pytest.mark.parametrize("word", ["select", "SELECT", "Order", "null", "user"])
def test_reserved_words_refused_case_insensitively(word):
    assert "reserved SQL word" in answers.identifier_problem(word)


@pytest.mark.parametrize("name", ["customers", "_staging", "a1", "Order_Lines", "x" * 255])
def test_identifiers_accepted(name):
    assert answers.identifier_problem(name) is None


@pytest.mark.parametrize("source_format", ["parquet", "delta"])
def test_parquet_sample_data_needs_pyarrow_where_cookiecutter_runs(monkeypatch, source_format):
    context = {**default_answers(), "source_format": source_format}
    assert answers.validate(context) == []  # this environment has pyarrow
    real_find_spec = answers.importlib.util.find_spec
    monkeypatch.setattr(
        answers.importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pyarrow" else real_find_spec(name, *args),
    )
    [error] = answers.validate(context)
    assert error.startswith(f"source_format: {source_format!r} -- ")
    assert "pip install pyarrow" in error
    assert answers.validate({**context, "source_format": "csv"}) == []
