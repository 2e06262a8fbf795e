"""The dashboards' and alerts' queries, run on Spark SQL against what the end-to-end runs did.

`make deploy` ships two dashboards (resources/*.lvdash.json) and four alerts
(resources/monitoring.yml) that read the pipeline's event log and tables. Here the very same SQL
runs over the local event log of the two runs in conftest.py (`medallion run-local` writes it in
the columns of Databricks' event log) and over the tables they wrote, each under its Databricks
name. The numbers must be what the oracle says the runs did: rows landed and quarantined per
rule and update, warn rules, inferred and unknown members. A query or a widget field that names
a column the event log or a table does not have fails here, as it would on the dashboard.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from medallion import event_log, project
from pyspark.errors import AnalysisException

from {{ cookiecutter.__package_name }} import tables as TABLES

from .oracle import SPECS
from .runs import table_names

pytestmark = pytest.mark.e2e

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
EVENT_LOG = f"{project.pipeline_name()}_event_log"
AGGREGATE = re.compile(r"^(SUM|COUNT|COUNT_IF|AVG|MIN|MAX)\(", re.IGNORECASE)
# The bundle resolves these per target; locally every table is a view in the session's schema.
QUALIFIERS = (
    "${var.catalog}.${resources.schemas.medallion.name}.",
    "${var.catalog}.${resources.schemas.gold.name}.",
)


def dashboard(name: str) -> dict[str, Any]:
    return json.loads((RESOURCES / f"{name}.lvdash.json").read_text(encoding="utf-8"))


def datasets(name: str) -> dict[str, str]:
    return {d["name"]: "".join(d["queryLines"]) for d in dashboard(name)["datasets"]}


def alert_sql(name: str, **limits: float) -> str:
    """The alert's query as the bundle deploys it, with the given variables."""
    alerts = yaml.safe_load((RESOURCES / "monitoring.yml").read_text())["resources"]["alerts"]
    sql = alerts[name]["query_text"]
    for qualifier in QUALIFIERS:
        sql = sql.replace(qualifier, "")
    for variable, value in limits.items():
        sql = sql.replace("${var." + variable + "}", str(value))
    assert "${" not in sql, f"alert {name}: unresolved bundle reference in {sql}"
    return sql


@pytest.fixture(scope="module")
def sql(spark, runs: dict[str, Any]):
    """Run SQL over the tables and the event log of the first two updates (the runs of
    conftest.py; later tests may add more)."""
    state: Path = runs["state"]
    for name in table_names():
        spark.read.parquet(str(state / "warehouse" / name)).createOrReplaceTempView(name)
    updates = sorted((state / event_log.FOLDER).glob("update-*.parquet"))[:2]
    spark.read.parquet(*map(str, updates)).createOrReplaceTempView(EVENT_LOG)

    def run(query: str) -> list[dict[str, Any]]:
        return [row.asDict() for row in spark.sql(query).collect()]

    return run


@pytest.fixture(scope="module")
def update_ids(sql) -> list[str]:
    rows = sql(datasets("pipeline_health")["updates"])
    assert [row["state"] for row in rows] == ["COMPLETED", "COMPLETED"]
    return [row["update_id"] for row in sorted(rows, key=lambda row: row["started_at"])]


def per_update(runs: dict[str, Any], name: str) -> list[Any]:
    """The oracle's figures for the first run and for what the second one added."""
    first, total = runs["first"][name]["expected"], runs["expected"][name]
    return [first, total]


@pytest.mark.parametrize("name", ["pipeline_health", "gold_quality"])
def test_every_dataset_and_widget_field_runs(sql, name: str) -> None:
    queries = datasets(name)
    for page in dashboard(name)["pages"]:
        for item in page["layout"]:
            for query in item["widget"]["queries"]:
                fields = query["query"]["fields"]
                groups = [f["expression"] for f in fields if not AGGREGATE.match(f["expression"])]
                selected = ", ".join(f"{f['expression']} AS `{f['name']}`" for f in fields)
                aggregated = groups and len(groups) < len(fields)
                grouped = f" GROUP BY {', '.join(groups)}" if aggregated else ""
                dataset = queries[query["query"]["datasetName"]]
                sql(f"SELECT {selected} FROM ({dataset}){grouped}")


def test_a_query_naming_a_missing_column_fails(sql) -> None:
    query = datasets("pipeline_health")["rows_per_flow"]
    assert "origin.flow_name" in query
    with pytest.raises(AnalysisException, match="flow_title"):
        sql(query.replace("origin.flow_name", "origin.flow_title"))


@pytest.mark.parametrize("name", [spec.name for spec in TABLES.ALL_TABLES])
def test_rows_per_flow_are_the_rows_each_update_landed_and_quarantined(
    sql, update_ids: list[str], runs: dict[str, Any], name: str
) -> None:
    first, total = per_update(runs, name)
    rows = {
        (row["update_id"], row["flow_name"]): row["rows_written"]
        for row in sql(datasets("pipeline_health")["rows_per_flow"])
    }
    one, two = update_ids
    assert rows[one, f"bronze_{name}"] == first.bronze
    assert rows[two, f"bronze_{name}"] == total.bronze - first.bronze
    assert rows[one, f"silver_{name}_quarantine"] == first.quarantined_rows
    assert rows[two, f"silver_{name}_quarantine"] == total.quarantined_rows - first.quarantined_rows
    assert rows[two, f"silver_{name}"] == total.silver  # a recomputed table: all its rows
    prefix = "dim" if SPECS[name].role == "dimension" else "fact"
    assert rows[two, f"{prefix}_{name}"] == total.gold


