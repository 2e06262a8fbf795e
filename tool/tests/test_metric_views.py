"""medallion.metric_views: what it reads from a metric view file, the SQL it compiles a question
to, and what it refuses (a question it cannot answer as Databricks would is an error, never a
different answer). The compiled SQL runs on gold in the generated project's e2e tests and in the
template's TPC-H test."""

from __future__ import annotations

from pathlib import Path

import pytest

from medallion.metric_views import MetricViewError, compile_query, read

FILE = """\
USE CATALOG IDENTIFIER({{catalog}});
USE IDENTIFIER({{gold_schema}});

CREATE OR REPLACE VIEW `sales_metrics`
WITH METRICS LANGUAGE YAML
AS $$
version: "1.1"
source: "fact_sales"
filter: "source.amount IS NOT NULL"
joins:
  - name: "customers"
    source: "dim_customers"
    using: ["customers_sk"]
  - name: "ship_to"
    source: "dim_sites"
    'on': "source.ship_to_sk = ship_to.sites_sk"
dimensions:
  - name: "customers_region"
    expr: "customers.`region`"
  - name: "ship_to_city"
    expr: "ship_to.`city`"
measures:
  - name: "sales_rows"
    expr: "COUNT(1)"
  - name: "total_amount"
    expr: "SUM(source.`amount`)"
$$;
"""


def views_in(tmp_path: Path, text: str = FILE):
    path = tmp_path / "metric_views.sql"
    path.write_text(text, encoding="utf-8")
    return read(path)


def test_a_question_compiles_to_the_joins_the_filter_and_the_grouping(tmp_path: Path) -> None:
    view = views_in(tmp_path)["sales_metrics"]
    sql = compile_query(view, ["customers_region"], ["total_amount"], where="ship_to_city = 'Oslo'")
    assert sql == (
        "SELECT customers.`region` AS `customers_region`, SUM(source.`amount`) AS `total_amount`\n"
        "FROM fact_sales AS source\n"
        "LEFT JOIN dim_customers AS customers ON source.customers_sk = customers.customers_sk\n"
        "LEFT JOIN dim_sites AS ship_to ON source.ship_to_sk = ship_to.sites_sk\n"
        "WHERE (source.amount IS NOT NULL) AND ((ship_to.`city`) = 'Oslo')\n"
        "GROUP BY customers.`region`"
    )


def test_a_question_with_no_dimension_is_the_total(tmp_path: Path) -> None:
    view = views_in(tmp_path)["sales_metrics"]
    sql = compile_query(view, [], ["sales_rows"])
    assert sql.startswith("SELECT COUNT(1) AS `sales_rows`\nFROM fact_sales AS source")
    assert "GROUP BY" not in sql


def test_an_unknown_measure_names_the_ones_there_are(tmp_path: Path) -> None:
    view = views_in(tmp_path)["sales_metrics"]
    with pytest.raises(
        MetricViewError, match=r"no measure 'revenue'.*'sales_rows', 'total_amount'"
    ):
        compile_query(view, [], ["revenue"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('version: "1.1"', 'version: "1.0"'), "version '1.0' is not one of"),
        (("filter:", "window:"), r"cannot compile \['window'\] offline"),
        (
            ('    using: ["customers_sk"]', '    using: ["customers_sk"]\n    joins: []'),
            "nested join 'customers' is not compiled",
        ),
    ],
    ids=["undocumented version", "unknown section", "nested join"],
)
def test_what_it_cannot_compile_is_refused_by_name(tmp_path: Path, change, message) -> None:
    with pytest.raises(MetricViewError, match=message):
        view = views_in(tmp_path, FILE.replace(*change))["sales_metrics"]
        compile_query(view, ["customers_region"], ["sales_rows"])
