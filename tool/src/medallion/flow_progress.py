"""Follow the output of `spark-pipelines run`: one line per finished flow, and time per layer.

Spark prints flow state changes ("Flow spark_catalog.default.bronze_orders has COMPLETED.") but
no row counts, so the rows come from the table itself when its flow completes: the rows a
streaming table appended in this run (its row count now minus at the start), or the rows a
materialized view holds. Counts are read from the footers of the files Spark would read
(`tools.warehouse`), which costs milliseconds; a table being written counts as unknown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from medallion.warehouse import is_streaming_table, row_count

# "2026-11-21 23:16:07: Flow spark_catalog.default.bronze_orders is RUNNING." and
# "... Flow 'spark_catalog.default.b' has FAILED."
FLOW_EVENT = re.compile(r"Flow '?(?:[\w`]+\.)*`?(\w+)`?'? (?:is|has) ([A-Z_]+)\.")
RUN_END = re.compile(r"\bRun is (COMPLETED|FAILED|CANCELED)\.")
PHASE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: (Creating Spark session|Starting run)")
LAYERS = ("bronze", "silver", "gold")


def layer_of(dataset: str) -> str:
    if dataset.startswith("bronze_"):
        return "bronze"
    if dataset.startswith("silver_"):
        return "silver"
    return "gold"  # dim_, fact_, dim_date, gold_integrity_checks


@dataclass
class FlowProgress:
    """Reads the engine's output line by line, prints progress, keeps each flow's timing.

    `warehouse` is the folder holding one folder per table (None when the tables live on a
    remote Spark Connect server: no row counts then).
    """

    warehouse: Path | None
    full_refresh: bool = False  # every table starts empty: appended rows count from zero
    echo: Callable[[str], None] = print
    started: dict[str, float] = field(default_factory=dict)
    ended: dict[str, float] = field(default_factory=dict)
    rows_before: dict[str, int] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)  # flow -> RUNNING, COMPLETED, ...
    rows: dict[str, int | None] = field(default_factory=dict)  # rows each completed flow wrote
    # Timings are monotonic; this turns them into wall-clock times for the event log.
    epoch_offset: float = field(default_factory=lambda: time.time() - time.monotonic())
    run_state: str | None = None  # COMPLETED, FAILED or CANCELED once Spark says the run ended

    def __post_init__(self) -> None:
        if self.warehouse is not None and self.warehouse.is_dir() and not self.full_refresh:
            for table_dir in self.warehouse.iterdir():
                if table_dir.is_dir() and is_streaming_table(table_dir):
                    self.rows_before[table_dir.name] = row_count(table_dir) or 0

    def feed(self, line: str) -> None:
        run_end = RUN_END.search(line)
        if run_end:
            self.run_state = run_end.group(1)
        phase = PHASE.search(line)
        if phase:
            self.echo(f"  {phase.group(1).lower()}...")
        event = FLOW_EVENT.search(line)
        if not event:
            return
        flow, state = event.groups()
        now = time.monotonic()
        if state == "RUNNING":
            self.started[flow] = now
            self.status[flow] = state
        elif state in ("COMPLETED", "FAILED", "STOPPED"):
            self.started.setdefault(flow, now)
            self.ended[flow] = now
            self.status[flow] = state
            seconds = now - self.started[flow]
            mark = {"COMPLETED": "ok"}.get(state, state.lower())
            rows = self.rows_text(flow) if state == "COMPLETED" else ""
            self.echo(f"  {mark:<7} {flow:<40} {seconds:5.1f} s  {rows}".rstrip())

    def rows_text(self, dataset: str) -> str:
        rows = self.rows[dataset] = self.rows_written(dataset)
        if rows is None:
            return ""
        streaming = is_streaming_table(self.warehouse / dataset)  # type: ignore[operator]
        return f"{rows:>9,} rows appended" if streaming else f"{rows:>9,} rows"

    def rows_written(self, dataset: str) -> int | None:
        """Rows appended to a streaming table in this run, or held by a recomputed view."""
        if self.warehouse is None:
            return None
        table_dir = self.warehouse / dataset
        count = row_count(table_dir)
        if count is None:
            return None
        if is_streaming_table(table_dir):
            return count - self.rows_before.get(dataset, 0)
        return count

    def wall_time(self, monotonic: float) -> float:
        return monotonic + self.epoch_offset

    def layer_seconds(self) -> dict[str, float]:
        """Wall time per layer: from its first flow's start to its last flow's end (flows of a
        layer run side by side, and overlap the next layer's first flows)."""
        spans: dict[str, list[float]] = {}
        for flow, end in self.ended.items():
            start = self.started.get(flow, end)
            span = spans.setdefault(layer_of(flow), [start, end])
            span[0], span[1] = min(span[0], start), max(span[1], end)
        return {layer: spans[layer][1] - spans[layer][0] for layer in LAYERS if layer in spans}
