"""Metric views offline: read sql/metric_views.sql and compile a query to plain SQL over gold.

Databricks answers `SELECT <dimensions>, MEASURE(<measure>) FROM <view> GROUP BY ALL` from a
metric view's YAML: the source LEFT JOINed to each join (many-to-one), grouped by the chosen
dimensions' expressions, each measure's aggregate. Open-source Spark has no metric views, so
tests compile the same YAML to that SQL and run it on the local gold tables, comparing the
answers with hand-written queries. Only what the generated views use is compiled: first-level
joins by `using` or `'on'`, `dimensions`, `measures`, `filter`; anything else is refused by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

VIEW = re.compile(
    r"CREATE OR REPLACE VIEW\s+`?(?P<name>[\w]+)`?\s+WITH METRICS LANGUAGE YAML\s+AS \$\$\n"
    r"(?P<yaml>.*?)\n\$\$;",
    re.DOTALL,
)
KNOWN = {"version", "comment", "source", "joins", "dimensions", "measures", "filter"}
VERSIONS = {"0.1", "1.1"}  # the documented specification versions


class MetricViewError(ValueError):
    pass


@dataclass(frozen=True)
class MetricView:
    name: str
    definition: dict[str, Any]

    def expression(self, section: str, name: str) -> str:
        for item in self.definition.get(section) or []:
            if item["name"] == name:
                return item["expr"]
        names = [item["name"] for item in self.definition.get(section) or []]
        raise MetricViewError(f"{self.name}: no {section[:-1]} {name!r}; it has {names}")


def read(path: Path) -> dict[str, MetricView]:
    """Every metric view the file creates, by name."""
    views = {}
    for match in VIEW.finditer(path.read_text(encoding="utf-8")):
        definition = yaml.safe_load(match["yaml"])
        unknown = set(definition) - KNOWN
        if unknown:
            raise MetricViewError(f"{match['name']}: cannot compile {sorted(unknown)} offline")
        if str(definition.get("version")) not in VERSIONS:
            raise MetricViewError(
                f"{match['name']}: version {definition.get('version')!r} is not one of {VERSIONS}"
            )
        views[match["name"]] = MetricView(match["name"], definition)
    return views


def compile_query(
    view: MetricView, dimensions: list[str], measures: list[str], where: str | None = None
) -> str:
    """Plain SQL for `SELECT <dimensions>, MEASURE(<m>)... FROM view [WHERE ...] GROUP BY ALL`.

    `where` is SQL over dimension names (as a query on the metric view would write it)."""
    definition = view.definition
    joins = []
    for join in definition.get("joins") or []:
        if "joins" in join:
            raise MetricViewError(f"{view.name}: nested join {join['name']!r} is not compiled")
        if "using" in join:
            condition = " AND ".join(f"source.{c} = {join['name']}.{c}" for c in join["using"])
        else:
            condition = join["on"]
        joins.append(f"LEFT JOIN {join['source']} AS {join['name']} ON {condition}")
    selected = [f"{view.expression('dimensions', d)} AS `{d}`" for d in dimensions]
    selected += [f"{view.expression('measures', m)} AS `{m}`" for m in measures]
    filters = [f"({definition['filter']})"] if definition.get("filter") else []
    if where:
        filters.append(f"({dimension_names_to_expressions(view, where)})")
    lines = [f"SELECT {', '.join(selected)}", f"FROM {definition['source']} AS source", *joins]
    if filters:
        lines.append(f"WHERE {' AND '.join(filters)}")
    if dimensions:
        lines.append(f"GROUP BY {', '.join(view.expression('dimensions', d) for d in dimensions)}")
    return "\n".join(lines)


def dimension_names_to_expressions(view: MetricView, where: str) -> str:
    names = {item["name"]: item["expr"] for item in view.definition.get("dimensions") or []}
    return re.sub(r"\b(\w+)\b", lambda m: f"({names[m[1]]})" if m[1] in names else m[1], where)
