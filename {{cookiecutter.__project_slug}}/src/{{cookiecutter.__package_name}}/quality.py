"""Silver data quality: typing, expectations, quarantine and de-duplication.

`check()` does the work once and records the outcome on every row, so both engines agree on it:

- a raw value equal to one of the table's `null_values` markers (`NA`, `\\N`) is read as NULL;
- every spec column is `try_cast` to its spec type; a non-NULL raw value that does not cast fails
  the implicit rule `castable_<column>` (action drop) instead of silently becoming NULL;
- a record the reader could not parse at all (its text is in `_corrupt_record`) fails
  `malformed_record` (action drop);
- a missing key, `sequence_by` or `snapshot_by` value fails `not_null_<column>` (action drop):
  AUTO CDC on Databricks would stop the whole update on it, and the local engine could not place
  the row in any order;
- a fact date (the date column or a date attribute) outside the table's `date_range` fails
  `in_date_range_<column>` (action drop), so one stray `9999-12-31` cannot stretch `dim_date` over
  millions of days;
- each spec rule is evaluated on the typed columns; a NULL result counts as a failure
  (`coalesce(expr, false)`), so `amount >= 0` drops a row whose amount is missing.

`accepted()` and `quarantined()` split the checked rows on `_failed_rules`: each row lands in
exactly one of them. Accepted rows keep `_warned_rules`, the warn rules they break, so silver shows
them on both engines. `expectations()` turns the same outcome into `dp.expect_all*` constraints, so
the Databricks event log counts exactly the rows the local engine drops.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import frames
from {{ cookiecutter.__package_name }}.ingest import AUDIT_COLUMNS, CORRUPT_COLUMN, RESCUED_COLUMN
from {{ cookiecutter.__package_name }}.spec import TableSpec, quote

MALFORMED_RULE = "malformed_record"
FAILED_RULES = "_failed_rules"
WARNED_RULES = "_warned_rules"
RAW_COLUMN = "_raw"
QUARANTINED_AT = "_quarantined_at"
READER_COLUMNS = (RESCUED_COLUMN, CORRUPT_COLUMN)
HELPER_COLUMNS = (*READER_COLUMNS, FAILED_RULES, RAW_COLUMN)
"""Columns `check()` adds for the quarantine's sake; silver leaves them out (it keeps
`_warned_rules`)."""

# A drop expectation reads the outcome `check()` recorded; `passes_all` recognizes the form.
_RECORDED_DROP = re.compile(rf"NOT array_contains\({FAILED_RULES}, '(\w+)'\)")


def _recorded_drop_sql(rule: str) -> str:
    return f"NOT array_contains({FAILED_RULES}, '{rule}')"


def castable_rule(column: str) -> str:
    """Name of the implicit rule that fails when a raw value of `column` does not cast."""
    return f"castable_{column}"


def not_null_rule(column: str) -> str:
    """Name of the implicit rule that fails when a key or ordering value is missing."""
    return f"not_null_{column}"


def date_range_rule(column: str) -> str:
    """Name of the implicit rule that fails when a fact date is outside `date_range`."""
    return f"in_date_range_{column}"


def _implicit_rules(spec: TableSpec) -> list[tuple[str, Column]]:
    """(name, failed) of every implicit drop rule, over the raw `__raw_<c>` and typed columns."""
    rules = [(MALFORMED_RULE, F.col(CORRUPT_COLUMN).isNotNull())]
    rules += [
        (castable_rule(name), F.col(f"__raw_{name}").isNotNull() & F.col(name).isNull())
        for name, type_ in spec.columns.items()
        if type_.lower() != "string"
    ]
    # A raw NULL: a value that is there but does not cast is castable_<column>'s business.
    rules += [
        (not_null_rule(name), F.col(f"__raw_{name}").isNull()) for name in spec.not_null_columns
    ]
    if spec.date_range:
        first, last = (F.lit(bound).cast("date") for bound in spec.date_range)
        for column in spec.date_columns:
            day = F.to_date(column)
            outside = day.isNotNull() & ~day.between(first, last)
            rules.append((date_range_rule(column), outside))
    return rules


def implicit_rule_names(spec: TableSpec) -> list[str]:
    """The implicit drop rules of a table, in the order `_failed_rules` lists them."""
    names = [MALFORMED_RULE]
    names += [castable_rule(n) for n, type_ in spec.columns.items() if type_.lower() != "string"]
    names += [not_null_rule(name) for name in spec.not_null_columns]
    if spec.date_range:
        names += [date_range_rule(column) for column in spec.date_columns]
    return names


def drop_rule_names(spec: TableSpec) -> list[str]:
    """Every rule that can put a row in quarantine, in the order `_failed_rules` lists them."""
    return [*implicit_rule_names(spec), *(rule.name for rule in spec.rules_with("drop"))]


def _failed_names(conditions: list[tuple[str, Column]]) -> Column:
    """array<string> of the names whose condition is true, in list order (empty, never NULL)."""
    names = [F.when(failed, F.lit(name)) for name, failed in conditions]
    if not names:
        return F.array().cast("array<string>")
    return F.filter(F.array(*names), lambda name: name.isNotNull())


def _holds(expr: str) -> Column:
    """A rule's SQL as a column that is true only when the rule holds (NULL counts as failure)."""
    return F.coalesce(F.expr(expr), F.lit(False))


