"""Column steps that keep a pipeline query lazy on Spark Connect.

The local engine sends each dataset's query to Spark as a Spark Connect plan. Spark's Connect
planner builds `withColumn(s)`, `withColumnsRenamed`, `drop`, `toDF` and `dropDuplicates` by
analyzing their input at once, against the session catalog, before the pipeline sees the plan.
A `spark.read.table("bronze_x")` below such a step is then no longer a read of the pipeline's
dataset but of whatever catalog table has that name: on a first run it fails
(TABLE_OR_VIEW_NOT_FOUND); on a re-run it silently reads the previous run's table, the flow does
not wait for `bronze_x` to update, and a full refresh fails on files the reset deleted.
`select` is planned lazily, so these helpers express the same steps with it. Library code that
reads pipeline datasets uses them instead of the eager methods (tests/unit/test_frames.py keeps
it that way).
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

_ROW = "__frames_row"


def with_columns(df: DataFrame, columns: Mapping[str, Column]) -> DataFrame:
    """`df.withColumns(columns)`: replaces the named columns in place, appends new ones.

    Built as a struct of all columns with each field set (`Column.withField` replaces or
    appends, as `withColumns` does), expanded again; the optimizer removes the struct.
    """
    row = F.struct("*")
    for name, column in columns.items():
        row = row.withField(name, column)
    return df.select(row.alias(_ROW)).select(f"{_ROW}.*")
