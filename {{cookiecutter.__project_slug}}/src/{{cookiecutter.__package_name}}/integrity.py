"""Gold integrity: the promises the star schema makes, checked as data after every update.

`checks()` gives one row per (table, rule) in `gold_integrity_checks`: `check_id`
(`<table>.<rule>`), `table`, `rule`, `failures` (how many keys break it, 0 when it holds) and
`sample` (one offending key, as text). On Databricks the informational PRIMARY and FOREIGN KEY
constraints (`constraints.py`) state the same promises to BI tools and the optimizer without
checking them; these rows are the check, on both engines. `expectations()` turns the rows into
`expect_all*` rules: `fail` stops the update on a broken promise, `warn` records it.

Rules:
- `unique_<sk>`: a dimension's surrogate keys are unique (its primary key);
- `unique_keys`: a fact's keys (`<t>_sk` for a fact with no key) are unique (its primary key);
- `known_<column>`: every `<dimension>_sk` of a fact or snowflaked dimension exists in that
  dimension (the foreign key; -1 is the dimension's unknown member, so it exists);
- `one_current_version`: an SCD2 key has at most one current version, and it is the latest one
  (a key whose last version was closed by a delete has none);
- `no_overlapping_versions`: the versions of an SCD2 key do not overlap in time;
- `known_<date key>`: every `date_sk` and role-playing `<column>_sk` of a fact exists in `dim_date`.

And one count that is not a promise: `inferred_members` (a referenced dimension) counts the members
inferred from keys that facts or dimensions reference and the dimension lacks (`star.dimension`);
its `failures` is that count and a sample key, and it never stops an update (`expectations`
leaves it out).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import frames, star
from {{ cookiecutter.__package_name }}.cdc import END_AT, START_AT
from {{ cookiecutter.__package_name }}.spec import TableSpec

DATASET = "gold_integrity_checks"
INFERRED_MEMBERS = "inferred_members"  # a count, never a failure

ReadTable = Callable[[str], DataFrame]


def gold_table(spec: TableSpec) -> str:
    return f"dim_{spec.name}" if spec.is_dimension else f"fact_{spec.name}"


def _check_row(table: str, rule: str, broken: bool, sample: Column) -> list[Column]:
    """A row of `_violations`: the check's columns, whether it is a broken row, a sample."""
    return [
        F.lit(f"{table}.{rule}").alias("check_id"),
        F.lit(table).alias("table"),
        F.lit(rule).alias("rule"),
        F.lit(broken).alias("__broken"),
        sample.cast("string").alias("sample"),
    ]


def _violations(table: str, rule: str, offending: DataFrame, sample: Column) -> DataFrame:
    """Every row of `offending` as a broken row of check `<table>.<rule>`, with its `sample`
    text. `checks()` counts all checks' rows in one aggregation: one per check made the star's
    checks a plan of about 100 stages, mostly overhead on small tables."""
    return offending.select(*_check_row(table, rule, True, sample))


def _key_text(columns: Iterable[str]) -> Column:
    return F.concat_ws(
        ", ",
        *(
            F.concat(F.lit(f"{c}="), F.coalesce(F.col(c).cast("string"), F.lit("NULL")))
            for c in columns
        ),
    )


def unique(table: str, df: DataFrame, columns: list[str], rule: str) -> DataFrame:
    duplicated = df.groupBy(*columns).agg(F.count(F.lit(1)).alias("__rows")).where("__rows > 1")
    return _violations(table, rule, duplicated, _key_text(columns))


def known(table: str, df: DataFrame, column: str, target: DataFrame, target_key: str) -> DataFrame:
    """Rows of `df` whose `column` is not a `target_key` of `target` (an anti join: a key twice
    in `target` changes nothing, so no `distinct` and its shuffle)."""
    keys = target.select(F.col(target_key).alias("__key"))
    orphans = df.join(keys, F.col(column) == F.col("__key"), "left_anti")
    return _violations(table, f"known_{column}", orphans, F.col(column))


def one_current_version(table: str, dim: DataFrame, spec: TableSpec) -> DataFrame:
    members = dim.where(F.col(spec.surrogate_key) != star.UNKNOWN_SK)
    per_key = members.groupBy(*spec.keys).agg(
        F.sum(F.col(END_AT).isNull().cast("int")).alias("__current"),
        F.max(F.when(F.col(END_AT).isNull(), F.col(START_AT))).alias("__current_start"),
        F.max(START_AT).alias("__latest_start"),
    )
    broken = per_key.where("__current > 1 OR (__current = 1 AND __current_start < __latest_start)")
    return _violations(table, "one_current_version", broken, _key_text(spec.keys))


