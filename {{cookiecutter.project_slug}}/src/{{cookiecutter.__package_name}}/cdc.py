"""Batch equivalents of Databricks AUTO CDC (`dp.create_auto_cdc_flow`), used by the local engine.

Open-source Spark 4.3 has `create_auto_cdc_flow` too, but only into tables that support MERGE
(Delta), which a laptop without Maven access cannot load. So locally `engine.create_cdc_table`
recomputes the target from the whole change feed on every run with these functions; on Databricks
AUTO CDC maintains it incrementally. Both produce the same columns and, for the cases below, the
same rows:

- events apply in `sequence_by` order, not arrival order (out-of-order events are fine);
- an event with a NULL `sequence_by` is ignored (AUTO CDC rejects it);
- exact duplicates count once; if different events share a key and a sequence value, a delete
  wins, then the greater row (by its JSON text): AUTO CDC leaves this case undefined, we make it
  deterministic;
- a delete (`delete_when` true) removes the key (SCD1) or closes its current version with
  `__END_AT` = the delete's sequence value (SCD2); a later insert brings the key back;
- SCD2: an update whose tracked columns (all output columns but the keys and `sequence_by`)
  equal the current version's opens no new version; the version keeps its `__START_AT` and takes
  the newer `sequence_by` value. `engine.create_cdc_table` passes
  `track_history_except_column_list=[sequence_by]` so AUTO CDC does the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

START_AT = "__START_AT"
END_AT = "__END_AT"


def change_columns(columns: Sequence[str], delete_when: str | None) -> list[str]:
    """The columns `delete_when` reads (e.g. `operation`): they describe the event, not the row.

    `engine.create_cdc_table` leaves them out of the target, as Databricks' examples do.
    """
    if not delete_when:
        return []
    # A word match is enough here: names come from the validated spec, and a name that only
    # appears inside a string literal is rare (and only costs that column in the target).
    return [name for name in columns if re.search(rf"\b{re.escape(name)}\b", delete_when)]


def _events(
    df: DataFrame,
    keys: Sequence[str],
    sequence_by: str,
    delete_when: str | None,
    except_columns: Sequence[str],
) -> DataFrame:
    """One event per key and sequence value: keys, `sequence_by`, `__is_delete`, `__row`.

    `__row` is a struct of the output columns (the input minus `except_columns`, in input
    order). `struct(*)` and `dropFields` instead of `df.columns` and `drop`: pipeline query
    functions may not analyze a DataFrame.
    """
    is_delete = F.coalesce(F.expr(delete_when), F.lit(False)) if delete_when else F.lit(False)
    row = F.struct("*")
    if except_columns:
        row = row.dropFields(*except_columns)  # names the struct does not have are ignored
    events = df.where(F.col(sequence_by).isNotNull()).select(
        *keys,
        sequence_by,
        is_delete.alias("__is_delete"),
        row.alias("__row"),
    )
    tie_break = Window.partitionBy(*keys, sequence_by).orderBy(
        F.col("__is_delete").desc(), F.to_json("__row").desc()
    )
    return (
        events.withColumn("__n", F.row_number().over(tie_break))
        .where("__n = 1")
        .select(*keys, sequence_by, "__is_delete", "__row")
    )


def scd1(
    df: DataFrame,
    keys: Sequence[str],
    sequence_by: str,
    delete_when: str | None = None,
    except_columns: Sequence[str] = (),
) -> DataFrame:
    """The current row per key after applying every change event in `sequence_by` order.

    Columns: the input columns minus `except_columns`, in input order (as AUTO CDC SCD type 1).
    A key whose latest event is a delete is absent.
    """
    events = _events(df, keys, sequence_by, delete_when, except_columns)
    latest = Window.partitionBy(*keys).orderBy(F.col(sequence_by).desc())
    return (
        events.withColumn("__n", F.row_number().over(latest))
        .where("__n = 1 AND NOT __is_delete")
        .select("__row.*")
    )


def scd2(
    df: DataFrame,
    keys: Sequence[str],
    sequence_by: str,
    delete_when: str | None = None,
    except_columns: Sequence[str] = (),
) -> DataFrame:
    """Every version per key, with `__START_AT` and `__END_AT` (the type of `sequence_by`).

    Columns: the input columns minus `except_columns`, then `__START_AT` (the sequence value that
    opened the version) and `__END_AT` (the sequence value of the next version or of the delete
    that closed it; NULL for the current version), as AUTO CDC SCD type 2.
    """
    events = _events(df, keys, sequence_by, delete_when, except_columns)
    # The tracked state: every output column but the keys and sequence_by.
    state = F.col("__row").dropFields(*keys, sequence_by)
    in_order = Window.partitionBy(*keys).orderBy(sequence_by)
    running = in_order.rowsBetween(Window.unboundedPreceding, Window.currentRow)

    previous_is_delete = F.lag("__is_delete").over(in_order)
    previous_state = F.lag(state).over(in_order)
    is_delete = F.col("__is_delete")
    # A version starts at the first event of a key, after a delete, or when a tracked column
    # changes; a delete ends the live version (a second delete in a row changes nothing).
    opens = ~is_delete & (
        previous_is_delete.isNull() | previous_is_delete | ~previous_state.eqNullSafe(state)
    )
    closes = is_delete & ~F.coalesce(previous_is_delete, F.lit(False))
    marked = events.select(
        "*", opens.alias("__opens"), (opens | closes).alias("__boundary")
    ).withColumn("__group", F.sum(F.col("__boundary").cast("int")).over(running))

    # One row per run of events between boundaries: a version (it opened with an insert or
    # update, no-op updates after it only move sequence_by) or a deleted stretch.
    runs = marked.groupBy(*keys, "__group").agg(
        F.max(F.col("__opens").cast("int")).alias("__is_version"),
        F.min(sequence_by).alias(START_AT),
        F.max_by("__row", sequence_by).alias("__latest"),
    )
    next_run = Window.partitionBy(*keys).orderBy("__group")
    return (
        runs.withColumn(END_AT, F.lead(START_AT).over(next_run))
        .where("__is_version = 1")
        .select("__latest.*", START_AT, END_AT)
    )
