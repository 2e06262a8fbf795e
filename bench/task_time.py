"""Where a Spark run's work goes: task seconds per table, read from Spark's own event log.

`submit_args(folder)` is a PYSPARK_SUBMIT_ARGS value that makes any pyspark JVM started with it
(the pipeline's engine, the bare build) write an uncompressed event log into `folder`.
`task_seconds(folder)` then sums the run time of every finished task, per table it worked for:

- a streaming flow (bronze, quarantine): its jobs are described by the flow's name;
- a batch write (a materialized view, a bare build's table): its SQL execution, or the root
  execution it runs under, writes a table (`InsertIntoHadoopFsRelationCommand` path,
  `SaveAsV1TableCommand` or `CreateDataSourceTableAsSelectCommand` name);
- anything else counts as "(other)".

Task time, not wall time: flows run side by side on the same cores, so this says how the work
is shared, and the sum against the run's wall time says how busy the cores were.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

OTHER = "(other)"
_WRITTEN = re.compile(
    r"Execute InsertIntoHadoopFsRelationCommand\n(?:[^\n]*\n)*?Arguments: file:\S*?/(\w+),"
    r"|SaveAsV1TableCommand\nArguments: `[^`]*`\.`(\w+)`"
    r"|CreateDataSourceTableAsSelectCommand\nArguments: `[^`]*`\.`[^`]*`\.`(\w+)`"
)


def submit_args(folder: Path) -> str:
    """PYSPARK_SUBMIT_ARGS for a run whose event log goes to `folder` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": folder.as_uri(),
        "spark.eventLog.compress": "false",
    }
    return " ".join(f"--conf {key}={value}" for key, value in settings.items()) + " pyspark-shell"


def written_table(plan: str) -> str | None:
    """The table a SQL execution's physical plan writes, if any."""
    found = _WRITTEN.search(plan)
    return next(name for name in found.groups() if name) if found else None


def events(folder: Path):
    """Every event of every log file under `folder`, file by file in name order."""
    for path in sorted(folder.rglob("events_*")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)


def task_seconds(folder: Path) -> Counter[str]:
    """Task run seconds per table (see the module docstring) of the event logs in `folder`."""
    execution_table: dict[int, str | None] = {}
    execution_root: dict[int, int] = {}
    stage_table: dict[int, str] = {}
    run_ms: Counter[str] = Counter()
    for event in events(folder):
        kind = event["Event"]
        if kind.endswith("SQLExecutionStart"):
            execution = event["executionId"]
            execution_table[execution] = written_table(event.get("physicalPlanDescription", ""))
            execution_root[execution] = event.get("rootExecutionId", execution)
        elif kind == "SparkListenerJobStart":
            table = _job_table(event.get("Properties", {}), execution_table, execution_root)
            for stage in event["Stage IDs"]:
                stage_table[stage] = table
        elif kind == "SparkListenerTaskEnd":
            spent = (event.get("Task Metrics") or {}).get("Executor Run Time", 0)
            run_ms[stage_table.get(event["Stage ID"], OTHER)] += spent
    return Counter({table: ms / 1000 for table, ms in run_ms.items()})


def _job_table(
    properties: dict[str, str], execution_table: dict[int, str | None], root: dict[int, int]
) -> str:
    description = properties.get("spark.job.description", "")
    first_line = description.split("\n", 1)[0]
    if first_line.startswith("spark_catalog."):  # a streaming flow names its query
        return first_line.rsplit(".", 1)[-1]
    if "spark.sql.execution.id" not in properties:
        return OTHER
    execution = int(properties["spark.sql.execution.id"])
    table = execution_table.get(execution) or execution_table.get(root.get(execution, execution))
    return table or OTHER
