"""The SQL of the monitoring dashboards, from the normalized table spec.

Each query reads the pipeline's event log (published as a table by the pipeline's `event_log`
setting) or the pipeline's own tables, by unqualified name: a dashboard resource's
`dataset_catalog` and `dataset_schema` say where they are on each target, and the generated
project's tests run the very same text on Spark SQL against a local run's event log and tables.
So the SQL sticks to what both engines parse alike: `get_json_object` and `from_json` instead of
Databricks' `details:path` syntax. Spec values reach the SQL only as identifiers the spec has
validated, quoted all the same.
"""

from __future__ import annotations

from typing import Any

EXPECTATION = (
    "array<struct<name: string, dataset: string, passed_records: bigint, failed_records: bigint>>"
)


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


# The table a flow writes: on Databricks `origin.flow_name` may be qualified (`cat`.`schema`.`t`).
FLOW_TABLE = "regexp_extract(origin.flow_name, '([^.`]+)`?$', 1)"


def detail(path: str) -> str:
    """A value of the event's `details` JSON, e.g. detail('flow_progress.status')."""
    return f"get_json_object(details, '$.{path}')"


def pipeline_queries(event_log: str, spec: dict[str, Any]) -> dict[str, str]:
    """Dataset name -> SQL, for the dashboard over the pipeline's schema (event log, quarantine)."""
    log = quote(event_log)
    rows = detail("flow_progress.metrics.num_output_rows")
    quarantines = "\nUNION ALL\n".join(
        f"SELECT '{t['name']}' AS source_table, _quarantined_at, _failed_rules"
        f" FROM {quote('silver_' + t['name'] + '_quarantine')}"
        for t in spec["tables"]
    )
    return {
        "updates": f"""\
SELECT
  origin.update_id AS update_id,
  MIN(timestamp) AS started_at,
  MAX(timestamp) AS ended_at,
  MAX_BY({detail("update_progress.state")}, timestamp) AS state,
  (unix_millis(MAX(timestamp)) - unix_millis(MIN(timestamp))) / 1000.0 AS duration_seconds
FROM {log}
WHERE event_type IN ('create_update', 'update_progress')
GROUP BY origin.update_id""",
        "rows_per_flow": f"""\
SELECT
  origin.update_id AS update_id,
  {FLOW_TABLE} AS flow_name,
  MAX(timestamp) AS finished_at,
  SUM(CAST({rows} AS BIGINT)) AS rows_written
FROM {log}
WHERE event_type = 'flow_progress' AND {rows} IS NOT NULL
GROUP BY origin.update_id, {FLOW_TABLE}""",
        "expectations": f"""\
SELECT
  origin.update_id AS update_id,
  MAX(timestamp) AS checked_at,
  expectation.dataset AS dataset,
  expectation.name AS rule,
  SUM(expectation.passed_records) AS passed_records,
  SUM(expectation.failed_records) AS failed_records
FROM (
  SELECT origin, timestamp, explode(from_json(
    {detail("flow_progress.data_quality.expectations")},
    '{EXPECTATION}'
  )) AS expectation
  FROM {log}
  WHERE event_type = 'flow_progress'
)
GROUP BY origin.update_id, expectation.dataset, expectation.name""",
        "quarantine_growth": f"""\
SELECT source_table, CAST(_quarantined_at AS DATE) AS day, COUNT(*) AS quarantined_rows
FROM (
{quarantines}
)
GROUP BY source_table, CAST(_quarantined_at AS DATE)""",
        "quarantine_rules": f"""\
SELECT source_table, rule, COUNT(*) AS quarantined_rows
FROM (
  SELECT source_table, explode(_failed_rules) AS rule
  FROM (
{quarantines}
  )
)
GROUP BY source_table, rule""",
        "freshness": f"""\
{last_success(log)}""",
    }


def last_success(log: str) -> str:
    """Per table, when a flow last wrote it successfully, and how many hours ago."""
    return f"""\
SELECT
  {FLOW_TABLE} AS table_name,
  MAX(timestamp) AS last_success,
  (unix_seconds(current_timestamp()) - unix_seconds(MAX(timestamp))) / 3600.0 AS hours_since
FROM {log}
WHERE event_type = 'flow_progress' AND {detail("flow_progress.status")} = 'COMPLETED'
GROUP BY {FLOW_TABLE}"""


