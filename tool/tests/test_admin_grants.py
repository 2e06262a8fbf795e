"""medallion.admin_grants: target variables, statement splitting, and the real Databricks SDK
against the local warehouse server of fake_warehouse.py (the `workspace` fixture)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from medallion import admin_grants as grants

from . import baked
from .fake_warehouse import TOKEN
from .run_cli import medallion

pytest.importorskip("databricks.sdk", reason="databricks-sdk is in the local dependency group")


SQL = """
-- set-up: ${var.catalog} in a comment is left alone
CREATE SCHEMA IF NOT EXISTS ${var.catalog}.`sales`;
GRANT USE SCHEMA ON SCHEMA ${var.catalog}.`sales` TO ${var.engineers_group};
GRANT SELECT ON TABLE ${var.catalog}.`sales`.`dim_customers` TO `ghost`;
GRANT USE CATALOG ON CATALOG ${var.catalog} TO ${var.analysts_group};
"""
BUNDLE = """
variables:
  catalog: {default: main}
  engineers_group: {default: data-engineers}
  analysts_group: {default: data-analysts}
  warehouse_id: {default: ""}
  landing_path: {default: /Volumes/raw/files/landing/sub}
  notification_emails: {type: complex, default: []}
targets:
  dev: {default: true}
  prod:
    variables:
      catalog: prod_catalog
      warehouse_id: wh-prod
