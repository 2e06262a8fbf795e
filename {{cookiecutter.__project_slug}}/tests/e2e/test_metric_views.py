"""The metric views of sql/metric_views.sql, asked on the local gold tables of the end-to-end runs.

Open-source Spark has no metric views: `medallion.metric_views` compiles a question (dimensions,
measures) to the plain SQL Databricks answers it with (the fact LEFT JOINed to its dimensions,
grouped by the dimensions' expressions). The answers must be the oracle's: the facts' row count
and measure sums, whatever dimension they are grouped by (the joins are many-to-one), and the
facts per year of their date.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from medallion import metric_views

from {{ cookiecutter.__package_name }} import tables as TABLES

from .oracle import as_day

pytestmark = pytest.mark.e2e

VIEWS_FILE = Path(__file__).resolve().parents[2] / "sql" / "metric_views.sql"
FACTS = [spec for spec in TABLES.ALL_TABLES if spec.role == "fact"]


@pytest.fixture(scope="module")
def ask(spark, runs: dict[str, Any]):
    """Answer a question of a fact's metric view, over the runs' gold tables."""
    warehouse = runs["state"] / "warehouse"
    for folder in warehouse.iterdir():
        if folder.name.startswith(("dim_", "fact_")):
            spark.read.parquet(str(folder)).createOrReplaceTempView(folder.name)
    views = metric_views.read(VIEWS_FILE)

    def answer(fact: str, dimensions: list[str], measures: list[str]) -> list[dict[str, Any]]:
        sql = metric_views.compile_query(views[f"{fact}_metrics"], dimensions, measures)
        return [row.asDict() for row in spark.sql(sql).collect()]

    return answer


def measures_of(spec: Any) -> list[str]:
    return [f"{spec.name}_rows", *(f"total_{measure}" for measure in spec.measures)]


def expected_totals(spec: Any, facts: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {f"{spec.name}_rows": len(facts)}
    for measure in spec.measures:
        values = [row[measure] for row in facts if row[measure] is not None]
        totals[f"total_{measure}"] = sum(values) if values else None
    return totals


@pytest.mark.parametrize("spec", FACTS, ids=lambda spec: spec.name)
def test_every_dimension_splits_the_facts_totals_without_losing_or_doubling_a_row(
    ask, runs: dict[str, Any], spec: Any
) -> None:
    expected = expected_totals(spec, runs["expected"][spec.name].facts or [])
    assert ask(spec.name, [], measures_of(spec)) == [expected]
    view = metric_views.read(VIEWS_FILE)[f"{spec.name}_metrics"]
    dimensions = [item["name"] for item in view.definition["dimensions"]]
    assert dimensions, "a metric view with nothing to group by"
    rows = f"{spec.name}_rows"
    for dimension in dimensions:
        groups = ask(spec.name, [dimension], [rows])
        assert sum(group[rows] for group in groups) == expected[rows], dimension


@pytest.mark.parametrize("spec", [s for s in FACTS if s.date_column], ids=lambda s: s.name)
def test_facts_per_year_of_their_date(ask, runs: dict[str, Any], spec: Any) -> None:
    facts = runs["expected"][spec.name].facts or []
    days = (as_day(row[spec.date_column]) for row in facts)
    expected = Counter(day.year if day else None for day in days)
    rows = f"{spec.name}_rows"
    actual = {group["date_year"]: group[rows] for group in ask(spec.name, ["date_year"], [rows])}
    assert actual == dict(expected)