def alert_queries(event_log: str, integrity_checks: str, spec: dict[str, Any]) -> dict[str, str]:
    """Alert name -> SQL that returns one row with one number; the alert fires when it is above
    0. `event_log` and `integrity_checks` are qualified names (alerts have no default schema);
    the thresholds are bundle variables, which the bundle substitutes in the text."""
    state = detail("update_progress.state")
    rows = detail("flow_progress.metrics.num_output_rows")
    gold = [
        f"dim_{t['name']}" if t["role"] == "dimension" else f"fact_{t['name']}"
        for t in spec["tables"]
    ]
    gold += ["dim_date"] if spec["has_dim_date"] else []
    gold_list = ", ".join(f"'{name}'" for name in gold)
    return {
        "update_failed": f"""\
SELECT CAST(MAX_BY(state, ended_at) = 'FAILED' AS INT) AS latest_update_failed
FROM (
  SELECT origin.update_id, MAX_BY({state}, timestamp) AS state, MAX(timestamp) AS ended_at
  FROM {event_log}
  WHERE event_type = 'update_progress'
  GROUP BY origin.update_id
)""",
        "quarantine_rate": f"""\
WITH latest AS (
  SELECT MAX_BY(origin.update_id, timestamp) AS update_id
  FROM {event_log}
  WHERE event_type = 'update_progress' AND {state} = 'COMPLETED'
),
written AS (
  SELECT {FLOW_TABLE} AS table_name, SUM(CAST({rows} AS BIGINT)) AS rows_written
  FROM {event_log}
  WHERE event_type = 'flow_progress' AND origin.update_id = (SELECT update_id FROM latest)
  GROUP BY {FLOW_TABLE}
)
SELECT COUNT(*) AS tables_over_limit
FROM written AS bronze
JOIN written AS quarantine
  ON quarantine.table_name = concat('silver_', substring(bronze.table_name, 8), '_quarantine')
WHERE bronze.table_name LIKE 'bronze\\_%'
  AND bronze.rows_written > 0
  AND 100.0 * quarantine.rows_written / bronze.rows_written > ${{var.quarantine_percent_limit}}""",
        "integrity_broken": f"""\
SELECT COUNT(*) AS broken_checks
FROM {integrity_checks}
WHERE failures > 0 AND rule <> 'inferred_members'""",
        "stale_tables": f"""\
SELECT COUNT(*) AS stale_tables
FROM (SELECT explode(array({gold_list})) AS table_name) AS gold
LEFT JOIN ({last_success(event_log)}) AS written USING (table_name)
WHERE written.last_success IS NULL
  OR written.hours_since > ${{var.freshness_limit_hours}}""",
    }


def gold_queries(spec: dict[str, Any]) -> dict[str, str]:
    """Dataset name -> SQL, for the dashboard over the gold schema."""
    unknown = [
        f"SELECT '{fact['name']}' AS fact, '{column}' AS reference,"
        f" COUNT_IF({quote(sk)} = -1) AS unknown_rows, COUNT(*) AS fact_rows"
        f" FROM {quote('fact_' + fact['name'])}"
        for fact in spec["tables"]
        if fact["role"] == "fact"
        for column, sk in reference_sk_columns(fact).items()
    ]
    queries = {
        "integrity_checks": """\
SELECT
  check_id, `table`, rule, failures, sample, failures = 0 AS holds,
  CASE WHEN failures = 0 THEN 'holds' ELSE 'BROKEN' END AS result
FROM gold_integrity_checks
WHERE rule <> 'inferred_members'""",
        "inferred_members": """\
SELECT `table` AS dimension, failures AS inferred_members
FROM gold_integrity_checks
WHERE rule = 'inferred_members'""",
    }
    if unknown:
        queries["unknown_members"] = "\nUNION ALL\n".join(unknown)
    return queries


def reference_sk_columns(fact: dict[str, Any]) -> dict[str, str]:
    """Reference column -> the surrogate key column it becomes in gold (star.reference_sk_column:
    `<dimension>_sk`, or `<column>_sk` when the fact references one dimension twice)."""
    targets = list(fact["references"].values())
    return {
        column: f"{column}_sk" if targets.count(dimension) > 1 else f"{dimension}_sk"
        for column, dimension in fact["references"].items()
    }