"""


@pytest.fixture
def sql_file(tmp_path, monkeypatch):
    path = tmp_path / "admin_grants.sql"
    path.write_text(SQL)
    bundle = tmp_path / "databricks.yml"
    bundle.write_text(BUNDLE)
    monkeypatch.setenv("MEDALLION_PROJECT", str(tmp_path))  # its databricks.yml
    for name in ("catalog", "warehouse_id", "analysts_group"):
        monkeypatch.delenv(f"BUNDLE_VAR_{name}", raising=False)
    return path


def run_grants(*args: str) -> int:
    return medallion("admin-grants", "--profile", "local", *args)


def test_statements_arrive_in_order_with_the_warehouse_id(workspace, sql_file, capsys):
    warehouse = workspace({"dim_customers": "pending"})

    code = run_grants("--warehouse-id", "wh-1", "--file", str(sql_file))

    assert code == 0, capsys.readouterr().err
    assert [r["statement"] for r in warehouse.received] == [
        "CREATE SCHEMA IF NOT EXISTS `main`.`sales`",
        "GRANT USE SCHEMA ON SCHEMA `main`.`sales` TO `data-engineers`",
        "GRANT SELECT ON TABLE `main`.`sales`.`dim_customers` TO `ghost`",
        "GRANT USE CATALOG ON CATALOG `main` TO `data-analysts`",
    ]
    assert {r["warehouse_id"] for r in warehouse.received} == {"wh-1"}
    assert {r["wait_timeout"] for r in warehouse.received} == {"30s"}
    assert len(warehouse.polls) == 1, "only the PENDING statement is polled, until SUCCEEDED"
    assert "All 4 statements succeeded on warehouse wh-1." in capsys.readouterr().out


def test_a_target_uses_its_own_variables_and_warehouse(workspace, sql_file, monkeypatch, capsys):
    """A per-target override of the catalog or the warehouse must take effect (it did not when
    the SQL named the bake-time catalog and make passed the bake-time warehouse)."""
    warehouse = workspace()
    monkeypatch.setenv("BUNDLE_VAR_analysts_group", "bi users")  # the CLI's own override

    assert run_grants("--target", "prod", "--file", str(sql_file)) == 0, capsys.readouterr().err

    first = warehouse.received[0]["statement"]
    assert first == "CREATE SCHEMA IF NOT EXISTS `prod_catalog`.`sales`"
    assert warehouse.received[-1]["statement"] == (
        "GRANT USE CATALOG ON CATALOG `prod_catalog` TO `bi users`"
    )
    assert {r["warehouse_id"] for r in warehouse.received} == {"wh-prod"}


def test_names_are_quoted_and_landing_parts_come_from_the_landing_path():
    variables = {"catalog": "we`ird", "landing_path": "/Volumes/raw/files/landing/sub"}
    assert grants.fill("ON CATALOG ${var.catalog}", variables) == "ON CATALOG `we``ird`"
    assert grants.fill("${landing_volume} ${landing_schema} ${landing_catalog}", variables) == (
        "`raw`.`files`.`landing` `raw`.`files` `raw`"
    )
    for bad, message in [
        ("${var.nope}", "no such bundle variable"),
        ("${other}", "unknown placeholder"),
    ]:
        with pytest.raises(grants.GrantsError, match=message):
            grants.fill(bad, variables)
    with pytest.raises(grants.GrantsError, match="not a volume path"):
        grants.fill("${landing_volume}", {"landing_path": "s3://bucket/landing"})
    with pytest.raises(grants.GrantsError, match="control character"):
        grants.fill("${var.catalog}", {"catalog": "a\nb"})


def test_an_unknown_target_is_named(sql_file, capsys):
    assert run_grants("--target", "qa", "--dry-run", "--file", str(sql_file)) == 1
    assert "no target 'qa' in databricks.yml: use one of dev, prod" in capsys.readouterr().err


def test_stops_at_the_first_failure_with_statement_and_server_message(workspace, sql_file, capsys):
    warehouse = workspace({"`ghost`": "fail"})

    code = run_grants("--warehouse-id", "wh-1", "--file", str(sql_file))

    err = capsys.readouterr().err
    assert code == 1
    assert len(warehouse.received) == 3, "the statement after the failing one is not sent"
    assert "Statement 3 of 4 failed" in err
    assert "GRANT SELECT ON TABLE `main`.`sales`.`dim_customers` TO `ghost`" in err
    assert "[PRINCIPAL_DOES_NOT_EXIST] Could not find principal with name x." in err
    assert "FAILED (BAD_REQUEST)" in err


def test_warehouse_id_from_the_environment(workspace, sql_file, monkeypatch):
    warehouse = workspace()
    monkeypatch.setenv("WAREHOUSE_ID", "wh-env")

    assert run_grants("--target", "prod", "--file", str(sql_file)) == 0
    assert {r["warehouse_id"] for r in warehouse.received} == {"wh-env"}


def test_dry_run_prints_the_sql_and_sends_nothing(workspace, sql_file, capsys):
    warehouse = workspace()

    assert run_grants("--dry-run", "--file", str(sql_file)) == 0

    out = capsys.readouterr().out
    assert warehouse.received == []
    assert "GRANT USE SCHEMA ON SCHEMA `main`.`sales` TO `data-engineers`;" in out
    assert "Dry run for target dev: 4 statements, nothing was sent." in out


def test_missing_warehouse_id_is_explained(workspace, sql_file, capsys):
    warehouse = workspace()

    assert run_grants("--file", str(sql_file)) == 1
    assert "make admin-grants WAREHOUSE_ID=<id>" in capsys.readouterr().err
    assert warehouse.received == []


def post(url: str, body: dict, token: str | None = TOKEN) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


GOOD_REQUEST = {"statement": "SELECT 1", "warehouse_id": "wh-1", "wait_timeout": "30s"}


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({}, 200, None),
        ({"warehouse_id": ""}, 400, "INVALID_PARAMETER_VALUE"),
        ({"warehouse_id": None}, 400, "INVALID_PARAMETER_VALUE"),
        ({"statement": " "}, 400, "INVALID_PARAMETER_VALUE"),
        ({"wait_timeout": "30"}, 400, "INVALID_PARAMETER_VALUE"),
        ({"wait_timeout": "4s"}, 400, "INVALID_PARAMETER_VALUE"),
        ({"wait_timeout": "51s"}, 400, "INVALID_PARAMETER_VALUE"),
        ({"on_wait_timeout": "WAIT"}, 400, "INVALID_PARAMETER_VALUE"),
        ({"format": "CSV"}, 400, "INVALID_PARAMETER_VALUE"),  # CSV needs EXTERNAL_LINKS
    ],
)
def test_the_fake_server_refuses_what_the_api_refuses(workspace, change, status, code):
    warehouse = workspace()
    body = {key: value for key, value in {**GOOD_REQUEST, **change}.items() if value is not None}

    got_status, payload = post(f"{warehouse.url}/api/2.0/sql/statements", body)

    assert got_status == status, payload
    assert payload.get("error_code") == code


def test_the_fake_server_wants_credentials_and_known_statements(workspace):
    warehouse = workspace()
    url = f"{warehouse.url}/api/2.0/sql/statements"

    assert post(url, GOOD_REQUEST, token=None)[0] == 401
    assert post(url, GOOD_REQUEST, token="wrong")[0] == 401
    assert post(f"{url}/no-such-statement/cancel", {})[0] == 404


def test_an_http_error_from_the_api_stops_with_its_message(workspace, sql_file, capsys):
    warehouse = workspace()

    code = run_grants("--warehouse-id", " ", "--file", str(sql_file))

    err = capsys.readouterr().err
    assert code == 1
    assert warehouse.received == []
    assert "Statement 1 of 4 failed" in err
    assert "warehouse_id is required" in err


def test_split_respects_quotes_backticks_and_comments():
    sql = (
        "-- a comment; not a statement\n"
        "COMMENT ON SCHEMA `a;b`.`c``d` IS 'it''s; fine';\n"
        "/* block; comment */ SELECT \"x;y\", 'back\\'slash;' ;;\n"
        "SELECT 1 -- trailing; comment\n"
    )

    assert grants.split_statements(sql) == [
        "COMMENT ON SCHEMA `a;b`.`c``d` IS 'it''s; fine'",
        "SELECT \"x;y\", 'back\\'slash;'",
        "SELECT 1",
    ]


def test_split_rejects_an_unterminated_quote():
    with pytest.raises(grants.GrantsError, match="Unterminated"):
        grants.split_statements("GRANT SELECT ON TABLE `oops TO x;")


def test_the_projects_admin_grants_fill_in_for_every_target(monkeypatch):
    """The real sql/admin_grants.sql with the real databricks.yml: every placeholder resolves on
    every target, and what is left is catalog-level (the bundle grants the rest)."""
    import yaml

    monkeypatch.setenv("MEDALLION_PROJECT", str(baked.PROJECT))
    targets = yaml.safe_load((baked.PROJECT / "databricks.yml").read_text())["targets"]
    for target in targets:
        variables = grants.bundle_variables(target)
        text = (baked.PROJECT / grants.GRANTS_SQL).read_text()
        statements = [grants.fill(s, variables) for s in grants.split_statements(text)]
        assert statements, "sql/admin_grants.sql has statements"
        assert not [s for s in statements if s.startswith("--") or s.endswith(";")]
        assert not [s for s in statements if "${" in s]
        securables = {re.search(r" ON (\w+) ", s).group(1) for s in statements}
        # Catalog rights, and the rights on a landing volume of another schema: no table.
        assert securables <= {"CATALOG", "SCHEMA", "VOLUME"}
