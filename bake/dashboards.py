"""The two AI/BI dashboards of a generated project, as `.lvdash.json` documents.

- `pipeline_health`: over the pipeline's schema: updates (state and duration), rows per flow,
  expectation results per rule, quarantine growth and its rules, freshness per table;
- `gold_quality`: over the gold schema: the integrity checks, inferred members per dimension and
  fact rows pointing at the unknown member, per reference.

Two dashboards because a dashboard reads one default catalog and schema (`dataset_catalog`,
`dataset_schema` on the bundle resource), and the tables live in two schemas per target; their
queries name tables unqualified, so one file serves dev, staging and prod. The queries come from
`bake.monitoring_queries`; this module only lays them out as widgets.
"""

from __future__ import annotations

import json
from typing import Any

from bake import monitoring_queries

GRID_WIDTH = 6  # the dashboard canvas is six columns wide


def field(column: str, aggregate: str | None = None) -> dict[str, str]:
    """A widget field: the column as it is, or aggregated (`SUM`, `COUNT`, ...)."""
    if aggregate is None:
        return {"name": column, "expression": f"`{column}`"}
    return {"name": f"{aggregate.lower()}({column})", "expression": f"{aggregate}(`{column}`)"}


def widget(
    name: str, dataset: str, fields: list[dict[str, str]], spec: dict, rows: bool = False
) -> dict[str, Any]:
    """`rows`: the widget shows the dataset's rows as they are (a table), not aggregates."""
    return {
        "name": name,
        "queries": [
            {
                "name": "main_query",
                "query": {"datasetName": dataset, "fields": fields, "disaggregated": rows},
            }
        ],
        "spec": spec,
    }


def chart(kind: str, title: str, x: dict, y: dict, color: dict | None = None) -> dict[str, Any]:
    """A bar or line chart: x a field (temporal or categorical), y an aggregated field."""
    encodings: dict[str, Any] = {
        "x": {
            "fieldName": x["name"],
            "scale": {"type": "temporal" if x.get("temporal") else "categorical"},
            "displayName": x["title"],
        },
        "y": {"fieldName": y["name"], "scale": {"type": "quantitative"}, "displayName": y["title"]},
    }
    if color:
        encodings["color"] = {
            "fieldName": color["name"],
            "scale": {"type": "categorical"},
            "displayName": color["title"],
        }
    return {
        "version": 3,
        "widgetType": kind,
        "encodings": encodings,
        "frame": {"showTitle": True, "title": title},
    }


# A table column's type -> how the dashboard shows it (the published dashboards' pairs).
DISPLAY_AS = {"string": "string", "integer": "number", "float": "number", "datetime": "datetime"}


def table(title: str, columns: list[tuple[str, str, str]]) -> dict[str, Any]:
    """A table widget (spec version 1, as published dashboards write it); columns are (field,
    title, type)."""
    return {
        "version": 1,
        "widgetType": "table",
        "encodings": {
            "columns": [
                {
                    "fieldName": name,
                    "title": shown,
                    "displayName": shown,
                    "type": kind,
                    "displayAs": DISPLAY_AS[kind],
                    "visible": True,
                    "order": order,
                }
                for order, (name, shown, kind) in enumerate(columns)
            ]
        },
        "frame": {"showTitle": True, "title": title},
    }


def counter(title: str, value: str) -> dict[str, Any]:
    return {
        "version": 2,
        "widgetType": "counter",
        "encodings": {"value": {"fieldName": value, "displayName": title}},
        "frame": {"showTitle": True, "title": title},
    }


def plotted(
    name: str, dataset: str, kind: str, title: str, x: tuple, y: tuple, color: tuple | None = None
) -> dict[str, Any]:
    """A chart widget; x, y, color are (column, title[, aggregate or "temporal"])."""
    x_field = field(x[0])
    y_field = field(y[0], y[2])
    fields = [x_field, y_field]
    axes = {
        "x": {**x_field, "title": x[1], "temporal": len(x) > 2 and x[2] == "temporal"},
        "y": {**y_field, "title": y[1]},
    }
    color_axis = None
    if color:
        color_field = field(color[0])
        fields.append(color_field)
        color_axis = {**color_field, "title": color[1]}
    return widget(name, dataset, fields, chart(kind, title, axes["x"], axes["y"], color_axis))


def listed(
    name: str, dataset: str, title: str, columns: list[tuple[str, str, str]]
) -> dict[str, Any]:
    fields = [field(column) for column, _, _ in columns]
    return widget(name, dataset, fields, table(title, columns), rows=True)


