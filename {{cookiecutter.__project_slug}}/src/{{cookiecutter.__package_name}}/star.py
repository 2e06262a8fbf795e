"""Gold: a star schema built from silver.

- `dim_<t>`: one row per dimension member (SCD1) or member version (SCD2), with a surrogate key
  `<t>_sk`, a `<dim>_sk` per reference to another dimension (a snowflake: customer -> nation ->
  region), an inferred member per natural key that a fact or dimension references but the
  dimension lacks (Kimball's inferred member: the key kept, the attributes unknown,
  `is_inferred` true), and an unknown member (`<t>_sk = -1`) for a NULL reference.
- `dim_date` (dates.py): one row per calendar day the facts cover, keyed by `date_sk` (yyyyMMdd).
- `fact_<t>`: the fact keys, one `<dim>_sk` per reference, `date_sk` and the date, a
  `<column>_sk` into `dim_date` per date attribute (role-playing dates), the attributes
  (degenerate dimensions) and the measures.

Surrogate keys are hashes of the natural key rather than sequence numbers: gold tables are
materialized views that are recomputed, and a hash gives a member the same key on every run and on
both engines without keeping state.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import frames
from {{ cookiecutter.__package_name }}.cdc import END_AT, START_AT
from {{ cookiecutter.__package_name }}.ingest import SOURCE_FILE
from {{ cookiecutter.__package_name }}.spec import TableSpec

UNKNOWN_SK = -1
UNKNOWN_LABEL = "Unknown"
IS_CURRENT = "is_current"
IS_INFERRED = "is_inferred"
DATE_SK = "date_sk"
_MAX_BIGINT = 9223372036854775807


def surrogate_key(*cols: Column | str) -> Column:
    """A positive BIGINT from the natural key columns (plus `__START_AT` for SCD2 versions).

    `xxhash64` is deterministic across runs, clusters and Spark versions; it is mapped to
    1..2^63-1 so a real member never collides with `UNKNOWN_SK` (-1). Two distinct keys sharing a
    hash is possible in principle (about n^2 / 2^64 for n members: negligible for dimensions).
    """
    hashed = (F.pmod(F.xxhash64(*cols), F.lit(_MAX_BIGINT)) + F.lit(1)).cast("bigint")
    return F.coalesce(hashed, F.lit(UNKNOWN_SK).cast("bigint"))  # never NULL: see known_not_null


# The neutral value per type that `known_not_null` falls back on; never used for real data.
_NEVER_USED = {
    "string": "''",
    "boolean": "false",
    "date": "DATE'1970-01-01'",
    "timestamp": "TIMESTAMP'1970-01-01 00:00:00'",
    "timestamp_ntz": "TIMESTAMP_NTZ'1970-01-01 00:00:00'",
}


def known_not_null(column: str, spark_type: str) -> Column:
    """`column` as a column Spark knows is never NULL.

    Gold declares its keys NOT NULL (primary keys need it on Databricks), and both engines refuse
    a declared NOT NULL column that the query may leave NULL. Keys are never NULL here (silver
    quarantines such rows: `not_null_<key>`), but Spark cannot know that; `coalesce` with a
    literal tells it. The literal is never used.
    """
    fallback = _NEVER_USED.get(spark_type.lower(), "0")  # numbers
    return F.coalesce(F.col(column), F.expr(fallback).cast(spark_type)).alias(column)


def dimension_columns(spec: TableSpec) -> list[str]:
    """The spec columns a dimension carries from silver: all but `except_columns`."""
    return spec.kept_columns


def history_type(spec: TableSpec) -> str:
    """The type of an SCD2 dimension's `__START_AT`/`__END_AT`: that of `sequence_by`, or BIGINT
    snapshot versions (see `cdc.snapshot_version`)."""
    return spec.columns[spec.sequence_by] if spec.sequence_by else "bigint"


def dimension(
    silver_df: DataFrame,
    spec: TableSpec,
    dimensions: dict[str, tuple[TableSpec, DataFrame]] | None = None,
    referrers: Sequence[tuple[TableSpec, DataFrame]] = (),
) -> DataFrame:
    """`dim_<t>`: `<t>_sk` first, the attributes, a `<dim>_sk` per reference, the unknown member.

    The attributes are `dimension_columns(spec)`, so audit and helper columns stay in silver.
    For SCD2 (`spec.scd_type` 2) every version is a row, keyed by hash(keys, `__START_AT`), with
    `__START_AT`, `__END_AT` and `is_current` (`__END_AT IS NULL`); for SCD1 each current member,
    keyed by hash(keys). `dimensions` maps each referenced dimension to its spec and `dimension()`
    output; a reference resolves to the referenced member's current version (-1 for a NULL
    reference), named as a fact's reference is (`reference_sk_column`).

    `referrers` are the silver tables (spec, DataFrame) of the facts and dimensions that reference
    this one. Each value they reference that no member has becomes an inferred member: its key,
    the unknown member's attributes ('Unknown' strings, NULL others), -1 references, no history
    (`__START_AT` NULL: it covers every day), keyed like a member (so it keeps its surrogate key
    for SCD1 when the real member arrives; a recomputed gold then gives it its attributes), and
    `is_inferred` true. So sales of four stores the store file lacks keep four store keys
    instead of one unknown member. The unknown member has `<t>_sk = -1`, NULL keys, 'Unknown' in
    string attributes, NULL in the others and -1 in its references (`is_current` true, so a
    filter on current rows keeps it); `is_inferred` is false for it and for every real member.
    """
    attributes = dimension_columns(spec)
    scd2 = spec.scd_type == 2
    key_columns = [*spec.keys, START_AT] if scd2 else list(spec.keys)
    history = [START_AT, END_AT] if scd2 else []
    references = list(spec.references)
    linked = silver_df
    found_keys: dict[str, Column] = {}
    for index, column in enumerate(references):
        dimension_spec, dim_df = (dimensions or {})[spec.references[column]]
        linked, found = _look_up(linked, spec, column, dimension_spec, dim_df, index, day=None)
        found_keys[reference_sk_column(spec, column)] = found
    sk_columns = list(found_keys)
    members = linked.select(
        surrogate_key(*key_columns).alias(spec.surrogate_key),
        *attributes,
        *(found.alias(name) for name, found in found_keys.items()),
        *history,
        F.lit(False).alias(IS_INFERRED),
    )

    def unknown_value(name: str) -> Column:
        type_ = spec.columns[name]
        if type_.lower() == "string" and name not in spec.keys:
            return F.lit(UNKNOWN_LABEL)
        return F.lit(None).cast(type_)

    # Built from the spec, not from `members.schema`: query functions must not analyze.
    unknown = silver_df.sparkSession.range(1).select(
        F.lit(UNKNOWN_SK).cast("bigint").alias(spec.surrogate_key),
        *(unknown_value(name).alias(name) for name in attributes),
        *(F.lit(UNKNOWN_SK).cast("bigint").alias(name) for name in sk_columns),
        *(F.lit(None).cast(history_type(spec)).alias(name) for name in history),
        F.lit(False).alias(IS_INFERRED),
    )
    rows = [members, unknown]
    missing = _referenced_keys_missing(silver_df, spec, referrers)
    if missing is not None:
        key = spec.keys[0]
        no_start = [F.lit(None).cast(history_type(spec))] if scd2 else []
        rows.append(
            missing.select(
                surrogate_key(key, *no_start).alias(spec.surrogate_key),
                *(F.col(n) if n == key else unknown_value(n).alias(n) for n in attributes),
                *(F.lit(UNKNOWN_SK).cast("bigint").alias(name) for name in sk_columns),
                *(F.lit(None).cast(history_type(spec)).alias(name) for name in history),
                F.lit(True).alias(IS_INFERRED),
            )
        )
    if scd2:
        rows = [df.select("*", F.col(END_AT).isNull().alias(IS_CURRENT)) for df in rows]
    return frames.balanced(DataFrame.union, rows)  # same columns in the same order


def _referenced_keys_missing(
    silver_df: DataFrame, spec: TableSpec, referrers: Sequence[tuple[TableSpec, DataFrame]]
) -> DataFrame | None:
    """The distinct non-NULL values that `referrers` reference in `spec` and no member of
    `silver_df` has, as a one-column DataFrame named and typed like the key (None: no referrer)."""
    if len(spec.keys) != 1:
        return None  # only a single-key dimension can be referenced
    key = spec.keys[0]
    referenced = [
        df.select(F.col(column).cast(spec.columns[key]).alias(key))
        for referrer, df in referrers
        for column, target in referrer.references.items()
        if target == spec.name
    ]
    if not referenced:
        return None
    values = frames.balanced(DataFrame.union, referenced).where(F.col(key).isNotNull())
    known = silver_df.select(key)
    # groupBy for the distinct values: `dropDuplicates` would analyze its input (see frames).
    return values.join(known, key, "left_anti").groupBy(key).agg(F.count(F.lit(1)).alias("__n"))


def date_sk(date: Column | str) -> Column:
    """`date_sk` of a date: yyyyMMdd as INT, -1 when the date is NULL."""
    return F.coalesce(F.date_format(date, "yyyyMMdd").cast("int"), F.lit(UNKNOWN_SK).cast("int"))


def reference_sk_column(spec: TableSpec, column: str) -> str:
    """Name of the surrogate key column a fact reference becomes.

    `<dimension>_sk` (e.g. `customers_sk`); when a fact references one dimension through several
    columns (ship-to and bill-to customer) each gets `<column>_sk` instead.
    """
    dimension_name = spec.references[column]
    if list(spec.references.values()).count(dimension_name) > 1:
        return f"{column}_sk"
    return f"{dimension_name}_sk"


def _look_up(
    df: DataFrame,
    spec: TableSpec,
    column: str,
    dimension_spec: TableSpec,
    dim_df: DataFrame,
    index: int,
    day: Column | None,
) -> tuple[DataFrame, Column]:
    """`df` joined to the members of `dimension_spec` that `column` points at, and the surrogate
    key found: the member whose (single) key equals `column`, -1 when there is none.

    Only a join, so a fact with many references is a chain of joins, two protobuf levels each
    (Spark Connect refuses plans deeper than 100): the caller selects the keys at the end.

    SCD1: the member with that key. SCD2, with a `day` (a fact's date): the version in force at
    the end of that day: `to_date(__START_AT) <= day` and (`__END_AT` is NULL or
    `day < to_date(__END_AT)`); the first version of a key also covers every earlier day (a member
    usually reaches the source system after its first fact happened, and its earliest known
    attributes are a better answer than the unknown member); a NULL day gets the current version.
    SCD2 without a day (a dimension's reference), or whose versions have no dates (`sequence_by` a
    version number, or snapshot versions): the current version.
    """
    if len(dimension_spec.keys) != 1:
        raise ValueError(
            f"{spec.name}.{column} references {dimension_spec.name}, whose key has "
            f"{len(dimension_spec.keys)} columns; a reference needs a single-column key"
        )
    prefix = f"__d{index}_"
    key, sk = dimension_spec.keys[0], dimension_spec.surrogate_key
    members = dim_df.where(F.col(sk) != UNKNOWN_SK)
    condition = F.col(column) == F.col(f"{prefix}key")
    if dimension_spec.scd_type == 2:
        first_start = F.min(START_AT).over(Window.partitionBy(key))
        members = members.select(
            F.col(key).alias(f"{prefix}key"),
            F.col(sk).alias(f"{prefix}sk"),
            F.col(START_AT).alias(f"{prefix}start"),
            F.col(END_AT).alias(f"{prefix}end"),
            (F.col(START_AT) == first_start).alias(f"{prefix}first"),
        )
        start, end = F.col(f"{prefix}start"), F.col(f"{prefix}end")
        dated = history_type(dimension_spec).lower() in ("date", "timestamp", "timestamp_ntz")
        if day is not None and dated:
            # An inferred member has no history (`__START_AT` NULL): it covers every day.
            first = F.col(f"{prefix}first") | start.isNull()
            in_force = (F.to_date(start) <= day) | first
            in_force &= end.isNull() | (day < F.to_date(end))
            condition &= F.when(day.isNull(), end.isNull()).otherwise(in_force)
        else:
            condition &= end.isNull()
    else:
        members = members.select(F.col(key).alias(f"{prefix}key"), F.col(sk).alias(f"{prefix}sk"))
    found = F.coalesce(F.col(f"{prefix}sk"), F.lit(UNKNOWN_SK))
    return df.join(members, condition, "left"), found


def role_playing_sk_column(column: str) -> str:
    """The `dim_date` key of a fact's date attribute: `<column>_sk` (the date column has
    `date_sk`)."""
    return f"{column}_sk"


def fact_identity(spec: TableSpec) -> list[str]:
    """The columns that identify a row of `fact_<t>`: its keys, or `<t>_sk` for a fact with no
    natural key (see `row_identity`)."""
    return list(spec.keys) if spec.keys else [spec.surrogate_key]


def fact_columns(spec: TableSpec) -> list[str]:
    """The columns of `fact_<t>`, in order: keys (or `<t>_sk`), `<dim>_sk` per reference,
    `date_sk` and the date column, `<column>_sk` per date attribute, the attributes, the
    measures."""
    sk_columns = [reference_sk_column(spec, column) for column in spec.references]
    dates = [DATE_SK, spec.date_column] if spec.date_column else []
    role_playing = [role_playing_sk_column(c) for c in spec.date_columns if c != spec.date_column]
    identity = fact_identity(spec)
    ordered = [*identity, *sk_columns, *dates, *role_playing, *spec.attributes, *spec.measures]
    return list(dict.fromkeys(ordered))


def row_identity(spec: TableSpec) -> Column:
    """`<t>_sk` of a row of a fact with no natural key: a hash of the name of the file it landed
    in, its values and its occurrence among the identical rows of files of that name. Two
    identical events are two events (a click logged twice), so each keeps a row; the same files
    read again give the same keys, so a recomputed gold keeps them. The name, not the path: the
    landing folder's path differs between Databricks and a laptop, the keys do not.
    Needs `__row_text` (see `fact`)."""
    file_name = F.element_at(F.split(F.col(SOURCE_FILE), "/"), -1)
    same_rows = Window.partitionBy(file_name, "__row_text").orderBy("__row_text")
    return surrogate_key(file_name, "__row_text", F.row_number().over(same_rows))


def fact(
    silver_df: DataFrame, spec: TableSpec, dimensions: dict[str, tuple[TableSpec, DataFrame]]
) -> DataFrame:
    """`fact_<t>`: see `fact_columns`. Each reference is looked up with a left join on the
    dimension's (single) key, at the fact's date (`_look_up`); a key the dimension never had
    finds its inferred member (see `dimension`), and no match at all (a NULL key, a key deleted
    before the fact's date) gives -1. `date_sk` and each `<column>_sk` are yyyyMMdd of their
    date, -1 when it is NULL. A fact with no natural key gets `<t>_sk` (`row_identity`).

    `dimensions` maps a dimension table name to its spec and its `dimension()` output.
    """
    result = silver_df
    day = F.col(spec.date_column) if spec.date_column else None
    computed: dict[str, Column] = {}  # output column -> expression, selected once at the end
    for index, (column, dimension_name) in enumerate(spec.references.items()):
        dimension_spec, dim_df = dimensions[dimension_name]
        result, found = _look_up(result, spec, column, dimension_spec, dim_df, index, day)
        computed[reference_sk_column(spec, column)] = found
    for column in spec.date_columns:
        name = DATE_SK if column == spec.date_column else role_playing_sk_column(column)
        computed[name] = date_sk(column)
    computed.update({name: known_not_null(name, spec.columns[name]) for name in spec.keys})
    if not spec.keys:
        # Every column as JSON text: comparable even when a column holds a map.
        row_text = F.to_json(F.struct(*spec.kept_columns))
        result = result.select("*", row_text.alias("__row_text"))
        computed[spec.surrogate_key] = row_identity(spec)
    return result.select(
        *(computed.get(name, F.col(name)).alias(name) for name in fact_columns(spec))
    )
