"""Plan shapes that Spark Connect takes well: lazy column steps, shallow expression trees.

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

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

_ROW = "__frames_row"
T = TypeVar("T")


def with_columns(df: DataFrame, columns: Mapping[str, Column]) -> DataFrame:
    """`df.withColumns(columns)`: replaces the named columns in place, appends new ones.

    Built as a struct of all columns with each field set (`Column.withField` replaces or
    appends, as `withColumns` does), expanded again; the optimizer removes the struct.
    """
    row = F.struct("*")
    for name, column in columns.items():
        row = row.withField(name, column)
    return df.select(row.alias(_ROW)).select(f"{_ROW}.*")


# The Python client of Spark Connect turns each query into a protobuf message, and protobuf's
# Python runtime refuses messages nested deeper than 100 levels ("Exceeded
# upb_DecodeOptions_MaxDepth"). A chain of N `a & b`, `when(...).otherwise(...)` or `unionByName`
# nests N levels deep; with 30 tables the gold integrity checks alone passed that limit. So
# combine many parts as balanced trees or flat lists.


def balanced(combine: Callable[[T, T], T], parts: Iterable[T], empty: T | None = None) -> T:
    """`combine` over `parts` in order, as a balanced tree: log2(n) levels deep, not n."""
    level = list(parts)
    if not level:
        if empty is None:
            raise ValueError("nothing to combine")
        return empty
    while len(level) > 1:
        pairs = zip(level[0::2], level[1::2], strict=False)
        combined = [combine(left, right) for left, right in pairs]
        level = combined + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def true_or_raise(failures: Iterable[tuple[Column, Column]]) -> Column:
    """TRUE, or `raise_error(message)` for the first (failed, message) pair whose `failed` holds.

    One flat CASE WHEN with a branch per pair, however many: for a filter that stops a query.
    """
    guard = None
    for failed, message in failures:
        error = F.raise_error(message).cast("boolean")
        guard = F.when(failed, error) if guard is None else guard.when(failed, error)
    return F.lit(True) if guard is None else guard.otherwise(F.lit(True))
