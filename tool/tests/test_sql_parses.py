"""Every .sql file under sql/, and every dashboard and alert query of resources/, parses with
sqlglot's Databricks dialect (the generated project runs the same queries on Spark SQL).

sqlglot does not model a few Unity Catalog statements (GRANT ... ON CATALOG/VOLUME, CREATE
CATALOG/VOLUME) and falls back to an opaque `Command`; those must match a strict pattern instead.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlglot
import yaml
from sqlglot import exp

from medallion import metric_views, project
from medallion.admin_grants import bundle_variables, fill, split_statements

from . import baked

ROOT = baked.PROJECT
TABLES = baked.project_module(f"{project.package_name(ROOT)}.tables")
METRIC_VIEWS = ROOT / "sql" / "metric_views.sql"  # YAML inside: checked by its own test below
SQL_FILES = sorted(path for path in (ROOT / "sql").rglob("*.sql") if path != METRIC_VIEWS)

IDENT = r"(?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_]*)"
NAME = rf"{IDENT}(?:\.{IDENT})?(?:\.{IDENT})?"
PRIVILEGE = (
    r"(?:USE CATALOG|USE SCHEMA|CREATE SCHEMA|CREATE TABLE|CREATE VOLUME|CREATE MATERIALIZED VIEW"
    r"|CREATE FUNCTION|SELECT|MODIFY|READ VOLUME|WRITE VOLUME|EXECUTE|BROWSE)"
)
SECURABLE = r"(?:CATALOG|SCHEMA|TABLE|VOLUME|VIEW|MATERIALIZED VIEW)"
COMMAND_FORMS = [
    re.compile(rf"CREATE (?:CATALOG|SCHEMA|VOLUME) IF NOT EXISTS {NAME}(?: COMMENT '[^']*')?"),
    re.compile(rf"GRANT {PRIVILEGE}(?:, {PRIVILEGE})* ON {SECURABLE} {NAME} TO {IDENT}"),
]


def test_there_is_sql_to_check():
    names = {path.relative_to(ROOT).as_posix() for path in SQL_FILES}
    assert "sql/admin_grants.sql" in names
    assert len(MONITORING_QUERIES) >= 4 + 6 + 2  # alerts, pipeline health, gold quality


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_sql_file_parses_with_the_databricks_dialect(path):
    # `${var.*}`: the prod target's bundle variables, as `make admin-grants` fills them in.
    text = fill(path.read_text(encoding="utf-8"), bundle_variables("prod"))

    parsed = [s for s in sqlglot.parse(text, read="databricks") if s is not None]

    assert parsed, f"{path.name} has no statement"
    assert len(parsed) == len(split_statements(text)), "admin_grants splits like sqlglot"
    for statement in parsed:
        if isinstance(statement, exp.Command):
            sql = " ".join(statement.sql(dialect="databricks", comments=False).split())
            assert any(form.fullmatch(sql) for form in COMMAND_FORMS), f"unrecognised: {sql}"


# What the bundle substitutes in the alerts' queries (the values only need to parse).
ALERT_REFERENCES = {
    "${var.catalog}": "main",
    "${resources.schemas.medallion.name}": "retail",
    "${resources.schemas.gold.name}": "retail_gold",
    "${var.quarantine_percent_limit}": "5",
    "${var.freshness_limit_hours}": "26",
}


def monitoring_queries() -> dict[str, str]:
    """Where -> SQL of every dashboard dataset and alert."""
    queries = {}
    for path in sorted((ROOT / "resources").glob("*.lvdash.json")):
        for dataset in json.loads(path.read_text(encoding="utf-8"))["datasets"]:
            queries[f"{path.name}:{dataset['name']}"] = "".join(dataset["queryLines"])
    monitoring = ROOT / "resources" / "monitoring.yml"
    alerts = yaml.safe_load(monitoring.read_text(encoding="utf-8"))["resources"]["alerts"]
    for name, alert in alerts.items():
        sql = alert["query_text"]
        for reference, value in ALERT_REFERENCES.items():
            sql = sql.replace(reference, value)
        assert "${" not in sql, f"alert {name}: a reference this test does not know"
        queries[f"alert:{name}"] = sql
    return queries


MONITORING_QUERIES = monitoring_queries()


@pytest.mark.parametrize("where", sorted(MONITORING_QUERIES))
def test_monitoring_query_is_one_databricks_select(where):
    parsed = [s for s in sqlglot.parse(MONITORING_QUERIES[where], read="databricks") if s]

    assert len(parsed) == 1 and isinstance(parsed[0], exp.Query), where


def test_each_fact_has_a_metric_view_whose_compiled_query_parses():
    facts = [spec.name for spec in TABLES.ALL_TABLES if spec.role == "fact"]
    if not facts:  # nothing to measure: no view, and no job to publish one
        assert not METRIC_VIEWS.exists()
        assert not (ROOT / "resources" / "metric_views.yml").exists()
        return
    views = metric_views.read(METRIC_VIEWS)
    assert sorted(views) == sorted(f"{fact}_metrics" for fact in facts)
    text = METRIC_VIEWS.read_text(encoding="utf-8")
    assert text.count("CREATE OR REPLACE VIEW") == len(facts)  # none missed by the reader
    for view in views.values():
        definition = view.definition
        assert definition["version"] == "1.1"
        dimensions = [item["name"] for item in definition["dimensions"]]
        measures = [item["name"] for item in definition["measures"]]
        sql = metric_views.compile_query(view, dimensions, measures)
        [parsed] = sqlglot.parse(sql, read="databricks")
        assert isinstance(parsed, exp.Select)


def test_a_broken_statement_is_caught():
    with pytest.raises(sqlglot.errors.ParseError):
        sqlglot.parse("GRANT SELECT ON SCHEMA `a`.`b` TO;", read="databricks")
    broken = "GRANT USE CATALOG ON CATALOG `main` TO `x`, `y`"
    assert not any(form.fullmatch(broken) for form in COMMAND_FORMS)