def no_overlapping_versions(table: str, dim: DataFrame, spec: TableSpec) -> DataFrame:
    members = dim.where(F.col(spec.surrogate_key) != star.UNKNOWN_SK)
    following = F.lead(START_AT).over(Window.partitionBy(*spec.keys).orderBy(START_AT))
    versions = members.select(*spec.keys, START_AT, END_AT, following.alias("__next_start"))
    overlapping = versions.where(
        F.col("__next_start").isNotNull()
        & (F.col(END_AT).isNull() | (F.col(END_AT) > F.col("__next_start")))
    )
    keys = _key_text([*spec.keys, START_AT])
    return _violations(table, "no_overlapping_versions", overlapping, keys)


def checks(tables: Iterable[TableSpec], read: ReadTable) -> DataFrame:
    """Every integrity check of the star that `tables` describe, reading gold with `read`."""
    specs = {spec.name: spec for spec in tables}
    results: list[DataFrame] = []
    dim_date = None
    for spec in specs.values():
        table = gold_table(spec)
        gold = read(table)
        if spec.is_dimension:
            sk = spec.surrogate_key
            results.append(unique(table, gold, [sk], f"unique_{sk}"))
            if referenced(spec, specs.values()):
                inferred = gold.where(F.col(star.IS_INFERRED))
                results.append(_violations(table, INFERRED_MEMBERS, inferred, _key_text(spec.keys)))
            if spec.scd_type == 2:
                results.append(one_current_version(table, gold, spec))
                results.append(no_overlapping_versions(table, gold, spec))
        else:
            results.append(unique(table, gold, star.fact_identity(spec), "unique_keys"))
            for column in spec.date_columns:
                dim_date = dim_date or read("dim_date")
                date_key = (
                    star.DATE_SK
                    if column == spec.date_column
                    else star.role_playing_sk_column(column)
                )
                results.append(known(table, gold, date_key, dim_date, star.DATE_SK))
        for column, dimension in spec.references.items():
            target = specs[dimension]
            sk_column = star.reference_sk_column(spec, column)
            results.append(
                known(table, gold, sk_column, read(gold_table(target)), target.surrogate_key)
            )
    # One row per check, broken or not: a row that breaks nothing for each.
    every_check = F.array(
        *(
            F.struct(*_check_row(*check_id.split(".", 1), False, F.lit(None)))
            for check_id in check_ids(specs.values())
        )
    )
    results.append(gold.sparkSession.range(1).select(F.inline(every_check)))
    return (
        frames.balanced(DataFrame.unionByName, results)
        .groupBy("check_id", "table", "rule")
        .agg(
            F.count_if("__broken").alias("failures"),
            F.min(F.when(F.col("__broken"), F.col("sample"))).alias("sample"),
        )
    )


def referenced(spec: TableSpec, tables: Iterable[TableSpec]) -> bool:
    """Whether any table references `spec` (it may then hold inferred members)."""
    return any(spec.name in other.references.values() for other in tables)


def is_count(check_id: str) -> bool:
    """A row that counts something (inferred members) rather than checking a promise."""
    return check_id.endswith(f".{INFERRED_MEMBERS}")


def expectations(tables: Iterable[TableSpec]) -> dict[str, str]:
    """Check id -> SQL that holds when that check's row reports no failure (counts excluded)."""
    return {
        check_id: f"check_id <> '{check_id}' OR failures = 0"
        for check_id in check_ids(tables)
        if not is_count(check_id)
    }


def check_ids(tables: Iterable[TableSpec]) -> list[str]:
    """The `check_id` of every row `checks()` returns (one row each, in no set order)."""
    specs = {spec.name: spec for spec in tables}
    ids = []
    for spec in specs.values():
        table = gold_table(spec)
        if spec.is_dimension:
            ids.append(f"{table}.unique_{spec.surrogate_key}")
            if referenced(spec, specs.values()):
                ids.append(f"{table}.{INFERRED_MEMBERS}")
            if spec.scd_type == 2:
                ids += [f"{table}.one_current_version", f"{table}.no_overlapping_versions"]
        else:
            ids.append(f"{table}.unique_keys")
            ids += [
                f"{table}.known_"
                + (star.DATE_SK if c == spec.date_column else star.role_playing_sk_column(c))
                for c in spec.date_columns
            ]
        ids += [f"{table}.known_{star.reference_sk_column(spec, c)}" for c in spec.references]
    return ids