def document(title: str, queries: dict[str, str], rows: list[list[dict]]) -> dict[str, Any]:
    """A one-page dashboard: `rows` of widgets, each row as tall as its tallest widget (6)."""
    layout = []
    for y, row in enumerate(rows):
        width = GRID_WIDTH // len(row)
        for i, item in enumerate(row):
            position = {"x": i * width, "y": y * 6, "width": width, "height": 6}
            layout.append({"widget": item, "position": position})
    return {
        "datasets": [
            {"name": name, "displayName": name.replace("_", " "), "queryLines": lines(sql)}
            for name, sql in queries.items()
        ],
        "pages": [
            {
                "name": "overview",
                "displayName": title,
                "pageType": "PAGE_TYPE_CANVAS",
                "layout": layout,
            }
        ],
    }


def lines(sql: str) -> list[str]:
    """`queryLines`: the query split after each newline, as the dashboard editor saves it."""
    return sql.splitlines(keepends=True)


def pipeline_health(event_log: str, spec: dict[str, Any]) -> dict[str, Any]:
    queries = monitoring_queries.pipeline_queries(event_log, spec)
    rows = [
        [
            listed(
                "updates",
                "updates",
                "Updates",
                [
                    ("started_at", "Started", "datetime"),
                    ("state", "State", "string"),
                    ("duration_seconds", "Seconds", "float"),
                    ("update_id", "Update", "string"),
                ],
            ),
            plotted(
                "update_durations",
                "updates",
                "line",
                "Update duration",
                ("started_at", "Started", "temporal"),
                ("duration_seconds", "Seconds", "MAX"),
                ("state", "State"),
            ),
        ],
        [
            plotted(
                "rows_per_flow",
                "rows_per_flow",
                "bar",
                "Rows written per flow",
                ("finished_at", "Update", "temporal"),
                ("rows_written", "Rows", "SUM"),
                ("flow_name", "Flow"),
            ),
            plotted(
                "failed_records",
                "expectations",
                "bar",
                "Records failing each rule",
                ("checked_at", "Update", "temporal"),
                ("failed_records", "Failed records", "SUM"),
                ("rule", "Rule"),
            ),
        ],
        [
            listed(
                "expectation_results",
                "expectations",
                "Expectations per rule and table",
                [
                    ("checked_at", "Checked", "datetime"),
                    ("dataset", "Table", "string"),
                    ("rule", "Rule", "string"),
                    ("passed_records", "Passed", "integer"),
                    ("failed_records", "Failed", "integer"),
                ],
            ),
        ],
        [
            plotted(
                "quarantine_growth",
                "quarantine_growth",
                "line",
                "Quarantined rows per day",
                ("day", "Day", "temporal"),
                ("quarantined_rows", "Rows", "SUM"),
                ("source_table", "Table"),
            ),
            plotted(
                "quarantine_rules",
                "quarantine_rules",
                "bar",
                "Quarantined rows by failed rule",
                ("rule", "Rule"),
                ("quarantined_rows", "Rows", "SUM"),
                ("source_table", "Table"),
            ),
        ],
        [
            listed(
                "freshness",
                "freshness",
                "Freshness: last successful write per table",
                [
                    ("table_name", "Table", "string"),
                    ("last_success", "Last success", "datetime"),
                    ("hours_since", "Hours since", "float"),
                ],
            ),
        ],
    ]
    return document("Pipeline health", queries, rows)


def gold_quality(spec: dict[str, Any]) -> dict[str, Any]:
    queries = monitoring_queries.gold_queries(spec)
    checks = [
        widget(
            "broken_checks",
            "integrity_checks",
            [{"name": "broken", "expression": "COUNT_IF(NOT `holds`)"}],
            counter("Broken integrity checks", "broken"),
        ),
        listed(
            "integrity_checks",
            "integrity_checks",
            "Integrity checks",
            [
                ("check_id", "Check", "string"),
                ("result", "Result", "string"),
                ("failures", "Failures", "integer"),
                ("sample", "Sample key", "string"),
            ],
        ),
    ]
    members = [
        plotted(
            "inferred_members",
            "inferred_members",
            "bar",
            "Inferred members per dimension",
            ("dimension", "Dimension"),
            ("inferred_members", "Members", "SUM"),
        )
    ]
    if "unknown_members" in queries:
        members.append(
            listed(
                "unknown_members",
                "unknown_members",
                "Fact rows pointing at the unknown member",
                [
                    ("fact", "Fact", "string"),
                    ("reference", "Reference", "string"),
                    ("unknown_rows", "Unknown rows", "integer"),
                    ("fact_rows", "Fact rows", "integer"),
                ],
            )
        )
    return document("Gold quality", queries, [checks, members])


def text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"
