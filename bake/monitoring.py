"""The monitoring files of a generated project, all from the normalized table spec:
resources/monitoring.yml (dashboards and alerts), the two dashboards' `.lvdash.json`, and the
facts' metric views (sql/metric_views.sql, published by resources/metric_views.yml)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from bake import dashboards, metric_views, monitoring_queries

ALERTS = {  # name -> (title, what it means, the column its query returns)
    "update_failed": (
        "latest update failed",
        "The pipeline's latest update FAILED: see `make logs` or the update in the workspace.",
        "latest_update_failed",
    ),
    "quarantine_rate": (
        "quarantine rate over the limit",
        "In the latest update, a table sent more than var.quarantine_percent_limit percent of "
        "its new rows to quarantine: look at silver_<table>_quarantine._failed_rules.",
        "tables_over_limit",
    ),
    "integrity_broken": (
        "gold integrity check broken",
        "A gold integrity check does not hold: see gold_integrity_checks (failures, sample).",
        "broken_checks",
    ),
    "stale_tables": (
        "gold table older than its freshness limit",
        "A gold table has not been written for var.freshness_limit_hours hours.",
        "stale_tables",
    ),
}


def files(spec: dict[str, Any], pipeline_name: str, env: Environment) -> dict[str, str]:
    """Relative path -> text of every monitoring file."""
    # Qualified by bundle references: the bundle resolves them per target (dev_<you>_... in dev).
    schema = "${var.catalog}.${resources.schemas.medallion.name}"
    gold = "${var.catalog}.${resources.schemas.gold.name}"
    event_log = f"{pipeline_name}_event_log"
    queries = monitoring_queries.alert_queries(
        f"{schema}.{event_log}", f"{gold}.gold_integrity_checks", spec
    )
    alerts = {
        name: {"title": title, "summary": summary, "column": column, "query": queries[name]}
        for name, (title, summary, column) in ALERTS.items()
    }
    monitoring = env.get_template("monitoring.yml.j2").render(
        pipeline_name=pipeline_name, alerts=alerts
    )
    files = {
        "resources/monitoring.yml": monitoring,
        "resources/pipeline_health.lvdash.json": dashboards.text(
            dashboards.pipeline_health(event_log, spec)
        ),
        "resources/gold_quality.lvdash.json": dashboards.text(dashboards.gold_quality(spec)),
    }
    views = metric_views.sql(spec)
    if views is not None:
        files["sql/metric_views.sql"] = views
        files["resources/metric_views.yml"] = env.get_template("metric_views.yml.j2").render(
            pipeline_name=pipeline_name
        )
    return files
