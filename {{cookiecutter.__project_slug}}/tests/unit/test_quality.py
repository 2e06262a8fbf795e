"""quality: typing, implicit and declared rules, null markers, malformed records (where rows go:
test_quarantine.py; which row wins: test_dedupe.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import quality
from {{ cookiecutter.__package_name }}.spec import TableSpec

from .orders_bronze import (
    AUDIT,
    ORDERS,
    OUTCOME_SCHEMA,
    T1,
    TS1,
    bronze,
    outcome,
)


def test_implicit_rules_come_first_in_a_fixed_order():
    assert quality.implicit_rule_names(ORDERS) == [
        "malformed_record",
        "castable_order_id",
        "castable_order_date",
        "castable_amount",
        "castable_updated_at",
        "not_null_order_id",
        "not_null_updated_at",
        "in_date_range_order_date",
    ]
    assert quality.drop_rule_names(ORDERS)[-1] == "non_negative_amount"


def test_check_types_columns_and_keeps_audit(spark):
    rows = [("1", "first", "2024-01-05", "10.50", T1, None, None, "f1.json")]
    actual = quality.check(bronze(spark, rows), ORDERS).drop("_raw", *AUDIT)
    expected = frame(
        spark,
        [
            (
                1,
                "first",
                dt.date(2024, 1, 5),
                Decimal("10.50"),
                TS1,
                None,
                None,
                "f1.json",
                [],
                [],
            )
        ],
        "order_id bigint, note string, order_date date, amount decimal(12,2), "
        "updated_at timestamp, _rescued_data string, _corrupt_record string, "
        "_source_file string, _failed_rules array<string>, _warned_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_values_that_do_not_cast_fail_castable_rules_in_spec_order(spark):
    rows = [
        ("x", "bad key", "2024-01-05", "1.00", T1, None, None, None),
        ("2", "bad date and amount", "2024-13-01", "ten", T1, None, None, None),
        ("3", None, None, "2.00", T1, None, None, None),  # NULL raw values are not cast failures
    ]
    actual = outcome(quality.check(bronze(spark, rows), ORDERS))
    expected = frame(
        spark,
        [
            # A key that is there but does not cast is castable_*'s business, not not_null_*.
            (None, ["castable_order_id"], []),
            (2, ["castable_order_date", "castable_amount", "non_negative_amount"], []),
            (3, [], ["has_note"]),
        ],
        OUTCOME_SCHEMA,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_null_markers_read_as_null_in_every_column_but_quarantine_keeps_the_text(spark):
    """A file that writes `NA` or `\\N` for a missing value: without `null_values` each marker
    would fail castable_<column>; with them, a marker is a NULL, judged like any other NULL."""
    marked = dataclasses.replace(ORDERS, null_values=("NA", "\\N"))
    rows = [
        ("1", "NA", "2024-01-05", "\\N", T1, None, None, None),  # note NULL: warned only
        ("NA", "keyless", "2024-01-05", "1.00", T1, None, None, None),  # NULL key: dropped
        (
            "3",
            "na",
            "2024-01-05",
            "2.00",
            T1,
            None,
            None,
            None,
        ),  # a marker matches exactly: na is text
    ]
    checked = quality.check(bronze(spark, rows), marked)
    actual = checked.select("order_id", "note", "amount", "_failed_rules", "_warned_rules")
    expected = frame(
        spark,
        [
            (1, None, None, ["non_negative_amount"], ["has_note"]),
            (None, "keyless", Decimal("1.00"), ["not_null_order_id"], []),
            (3, "na", Decimal("2.00"), [], []),
        ],
        "order_id bigint, note string, amount decimal(12,2), _failed_rules array<string>, "
        "_warned_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    quarantined = quality.quarantined(checked, marked).select("order_id", "note", "amount")
    assert sorted(tuple(row) for row in quarantined.collect()) == [
        ("1", "NA", "\\N"),
        ("NA", "keyless", "1.00"),
    ]
    without = outcome(quality.check(bronze(spark, rows[:1]), ORDERS)).collect()
    assert without[0]._failed_rules == ["castable_amount", "non_negative_amount"]


def test_null_key_or_sequence_is_quarantined_even_without_rules(spark):
    """AUTO CDC fails the whole update on a NULL key or sequence_by value
    (AUTOCDC_MICROBATCH_VALIDATION): such rows go to quarantine by an implicit rule instead,
    whether or not the spec lists any expectation."""
    bare = TableSpec(
        name="orders",
        role="fact",
        keys=("order_id", "line"),
        columns={"order_id": "bigint", "line": "int", "updated_at": "timestamp"},
        sequence_by="updated_at",
    )
    raw = frame(
        spark,
        [
            ("1", "1", T1, None, None, None),
            (None, "1", T1, None, None, None),
            ("1", None, T1, None, None, None),
            ("2", "1", None, None, None, None),
            (None, None, None, None, None, None),
        ],
        "order_id string, line string, updated_at string, _rescued_data string, "
        "_corrupt_record string, _source_file string",
    ).withColumns({name: F.current_timestamp() for name in AUDIT[:2]})
    checked = quality.check(raw.withColumn("_load_id", F.lit("1")), bare)
    actual = checked.select("order_id", "line", "_failed_rules")
    expected = frame(
        spark,
        [
            (1, 1, []),
            (None, 1, ["not_null_order_id"]),
            (1, None, ["not_null_line"]),
            (2, 1, ["not_null_updated_at"]),
            (None, None, ["not_null_order_id", "not_null_line", "not_null_updated_at"]),
        ],
        "order_id bigint, line int, _failed_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    assert quality.accepted(checked, bare).count() == 1
    assert quality.quarantined(checked, bare).count() == 4


def test_dates_outside_the_date_range_are_quarantined(spark):
    """A stray 9999-12-31 would stretch dim_date over millions of days."""
    rows = [
        ("1", "first day", "2000-01-01", "1.00", T1, None, None, None),
        ("2", "last day", "2099-12-31", "1.00", T1, None, None, None),
        ("3", "far future", "9999-12-31", "1.00", T1, None, None, None),
        ("4", "too early", "1999-12-31", "1.00", T1, None, None, None),
        ("5", "no date is no range problem", None, "1.00", T1, None, None, None),
    ]
    actual = outcome(quality.check(bronze(spark, rows), ORDERS))
    expected = frame(
        spark,
        [
            (1, [], []),
            (2, [], []),
            (3, ["in_date_range_order_date"], []),
            (4, ["in_date_range_order_date"], []),
            (5, [], []),
        ],
        OUTCOME_SCHEMA,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_null_rule_result_counts_as_failure(spark):
    # `amount >= 0` is NULL when amount is missing: the row must not pass silently.
    rows = [("4", "no amount", "2024-01-05", None, T1, None, None, None)]
    actual = outcome(quality.check(bronze(spark, rows), ORDERS))
    expected = frame(spark, [(4, ["non_negative_amount"], [])], OUTCOME_SCHEMA)
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_malformed_record_is_quarantined_with_its_text(spark):
    line = '{"order_id": 5, "note": '
    rows = [(None, None, None, None, None, None, line, "f2.json")]
    checked = quality.check(bronze(spark, rows), ORDERS)
    assert quality.accepted(checked, ORDERS).count() == 0
    actual = quality.quarantined(checked, ORDERS).drop("_quarantined_at", *AUDIT)
    failed = ["malformed_record", "not_null_order_id", "not_null_updated_at", "non_negative_amount"]
    expected = frame(
        spark,
        [(None, None, None, None, None, None, line, "f2.json", failed)],
        "order_id string, note string, order_date string, amount string, updated_at string, "
        "_rescued_data string, _corrupt_record string, _source_file string, "
        "_failed_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_a_rescued_field_alone_is_not_malformed(spark):
    """Auto Loader rescues unknown fields of a good record: the record itself is fine."""
    rows = [("7", "extra field", "2024-01-07", "7.00", T1, '{"colour": "red"}', None, None)]
    actual = outcome(quality.check(bronze(spark, rows), ORDERS))
    expected = frame(spark, [(7, [], [])], OUTCOME_SCHEMA)
    assert_df_equality(actual, expected, ignore_nullable=True)
