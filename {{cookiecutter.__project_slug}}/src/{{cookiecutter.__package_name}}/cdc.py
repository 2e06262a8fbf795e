"""Batch equivalents of Databricks AUTO CDC, used by the local engine.

Open-source Spark 4.3 has `create_auto_cdc_flow` too, but only into tables that support MERGE
(Delta), which a laptop without Maven access cannot load, and it has no
`create_auto_cdc_from_snapshot_flow` at all. So locally `flows.create_cdc_table` and
`flows.create_snapshot_table` recompute the target from the whole feed on every run with these
functions; on Databricks AUTO CDC maintains it incrementally. Both produce the same columns and,
for the cases below (tests/unit/test_cdc_corpus.py runs each one), the same rows:

- events apply in `sequence_by` order, not arrival order (out-of-order events are fine);
- a NULL key or `sequence_by` never gets here: AUTO CDC fails the whole update on one
  (AUTOCDC_MICROBATCH_VALIDATION), so silver quarantines such rows (`not_null_<column>`);
- exact duplicates count once; if different events share a key and a sequence value, a delete
  wins, then the greater row (by its JSON text): AUTO CDC requires one event per key and sequence
  value and leaves this case undefined, we make it deterministic;
- a delete (`delete_when` true) removes the key (SCD1) or closes its current version with
  `__END_AT` = the delete's sequence value (SCD2); a later insert brings the key back; an event
  older than the delete does not (AUTO CDC keeps a tombstone for that, two days by default);
- SCD2: an update whose tracked columns (all output columns but the keys and
  `track_history_except`) equal the current version's opens no new version; the version keeps
  its `__START_AT` and takes the newer values, as AUTO CDC's `track_history_except_column_list`;
- snapshots: versions apply in ascending order; a key missing from the next snapshot is deleted
  at that snapshot's version (SCD1: gone; SCD2: `__END_AT` = that version). A key whose row in a
  snapshot is quarantined is not missing from it: `keep_quarantined_members` puts its last
  accepted row there instead, and a snapshot row whose key or version is unknown stops the update.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

START_AT = "__START_AT"
END_AT = "__END_AT"
VERSION = "__SNAPSHOT_VERSION"


def snapshot_version(column: str, spark_type: str) -> Column:
    """A snapshot's version as BIGINT: integers as they are, dates as yyyyMMdd, timestamps as
    microseconds since the epoch. AUTO CDC's snapshot function returns it with each snapshot and
    records it in `__START_AT`/`__END_AT`; the documented examples use integer versions."""
    kind = spark_type.lower()
    if kind == "date":
        return F.date_format(column, "yyyyMMdd").cast("bigint")
    if kind.startswith("timestamp"):
        return F.unix_micros(F.col(column).cast("timestamp"))
    return F.col(column).cast("bigint")


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
    return _deduplicated(events, keys, sequence_by)


def _deduplicated(events: DataFrame, keys: Sequence[str], sequence_by: str) -> DataFrame:
    """One event per key and sequence value: a delete wins, then the greater row (JSON text)."""
    tie_break = Window.partitionBy(*keys, sequence_by).orderBy(
        F.col("__is_delete").desc(), F.to_json("__row").desc()
    )
    return (
        events.select("*", F.row_number().over(tie_break).alias("__n"))
        .where("__n = 1")
        .select(*keys, sequence_by, "__is_delete", "__row")
    )


def scd1(
    df: DataFrame,
    keys: Sequence[str],
    sequence_by: str,
    delete_when: str | None = None,
    except_columns: Sequence[str] = (),
    track_history_except: Sequence[str] = (),
) -> DataFrame:
    """The current row per key after applying every change event in `sequence_by` order.

    Columns: the input columns minus `except_columns`, in input order (as AUTO CDC SCD type 1).
    A key whose latest event is a delete is absent. `track_history_except` is for SCD2 only (it
    is accepted so both functions take the same arguments).
    """
    events = _events(df, keys, sequence_by, delete_when, except_columns)
    return _scd1_from_events(events, keys, sequence_by)


def _scd1_from_events(events: DataFrame, keys: Sequence[str], sequence_by: str) -> DataFrame:
    latest = Window.partitionBy(*keys).orderBy(F.col(sequence_by).desc())
    return (
        events.select("*", F.row_number().over(latest).alias("__n"))
        .where("__n = 1 AND NOT __is_delete")
        .select("__row.*")
    )


def scd2(
    df: DataFrame,
    keys: Sequence[str],
    sequence_by: str,
    delete_when: str | None = None,
    except_columns: Sequence[str] = (),
    track_history_except: Sequence[str] = (),
) -> DataFrame:
    """Every version per key, with `__START_AT` and `__END_AT` (the type of `sequence_by`).

    Columns: the input columns minus `except_columns`, then `__START_AT` (the sequence value that
    opened the version) and `__END_AT` (the sequence value of the next version or of the delete
    that closed it; NULL for the current version), as AUTO CDC SCD type 2. A change in
    `track_history_except` columns alone opens no version (pass `sequence_by` there, as
    `flows.create_cdc_table` does for AUTO CDC, or every event would be a new version).
    """
    events = _events(df, keys, sequence_by, delete_when, except_columns)
    return _scd2_from_events(events, keys, sequence_by, track_history_except)


def _scd2_from_events(
    events: DataFrame, keys: Sequence[str], sequence_by: str, track_history_except: Sequence[str]
) -> DataFrame:
    # The tracked state: every output column but the keys and the untracked columns.
    state = F.col("__row").dropFields(*keys, *track_history_except)
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
    ).select("*", F.sum(F.col("__boundary").cast("int")).over(running).alias("__group"))

    # One row per run of events between boundaries: a version (it opened with an insert or
    # update, no-op updates after it only move sequence_by) or a deleted stretch.
    runs = marked.groupBy(*keys, "__group").agg(
        F.max(F.col("__opens").cast("int")).alias("__is_version"),
        F.min(sequence_by).alias(START_AT),
        F.max_by("__row", sequence_by).alias("__latest"),
    )
    next_run = Window.partitionBy(*keys).orderBy("__group")
    return (
        runs.select("*", F.lead(START_AT).over(next_run).alias(END_AT))
        .where("__is_version = 1")
        .select("__latest.*", START_AT, END_AT)
    )


def from_snapshots(
    df: DataFrame,
    keys: Sequence[str],
    scd_type: int,
    track_history_except: Sequence[str] = (),
) -> DataFrame:
    """SCD1/SCD2 of a table that lands as full snapshots, as AUTO CDC from snapshots builds it.

    `df` holds every snapshot: the row columns plus `__SNAPSHOT_VERSION` (see
    `snapshot_version`). Each row is an upsert at its version; a key that a snapshot has and the
    next snapshot (the next version present in `df`) lacks is deleted at that next version.
    Columns: the row columns, plus `__START_AT`/`__END_AT` (versions) for SCD2.
    """
    row = F.struct("*").dropFields(VERSION)
    present = df.select(*keys, VERSION, row.alias("__row"))
    versions = df.select(VERSION).distinct()
    # One window over the few distinct versions: which snapshot follows which.
    following = versions.select("*", F.lead(VERSION).over(Window.orderBy(VERSION)).alias("__next"))
    per_key = Window.partitionBy(*keys).orderBy(VERSION)
    placed = present.join(following, VERSION).select(
        "*", F.lead(VERSION).over(per_key).alias("__next_of_key")
    )
    missing_next = F.col("__next").isNotNull() & (
        F.col("__next_of_key").isNull() | (F.col("__next_of_key") != F.col("__next"))
    )
    upserts = placed.select(*keys, VERSION, F.lit(False).alias("__is_delete"), "__row")
    deletes = placed.where(missing_next).select(
        *keys, F.col("__next").alias(VERSION), F.lit(True).alias("__is_delete"), "__row"
    )
    events = _deduplicated(upserts.unionByName(deletes), keys, VERSION)
    if scd_type == 2:
        return _scd2_from_events(events, keys, VERSION, track_history_except)
    return _scd1_from_events(events, keys, VERSION)


def keep_quarantined_members(
    accepted: DataFrame, rejected: DataFrame, keys: Sequence[str], table: str
) -> DataFrame:
    """Snapshot rows for `from_snapshots` (and AUTO CDC from snapshots) in which a quarantined row
    does not delete its member.

    AUTO CDC deletes (SCD1) or closes (SCD2) a key that a snapshot lacks, so leaving a
    quarantined row out would delete a member for one bad value, and its facts would fall to the
    unknown member. Instead, a key whose row in snapshot v failed a drop rule keeps the row it had
    in the latest earlier snapshot where it was accepted (unchanged: no new version); a key that
    was never accepted stays absent. A rejected row whose key or version is unknown (a line that
    does not parse, a missing or uncastable key) cannot say which member it was: the query stops
    with an error naming the table and the file, rather than delete whichever member it was.

    `accepted`: accepted snapshot rows with their version in `__SNAPSHOT_VERSION`. `rejected`:
    the rows that failed a drop rule, typed, with `__SNAPSHOT_VERSION`, `_failed_rules` and
    `_source_file`. Returns `accepted`'s columns.
    """
    unknown = reduce(Column.__or__, [F.col(k).isNull() for k in keys], F.col(VERSION).isNull())
    message = F.concat(
        F.lit(f"a snapshot row of {table} failed "),
        F.array_join("_failed_rules", ", "),
        F.lit(
            " and its key or version is unknown, so the snapshot cannot say which member it "
            "lacks (applying it could delete one): fix or remove the row in "
        ),
        F.coalesce(F.col("_source_file"), F.lit("its file")),
        F.lit(" (locally then run with a full refresh)"),
    )
    # The error is part of the key columns, not a filter: a join on the keys lets the optimizer
    # add `key IS NOT NULL` ahead of any filter, which would skip the check for exactly these rows.
    rejected_keys = rejected.select(
        *(
            F.when(unknown, F.raise_error(message)).otherwise(F.col(c)).alias(c)
            for c in [*keys, VERSION]
        )
    )
    # A key with an accepted row in the same snapshot keeps that row.
    missing = rejected_keys.join(accepted.select(*keys, VERSION), [*keys, VERSION], "left_anti")
    earlier = accepted.select(
        *keys,
        F.col(VERSION).alias("__accepted_at"),
        F.struct("*").dropFields(VERSION).alias("__row"),
    )
    carried = (
        missing.join(earlier, list(keys))
        .where(F.col("__accepted_at") < F.col(VERSION))
        .groupBy(*keys, VERSION)
        .agg(F.max_by("__row", "__accepted_at").alias("__row"))
        .select("__row.*", VERSION)
    )
    return accepted.unionByName(carried)