def _unmarked(column: str, null_values: Sequence[str]) -> Column:
    """The raw column, NULL where its text is one of the table's null markers. Markers are meant
    for text files (csv's `NA`); in a typed file (parquet) a marker `0` would also match a 0."""
    if not null_values:
        return F.col(column)
    marked = F.col(column).cast("string").isin(*null_values)
    return F.when(marked, F.lit(None)).otherwise(F.col(column))


def check(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Type the spec columns and record which rules each row fails.

    `df` holds bronze rows: the spec columns (raw), `_rescued_data`, `_corrupt_record` and the
    audit columns. Returns the typed spec columns (spec order), `_rescued_data`,
    `_corrupt_record`, the audit columns, `_failed_rules` (array<string>: failed drop rules, the
    implicit ones first, in `drop_rule_names` order), `_warned_rules` (failed warn rules, spec
    order) and `_raw` (JSON of the raw spec columns and the reader's columns, for the quarantine
    table). `fail` rules are not evaluated here: see `fail_fast` and
    `expectations(spec, "fail")`.

    Pipeline query functions may not analyze a DataFrame (no `df.columns`, no `drop`), so this
    names every column it keeps. Works on batch and streaming DataFrames.
    """
    raw_columns = list(spec.columns)
    # The quarantine shows the values as landed, null markers included.
    raw_json = F.to_json(
        F.struct(*(F.col(name) for name in raw_columns), *READER_COLUMNS)
    ).alias(RAW_COLUMN)
    raw = df.select(
        *(_unmarked(name, spec.null_values).alias(f"__raw_{name}") for name in raw_columns),
        *READER_COLUMNS,
        *AUDIT_COLUMNS,
        raw_json,
    )
    typed = raw.select(
        "*",
        *(
            # try_cast: NULL when the value does not fit; castable_<column> below records why.
            F.col(f"__raw_{name}").try_cast(type_).alias(name)
            for name, type_ in spec.columns.items()
        ),
    )

    failed = _implicit_rules(spec)
    failed += [(rule.name, ~_holds(rule.expr)) for rule in spec.rules_with("drop")]
    warned = [(rule.name, ~_holds(rule.expr)) for rule in spec.rules_with("warn")]
    return typed.select(
        *raw_columns,
        *READER_COLUMNS,
        *AUDIT_COLUMNS,
        _failed_names(failed).alias(FAILED_RULES),
        _failed_names(warned).alias(WARNED_RULES),
        RAW_COLUMN,
    )


def expectations(spec: TableSpec, action: str) -> dict[str, str]:
    """Rule name -> SQL constraint for `expectations.expect_all*`, over the output of `check()`.

    `drop` gives every rule of `drop_rule_names` (the implicit ones too), `warn` the warn rules:
    both read the outcome `check()` recorded (`NOT array_contains(_failed_rules, 'rule')`), so the
    Databricks event log counts the same rows as the quarantine table, NULL results included.
    `fail` gives each fail rule's own expression wrapped in `coalesce(..., false)`, checked only on
    rows that passed every drop rule.
    """
    if action == "drop":
        return {name: _recorded_drop_sql(name) for name in drop_rule_names(spec)}
    if action == "warn":
        return {
            rule.name: f"NOT array_contains({WARNED_RULES}, '{rule.name}')"
            for rule in spec.rules_with("warn")
        }
    if action == "fail":
        # A row already bound for quarantine does not stop the update: a line that does not
        # even parse is reported with its reason instead. Both engines apply this.
        return {
            rule.name: f"size({FAILED_RULES}) > 0 OR coalesce(({rule.expr}), false)"
            for rule in spec.rules_with("fail")
        }
    raise ValueError(f"unknown action {action!r}")


def passes_all(rules: Mapping[str, str]) -> Column:
    """True for a row that passes every rule (name -> SQL; a NULL result fails), as one condition.

    The local engine's stand-in for `dp.expect_all_or_drop`. The drop rules of `expectations`
    all read `_failed_rules`; ANDed one by one, the optimizer would copy the whole rule
    evaluation behind that column into the filter once per rule (13 rules made a 60-row table
    take 6 s instead of 1 s), so those become one `arrays_overlap` that reads it once.
    """
    recorded = [_RECORDED_DROP.fullmatch(constraint) for constraint in rules.values()]
    if rules and all(recorded):
        names = F.array(*(F.lit(match.group(1)) for match in recorded if match))
        return F.coalesce(~F.arrays_overlap(F.col(FAILED_RULES), names), F.lit(False))
    return frames.balanced(
        Column.__and__,
        [F.coalesce(F.expr(constraint), F.lit(False)) for constraint in rules.values()],
        empty=F.lit(True),
    )


def accepted(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Checked rows that failed no drop rule: the typed spec columns (but `except_columns`), the
    audit columns and `_warned_rules`."""
    return df.where(F.size(FAILED_RULES) == 0).select(
        *spec.kept_columns, *AUDIT_COLUMNS, WARNED_RULES
    )


def quarantined(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Checked rows that failed at least one drop rule, as they arrived.

    Columns: the spec columns with their raw (untyped, STRING) values, `_rescued_data`,
    `_corrupt_record` (the text of a line that did not parse), the audit columns, `_failed_rules`
    and `_quarantined_at`.
    """
    names = [*spec.columns, *READER_COLUMNS]
    # from_json treats a `_corrupt_record` field as its own corrupt-record column (NULL for good
    # JSON) unless told another name: here it is a plain field of the stored raw row.
    raw = F.from_json(
        RAW_COLUMN,
        ", ".join(f"{quote(name)} string" for name in names),
        {"columnNameOfCorruptRecord": "__not_a_column"},
    )
    return df.where(F.size(FAILED_RULES) > 0).select(
        *(raw.getField(name).alias(name) for name in names),
        *AUDIT_COLUMNS,
        FAILED_RULES,
        F.current_timestamp().alias(QUARANTINED_AT),
    )


def fail_fast(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Stop the query on the first row that fails a `fail` rule (NULL counts as failure).

    Meant for rows that passed the drop rules (as `flows.create_cdc_table` uses it), matching
    `expectations(spec, "fail")`. The error names the rule and the row's key, e.g.
    `expectation valid_key failed for customer_id=7`. Rows are returned unchanged otherwise.
    Locally this is what stops the update; on Databricks `dp.expect_all_or_fail` does it.
    """
    rules = spec.rules_with("fail")
    if not rules:
        return df
    key = F.concat_ws(
        ", ",
        *(
            F.concat(F.lit(f"{k}="), F.coalesce(F.col(k).cast("string"), F.lit("NULL")))
            for k in spec.keys
        ),
    )
    # A filter, not a projection: the optimizer may prune an unused projected column, but it
    # must evaluate a filter on every row. The guard is true, or raises.
    failures = [
        (~_holds(rule.expr), F.concat(F.lit(f"expectation {rule.name} failed for "), key))
        for rule in rules
    ]
    return df.where(frames.true_or_raise(failures))


def natural_order(path: Column | str) -> Column:
    """A sort key that orders text the way people number files: `part-9` before `part-10`.

    Each run of digits becomes its length (three digits) followed by the digits without leading
    zeros, so numbers compare by value whatever their width; other text compares as it is.
    """
    runs = F.regexp_extract_all(path, F.lit(r"(\d+|\D+)"), 1)

    def comparable(run: Column) -> Column:
        digits = F.regexp_replace(run, "^0+(?=.)", "")
        return F.when(run.rlike(r"^\d"), F.concat(F.lpad(F.length(digits), 3, "0"), digits))

    return F.array_join(F.transform(runs, lambda run: F.coalesce(comparable(run), run)), "")


def arrival_order() -> list[Column]:
    """How `dedupe_latest` orders the rows of a table without `sequence_by`, latest first: by the
    path of the landed file in natural order (`part-9` before `part-10`; for Kafka
    `topic/partition/offset`), then by load.

    Names, not modification times: a parallel upload (`databricks fs cp -r`) gives files times
    in any order, so times would make Databricks and a local run keep different rows. A name is
    the same on both engines and in a full refresh (which reads every file in one load). Name
    files so that later ones sort later (a date or a sequence number in the name).
    """
    return [natural_order(F.col("_source_file")), F.col("_ingested_at")]


def dedupe_latest(
    df: DataFrame,
    keys: Sequence[str],
    order_by: Sequence[str | Column],
    rows_are_orderable: bool = True,
) -> DataFrame:
    """One row per key: the first by `order_by` (names or columns) descending (NULLs last).

    Ties (same key and same `order_by` values) go to the greater row, compared column by column,
    so the same input always keeps the same row. A row with a map column cannot be compared
    (`TableSpec.rows_are_orderable` is false): its JSON text is compared instead, which costs
    about twice as much (writing every row as JSON). Batch only (it uses a window). The columns
    are the input's.
    """
    row = F.struct("*")
    tie_break = row if rows_are_orderable else F.to_json(row)
    columns = [F.col(c) if isinstance(c, str) else c for c in order_by]
    window = Window.partitionBy(*keys).orderBy(
        *(column.desc_nulls_last() for column in columns), tie_break.desc()
    )
    # Select the row as a struct and expand it again: `drop` would analyze the DataFrame, which
    # pipeline query functions do not allow.
    ranked = df.select(row.alias("__row"), F.row_number().over(window).alias("__rank"))
    return ranked.where("__rank = 1").select("__row.*")
