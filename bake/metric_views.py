"""A Unity Catalog metric view per fact: `sql/metric_views.sql` of a generated project.

Each view's source is the fact; its joins are the fact's dimensions and `dim_date`, through the
surrogate keys gold gives them (`using: [<dimension>_sk]`, or `'on'` when a fact references one
dimension through two columns); its dimensions are the referenced dimensions' attributes, the
calendar's and the fact's own attributes; its measures a sum per measure and a row count. The
YAML follows the metric view specification version 1.1 (Databricks Runtime 17.2+ or a SQL
warehouse). Names inside it are unqualified: the file runs after `USE CATALOG` / `USE` of the
target's gold schema, given as job parameters (resources/metric_views.yml). Snowflaked
dimensions (a dimension's own references) are not joined: only the fact's direct dimensions.
"""

from __future__ import annotations

import json
from typing import Any

from bake.monitoring_queries import quote, reference_sk_columns

VERSION = "1.1"
CALENDAR = ("date", "year", "quarter", "month", "month_name", "day_of_week", "is_weekend")


def attributes(dimension: dict[str, Any]) -> list[str]:
    """The columns a dimension describes its members with: not its keys, versioning or
    event columns, nor its own references."""
    left_out = {*dimension["keys"], *dimension["except_columns"], *dimension["references"]}
    left_out |= {dimension["sequence_by"], dimension["snapshot_by"]}
    return [column for column in dimension["columns"] if column not in left_out]


def definition(fact: dict[str, Any], tables: dict[str, dict[str, Any]], dates: bool) -> dict:
    """The metric view of one fact, as the YAML document's data."""
    joins, dimensions = [], []
    sk_columns = reference_sk_columns(fact)
    for column, dimension in fact["references"].items():
        sk = sk_columns[column]
        name = column if sk == f"{column}_sk" else dimension
        join: dict[str, Any] = {"name": name, "source": f"dim_{dimension}"}
        if sk == f"{dimension}_sk":
            join["using"] = [sk]
        else:
            join["on"] = f"source.{quote(sk)} = {name}.{quote(dimension + '_sk')}"
        joins.append(join)
        dimensions += [
            {"name": f"{name}_{attribute}", "expr": f"{name}.{quote(attribute)}"}
            for attribute in attributes(tables[dimension])
        ]
    if dates and fact["date_column"]:
        joins.append({"name": "calendar", "source": "dim_date", "using": ["date_sk"]})
        dimensions += [
            {"name": "date" if c == "date" else f"date_{c}", "expr": f"calendar.{quote(c)}"}
            for c in CALENDAR
        ]
    dimensions += [
        {"name": attribute, "expr": f"source.{quote(attribute)}"}
        for attribute in fact["attributes"]
    ]
    measures = [{"name": f"{fact['name']}_rows", "expr": "COUNT(1)"}]
    measures += [
        {"name": f"total_{measure}", "expr": f"SUM(source.{quote(measure)})"}
        for measure in fact["measures"]
    ]
    return {
        "version": VERSION,
        "comment": f"Measures of fact_{fact['name']} by its dimensions and dates.",
        "source": f"fact_{fact['name']}",
        "joins": joins,
        "dimensions": dimensions,
        "measures": measures,
    }


def yaml_text(view: dict[str, Any]) -> str:
    """The view's YAML; every scalar a JSON string (valid YAML), `'on'` quoted as the metric view
    documentation asks (a YAML 1.1 reader takes a bare `on` for a boolean)."""
    lines = [f"version: {json.dumps(view['version'])}", f"comment: {json.dumps(view['comment'])}"]
    lines.append(f"source: {json.dumps(view['source'])}")
    if view["joins"]:
        lines.append("joins:")
    for join in view["joins"]:
        lines += [
            f"  - name: {json.dumps(join['name'])}",
            f"    source: {json.dumps(join['source'])}",
        ]
        if "using" in join:
            lines.append(f"    using: {json.dumps(join['using'])}")
        else:
            lines.append(f"    'on': {json.dumps(join['on'])}")
    for section in ("dimensions", "measures"):
        lines.append(f"{section}:")
        for item in view[section]:
            lines += [
                f"  - name: {json.dumps(item['name'])}",
                f"    expr: {json.dumps(item['expr'])}",
            ]
    return "\n".join(lines)


def sql(spec: dict[str, Any]) -> str | None:
    """The file's text, or None for a spec with no fact."""
    tables = {table["name"]: table for table in spec["tables"]}
    facts = [table for table in spec["tables"] if table["role"] == "fact"]
    if not facts:
        return None
    example = facts[0]["name"]
    parts = [
        "-- Unity Catalog metric views over gold, one per fact, generated from tables.yml",
        "-- (make apply-spec). The job publish_metric_views (resources/metric_views.yml) runs",
        "-- this file on var.warehouse_id, with the target's catalog and gold schema as job",
        "-- parameters (double-brace references, as in Databricks' bundle-examples), so the names",
        "-- below resolve in that schema. Query one with MEASURE():",
        f"--   SELECT date_year, MEASURE({example}_rows) FROM {example}_metrics GROUP BY ALL",
        "USE CATALOG IDENTIFIER({{catalog}});",
        "USE IDENTIFIER({{gold_schema}});",
    ]
    for fact in facts:
        view = definition(fact, tables, spec["has_dim_date"])
        parts += [
            "",
            f"CREATE OR REPLACE VIEW {quote(fact['name'] + '_metrics')}",
            "WITH METRICS LANGUAGE YAML",
            "AS $$",
            yaml_text(view),
            "$$;",
        ]
    return "\n".join(parts) + "\n"
