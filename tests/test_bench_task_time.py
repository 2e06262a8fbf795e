"""bench/task_time.py: task seconds per table from Spark's event log.

One test reads a log written by hand in the shape Spark 4.3 writes (the events and fields below
were read from real pipeline and bare-build logs); the other has a real local Spark write one,
so a change in Spark's format shows up here rather than as an empty profile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench import task_time

PIPELINE_PLAN = """== Physical Plan ==
Execute SaveAsV1TableCommand (1)

(1) Execute SaveAsV1TableCommand
Output: []

(2) SaveAsV1TableCommand
Arguments: `default`.`silver_orders`, Append, Project [...]
"""
NESTED_WRITE_PLAN = """== Physical Plan ==
AdaptiveSparkPlan (15)
+- Execute InsertIntoHadoopFsRelationCommand (14)

(14) Execute InsertIntoHadoopFsRelationCommand
Input: []
Arguments: file:/state/warehouse/silver_orders, false, Parquet, [path=...], Append
"""
BARE_PLAN = """== Physical Plan ==
AdaptiveSparkPlan (28)
+- Execute InsertIntoHadoopFsRelationCommand (27)

(27) Execute InsertIntoHadoopFsRelationCommand
Input [3]: [a#1, b#2, c#3]
Arguments: file:/out/fact_lineitem, false, Parquet, [path=file:/out/fact_lineitem], Overwrite
"""


def execution(execution_id: int, plan: str, root: int | None = None) -> dict:
    return {
        "Event": "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart",
        "executionId": execution_id,
        "rootExecutionId": execution_id if root is None else root,
        "description": "Spark Connect - session_id: ...",
        "physicalPlanDescription": plan,
    }


def job(stages: list[int], execution_id: int | None = None, description: str = "") -> dict:
    properties = {"spark.job.description": description}
    if execution_id is not None:
        properties["spark.sql.execution.id"] = str(execution_id)
    return {"Event": "SparkListenerJobStart", "Stage IDs": stages, "Properties": properties}


def task(stage: int, run_ms: int) -> dict:
    return {"Event": "SparkListenerTaskEnd", "Stage ID": stage, "Task Metrics": {
        "Executor Run Time": run_ms, "Executor CPU Time": run_ms * 500_000}}  # fmt: skip


def test_task_seconds_per_streaming_flow_view_and_table(tmp_path) -> None:
    log = [
        # A streaming flow: its jobs carry the flow's name.
        job([0, 1], description="spark_catalog.default.bronze_orders\nid = 2350\nbatch = 0"),
        task(0, 1500),
        task(1, 500),
        # A materialized view: the write runs as a child execution of the command's execution.
        execution(8, PIPELINE_PLAN),
        execution(11, NESTED_WRITE_PLAN, root=8),
        job([2], execution_id=11),
        task(2, 3000),
        task(2, 250),
        # ...and a child execution that writes nothing itself counts for its root's table.
        execution(12, "== Physical Plan ==\nAdaptiveSparkPlan (4)\n+- BroadcastExchange (3)\n", 8),
        job([6], execution_id=12),
        task(6, 750),
        # A bare build's write, and work that belongs to no table.
        execution(20, BARE_PLAN),
        job([3], execution_id=20),
        task(3, 4000),
        execution(21, "== Physical Plan ==\nAdaptiveSparkPlan (3)\n+- HashAggregate (2)\n"),
        job([4], execution_id=21),
        task(4, 100),
        job([5]),
        task(5, 50),
    ]
    folder = tmp_path / "eventlog_v2_local-1"
    folder.mkdir(parents=True)
    half = len(log) // 2  # rolled over into two files, read in name order
    for number, part in ((1, log[:half]), (2, log[half:])):
        lines = "".join(json.dumps(event) + "\n" for event in part)
        (folder / f"events_{number}_local-1").write_text(lines)
    (folder / "appstatus_local-1").write_text("")

    assert task_time.task_seconds(tmp_path) == {
        "bronze_orders": 2.0,
        "silver_orders": 4.0,
        "fact_lineitem": 4.0,
        task_time.OTHER: 0.15,
    }


def test_a_real_spark_run_is_profiled_per_table(tmp_path) -> None:
    events, out = tmp_path / "events", tmp_path / "out"
    script = (
        "import sys; from pyspark.sql import SparkSession;"
        "spark = SparkSession.builder.master('local[1]').config('spark.ui.enabled', 'false')"
        ".getOrCreate();"
        "spark.range(1000).selectExpr('id', 'id % 7 AS k').groupBy('k').count()"
        ".write.parquet(sys.argv[1] + '/dim_sevens'); spark.stop()"
    )
    env = {**os.environ, "PYSPARK_SUBMIT_ARGS": task_time.submit_args(events)}
    subprocess.run([sys.executable, "-c", script, str(out)], env=env, check=True, timeout=180)

    spent = task_time.task_seconds(events)
    assert (out / "dim_sevens").is_dir()
    assert set(spent) <= {"dim_sevens", task_time.OTHER}
    assert spent["dim_sevens"] > 0