@pytest.mark.parametrize("name", [spec.name for spec in TABLES.ALL_TABLES])
def test_expectations_count_each_rule_per_update(
    sql, update_ids: list[str], runs: dict[str, Any], name: str
) -> None:
    first, total = per_update(runs, name)
    results: dict[str, Counter[str]] = {update: Counter() for update in update_ids}
    checked: dict[str, Counter[str]] = {update: Counter() for update in update_ids}
    for row in sql(datasets("pipeline_health")["expectations"]):
        if row["dataset"] == f"silver_{name}":
            results[row["update_id"]][row["rule"]] = row["failed_records"]
            checked[row["update_id"]][row["rule"]] = row["passed_records"] + row["failed_records"]
    one, two = update_ids
    warn = {rule.name for rule in SPECS[name].rules_with("warn")}
    dropped = {rule: n for rule, n in results[one].items() if rule not in warn}
    assert +Counter(dropped) == first.quarantined
    assert {rule: results[one][rule] for rule in warn} == {r: first.warned[r] for r in warn}
    added = Counter({rule: n for rule, n in results[two].items() if rule not in warn})
    assert +added == total.quarantined - first.quarantined
    assert {rule: results[two][rule] for rule in warn} == {r: total.warned[r] for r in warn}
    assert all(n == first.bronze for rule, n in checked[one].items() if rule not in warn)


@pytest.mark.parametrize("name", [spec.name for spec in TABLES.ALL_TABLES])
def test_quarantine_datasets_show_every_quarantined_row_and_rule(
    sql, runs: dict[str, Any], name: str
) -> None:
    expected = runs["expected"][name]
    health = datasets("pipeline_health")
    rules = {
        row["rule"]: row["quarantined_rows"]
        for row in sql(health["quarantine_rules"])
        if row["source_table"] == name
    }
    assert rules == dict(expected.quarantined)
    growth = [row for row in sql(health["quarantine_growth"]) if row["source_table"] == name]
    assert sum(row["quarantined_rows"] for row in growth) == expected.quarantined_rows


def test_freshness_lists_every_table_at_its_last_write(sql) -> None:
    rows = {row["table_name"]: row for row in sql(datasets("pipeline_health")["freshness"])}
    assert set(rows) == set(table_names())
    assert all(0 <= row["hours_since"] < 1 for row in rows.values())


def test_gold_datasets_show_the_checks_and_the_members(sql, runs: dict[str, Any]) -> None:
    gold = datasets("gold_quality")
    checks = sql(gold["integrity_checks"])
    assert checks and all(row["holds"] and row["failures"] == 0 for row in checks)
    inferred = {row["dimension"]: row["inferred_members"] for row in sql(gold["inferred_members"])}
    for spec in TABLES.ALL_TABLES:
        if spec.role == "dimension" and f"dim_{spec.name}" in inferred:
            assert inferred[f"dim_{spec.name}"] == len(runs["expected"][spec.name].inferred)
    unknown = {}
    if "unknown_members" in gold:
        unknown = {
            (r["fact"], r["reference"]): r["unknown_rows"] for r in sql(gold["unknown_members"])
        }
    for spec in TABLES.ALL_TABLES:
        for column in spec.references if spec.role == "fact" else ():
            rows = runs["expected"][spec.name].facts or []
            expected = sum(1 for row in rows if row[f"__ref_{column}"] is None)
            assert unknown[spec.name, column] == expected


def test_alerts_fire_on_the_numbers_of_the_latest_update(sql, runs: dict[str, Any]) -> None:
    [[latest_failed]] = [row.values() for row in sql(alert_sql("update_failed"))]
    assert latest_failed == 0
    quarantining = sum(
        runs["expected"][s.name].quarantined_rows
        > runs["first"][s.name]["expected"].quarantined_rows
        for s in TABLES.ALL_TABLES
    )
    over = sql(alert_sql("quarantine_rate", quarantine_percent_limit=0))
    assert over == [{"tables_over_limit": quarantining}]
    assert sql(alert_sql("quarantine_rate", quarantine_percent_limit=100)) == [
        {"tables_over_limit": 0}
    ]
    assert sql(alert_sql("integrity_broken")) == [{"broken_checks": 0}]
    gold = [n for n in table_names() if n.startswith(("dim_", "fact_"))]
    assert sql(alert_sql("stale_tables", freshness_limit_hours=1)) == [{"stale_tables": 0}]
    assert sql(alert_sql("stale_tables", freshness_limit_hours=0)) == [{"stale_tables": len(gold)}]


def test_the_failed_update_alert_fires_after_a_failed_update(spark, tmp_path: Path) -> None:
    for started, state in ((1.0e9, "COMPLETED"), (1.0e9 + 60, "FAILED")):
        update = event_log.Update("p", started=started, ended=started + 30, state=state, error="x")
        event_log.write(tmp_path, update)
    spark.read.parquet(str(tmp_path / event_log.FOLDER)).createOrReplaceTempView("failed_log")
    query = alert_sql("update_failed").replace(EVENT_LOG, "failed_log")
    assert spark.sql(query).collect()[0][0] == 1
