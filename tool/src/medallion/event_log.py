"""The local run's event log, in the columns of Databricks' pipeline event log.

On Databricks the pipeline publishes its event log as a table (`event_log` in
resources/pipeline.yml) and the dashboards and alerts of resources/monitoring.yml read it.
Open-source Spark keeps no event log, so `medallion run-local` writes one: a parquet file per
update under `<state>/event_log/`, with the event log's column names and types, and the same
`details` JSON paths for what those queries read:

- `create_update`, then `update_progress` with `details.update_progress.state` RUNNING, and
  COMPLETED or FAILED at the end;
- `flow_progress` per flow: `details.flow_progress.status` RUNNING, then COMPLETED with
  `metrics.num_output_rows` (rows appended to a streaming table, or held by a recomputed view)
  or FAILED;
- on each silver flow with rules, `flow_progress.data_quality`: `dropped_records` and, per rule,
  `{name, dataset, passed_records, failed_records}`, counted from the quarantine rows this update
  added (drop rules) and from silver's `_warned_rules` (warn rules).

Not reproduced: planning, cluster and autoscaling events, `sequence` numbers beyond the order of
events in one update, `maturity_level`, per-batch metrics (one `flow_progress` per flow and
update), backlog metrics. On Databricks the rules of a change feed report under its change view
(`silver_<table>_changes`); here under `silver_<table>`.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

FOLDER = "event_log"
ORIGIN = pa.struct(
    [
        ("pipeline_id", pa.string()),
        ("pipeline_name", pa.string()),
        ("update_id", pa.string()),
        ("flow_name", pa.string()),
        ("dataset_name", pa.string()),
    ]
)
# The columns of Databricks' event log, in its order (docs: "Pipeline event log schema").
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("sequence", pa.string()),
        ("origin", ORIGIN),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("message", pa.string()),
        ("level", pa.string()),
        ("maturity_level", pa.string()),
        ("error", pa.string()),
        ("details", pa.string()),
        ("event_type", pa.string()),
    ]
)


@dataclass
class Expectation:
    name: str
    dataset: str
    passed_records: int
    failed_records: int


@dataclass
class FlowRun:
    started: float  # seconds since the epoch
    ended: float | None = None
    status: str = "RUNNING"  # then COMPLETED, FAILED or STOPPED
    rows: int | None = None
    dropped_records: int | None = None
    expectations: list[Expectation] = field(default_factory=list)


@dataclass
class Update:
    """What one `run-local` did, as the event log tells it."""

    pipeline_name: str
    started: float
    ended: float
    state: str  # COMPLETED, FAILED or CANCELED
    flows: dict[str, FlowRun] = field(default_factory=dict)
    error: str | None = None
    update_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def expectations(
    spec: Any, checked: int, failed: Counter[str], kept: int, warned: Counter[str]
) -> list[Expectation]:
    """The per-rule counts of one silver flow: `failed` counts, per drop rule, the quarantine
    rows this update added out of the `checked` bronze rows (every drop rule of the spec is
    listed, 0 when none failed); `warned`, the warn rules broken by silver's `kept` rows."""
    dataset = f"silver_{spec.name}"
    drop_rules = sorted(set(failed) | {rule.name for rule in spec.rules_with("drop")})
    return [
        *(Expectation(name, dataset, checked - failed[name], failed[name]) for name in drop_rules),
        *(
            Expectation(rule.name, dataset, kept - warned[rule.name], warned[rule.name])
            for rule in spec.rules_with("warn")
        ),
    ]


def events(update: Update) -> list[dict[str, Any]]:
    """The update's events, in the order they happened."""
    rows: list[dict[str, Any]] = []

    def add(when: float, event_type: str, message: str, details: dict, **origin: str) -> None:
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "sequence": json.dumps({"local_seq_no": len(rows)}),
                "origin": {
                    "pipeline_id": "local",
                    "pipeline_name": update.pipeline_name,
                    "update_id": update.update_id,
                    "flow_name": origin.get("flow"),
                    "dataset_name": origin.get("flow"),
                },
                "timestamp": datetime.fromtimestamp(when, UTC),
                "message": message,
                "level": "ERROR" if "FAILED" in message else "INFO",
                "maturity_level": "STABLE",
                "error": json.dumps({"message": update.error}) if "FAILED" in message else None,
                "details": json.dumps(details),
                "event_type": event_type,
            }
        )

    add(update.started, "create_update", "Update started by run-local.", {"create_update": {}})
    add(update.started, "update_progress", "Update is RUNNING.", _state("RUNNING"))
    for flow, run in sorted(update.flows.items(), key=lambda item: item[1].started):
        add(run.started, "flow_progress", f"Flow '{flow}' is RUNNING.", _flow("RUNNING"), flow=flow)
    for flow, run in sorted(update.flows.items(), key=lambda item: item[1].ended or 0.0):
        if run.ended is None:
            continue
        progress = _flow(run.status)
        if run.rows is not None:
            progress["flow_progress"]["metrics"] = {"num_output_rows": run.rows}
        if run.dropped_records is not None:
            progress["flow_progress"]["data_quality"] = {
                "dropped_records": run.dropped_records,
                "expectations": [vars(e) for e in run.expectations],
            }
        add(run.ended, "flow_progress", f"Flow '{flow}' has {run.status}.", progress, flow=flow)
    add(update.ended, "update_progress", f"Update is {update.state}.", _state(update.state))
    return rows


def _state(state: str) -> dict:
    return {"update_progress": {"state": state}}


def _flow(status: str) -> dict:
    return {"flow_progress": {"status": status}}


def write(state_dir: Path, update: Update) -> Path:
    """Add the update's events to the log: a whole file appears at once, or none."""
    folder = state_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromtimestamp(update.started, UTC).strftime("%Y%m%dT%H%M%S")
    path = folder / f"update-{stamp}-{update.update_id}.parquet"
    partial = folder / f".{path.name}.partial"  # readers skip hidden files
    pq.write_table(pa.Table.from_pylist(events(update), schema=SCHEMA), partial)
    os.replace(partial, path)
    return path


def read(state_dir: Path) -> pa.Table:
    """Every update's events, oldest first (an empty table before the first run)."""
    files = sorted((state_dir / FOLDER).glob("update-*.parquet"))
    tables = [pq.read_table(path, schema=SCHEMA) for path in files]
    return pa.concat_tables(tables) if tables else SCHEMA.empty_table()
