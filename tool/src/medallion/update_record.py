"""Turn what `run-local` saw into the update that the local event log records.

The flows' states and times come from the engine's output (`FlowProgress`); the rows and rule
counts from the tables before and after the run (`local_summary`): the quarantine rows this update
added, per rule, out of the bronze rows it appended.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from medallion import event_log, local_summary
from medallion.flow_progress import FlowProgress


def counts(tables_dir: Path | None, tables: Any) -> local_summary.Summary | None:
    """The tables' counts now (None: remote tables, or none readable)."""
    if tables_dir is None or not tables_dir.is_dir():
        return None
    try:
        return local_summary.summarize(tables_dir, tables)
    except Exception:  # noqa: BLE001 -- a table being repaired: no counts
        return None


def update(
    pipeline_name: str,
    progress: FlowProgress,
    tables: Any,
    before: local_summary.Summary | None,
    after: local_summary.Summary | None,
    began: float,
    state: str,
    error: str | None = None,
) -> event_log.Update:
    """`began` is the run's start on the monotonic clock, as `progress` keeps its times."""
    record = event_log.Update(
        pipeline_name=pipeline_name,
        started=progress.wall_time(began),
        ended=time.time(),
        state=state,
        error=error,
    )
    for flow, status in progress.status.items():
        start = progress.started.get(flow, began)
        end = progress.ended.get(flow)
        record.flows[flow] = event_log.FlowRun(
            started=progress.wall_time(start),
            ended=None if end is None else progress.wall_time(end),
            status=status,
            rows=progress.rows.get(flow) if status == "COMPLETED" else None,
        )
    if after is None:
        return record
    for spec in tables.ALL_TABLES:
        flow = record.flows.get(f"silver_{spec.name}")
        bronze = record.flows.get(f"bronze_{spec.name}")
        quarantine = record.flows.get(f"silver_{spec.name}_quarantine")
        flows = (flow, bronze, quarantine)
        if any(f is None or f.status != "COMPLETED" or f.rows is None for f in flows):
            continue
        earlier = before.quarantined.get(spec.name, Counter()) if before else Counter()
        added = Counter(after.quarantined.get(spec.name, Counter()))
        added.subtract(earlier)  # keeps rules at 0: every rule is listed
        flow.dropped_records = quarantine.rows
        flow.expectations = event_log.expectations(
            spec,
            checked=bronze.rows,
            failed=added,
            kept=after.rows.get(f"silver_{spec.name}") or 0,
            warned=after.warned.get(spec.name, Counter()),
        )
    return record
