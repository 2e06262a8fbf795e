"""quality: typing, expectations (warn / drop / fail), quarantine, de-duplication."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import quality
from {{ cookiecutter.__package_name }}.spec import Rule, TableSpec

ORDERS = TableSpec(
    name="orders",
    role="fact",
    keys=("order_id",),
    columns={
        "order_id": "bigint",
        "note": "string",
        "order_date": "date",
        "amount": "decimal(12,2)",
    },
    rules=(
        Rule("valid_order_id", "order_id IS NOT NULL", "drop"),
        Rule("has_note", "note IS NOT NULL", "warn"),
        Rule("non_negative_amount", "amount >= 0", "drop"),
    ),
)
BRONZE_SCHEMA = (
    "order_id string, note string, order_date string, amount string, _rescued_data string, "
    "_source_file string"
)


AUDIT = ("_ingested_at", "_load_id")  # fixed values, left out of the comparisons


def bronze(spark, rows):
    return spark.createDataFrame(rows, BRONZE_SCHEMA).withColumns(
        {"_ingested_at": F.current_timestamp(), "_load_id": F.lit("20240101000000000")}
    )


def outcome(checked):
    return checked.select("order_id", "_failed_rules", "_warned_rules")


def test_check_types_columns_and_keeps_audit(spark):
    rows = [("1", "first", "2024-01-05", "10.50", None, "f1.json")]
    actual = quality.check(bronze(spark, rows), ORDERS).drop("_raw", *AUDIT)
    expected = spark.createDataFrame(
        [(1, "first", dt.date(2024, 1, 5), Decimal("10.50"), None, "f1.json", [], [])],
        "order_id bigint, note string, order_date date, amount decimal(12,2), "
        "_rescued_data string, _source_file string, _failed_rules array<string>, "
        "_warned_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_values_that_do_not_cast_fail_castable_rules_in_spec_order(spark):
    rows = [
        ("x", "bad key", "2024-01-05", "1.00", None, None),
        ("2", "bad date and amount", "2024-13-01", "ten", None, None),
        ("3", None, None, "2.00", None, None),  # NULL raw values are not cast failures
    ]
    actual = outcome(quality.check(bronze(spark, rows), ORDERS))
    expected = spark.createDataFrame(
        [
            (None, ["castable_order_id", "valid_order_id"], []),
            (2, ["castable_order_date", "castable_amount", "non_negative_amount"], []),
            (3, [], ["has_note"]),
        ],
        "order_id bigint, _failed_rules array<string>, _warned_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_null_rule_result_counts_as_failure(spark):
    # `amount >= 0` is NULL when amount is missing: the row must not pass silently.
    rows = [("4", "no amount", "2024-01-05", None, None, None)]
    actual = outcome(quality.check(bronze(spark, rows), ORDERS))
    expected = spark.createDataFrame(
        [(4, ["non_negative_amount"], [])],
        "order_id bigint, _failed_rules array<string>, _warned_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_malformed_record_is_quarantined_with_its_text(spark):
    rows = [(None, None, None, None, '{"order_id": 5, "note": ', "f2.json")]
    checked = quality.check(bronze(spark, rows), ORDERS)
    assert quality.accepted(checked, ORDERS).count() == 0
    actual = quality.quarantined(checked, ORDERS).drop("_quarantined_at", *AUDIT)
    expected = spark.createDataFrame(
        [
            (
                None,
                None,
                None,
                None,
                '{"order_id": 5, "note": ',
                "f2.json",
                ["malformed_record", "valid_order_id", "non_negative_amount"],
            )
        ],
        "order_id string, note string, order_date string, amount string, _rescued_data string, "
        "_source_file string, _failed_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_warn_keeps_the_row_and_records_the_rule(spark):
    rows = [("6", None, "2024-01-06", "3.00", None, None)]
    checked = quality.check(bronze(spark, rows), ORDERS)
    assert outcome(checked).collect()[0]["_warned_rules"] == ["has_note"]
    actual = quality.accepted(checked, ORDERS).drop(*AUDIT)
    expected = spark.createDataFrame(
        [(6, None, dt.date(2024, 1, 6), Decimal("3.00"), None)],
        "order_id bigint, note string, order_date date, amount decimal(12,2), _source_file string",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_drop_moves_the_row_to_quarantine_with_raw_values_and_rule_names(spark):
    rows = [
        ("7", "refund", "2024-01-07", "-5.00", None, "f3.json"),
        ("8", "ok", "2024-01-08", "5.00", None, "f3.json"),
    ]
    checked = quality.check(bronze(spark, rows), ORDERS)
    actual = quality.quarantined(checked, ORDERS).drop("_quarantined_at", *AUDIT)
    expected = spark.createDataFrame(
        [("7", "refund", "2024-01-07", "-5.00", None, "f3.json", ["non_negative_amount"])],
        "order_id string, note string, order_date string, amount string, _rescued_data string, "
        "_source_file string, _failed_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)
    assert [row.order_id for row in quality.accepted(checked, ORDERS).collect()] == [8]


def test_every_row_lands_in_exactly_one_of_accepted_and_quarantined(spark):
    rows = [
        ("1", "ok", "2024-01-01", "1.00", None, None),
        ("2", None, "2024-01-02", "2.00", None, None),
        ("x", "bad key", "2024-01-03", "3.00", None, None),
        ("4", "bad amount", "2024-01-04", "-4.00", None, None),
        ("5", "no amount", "2024-01-05", None, None, None),
        (None, None, None, None, "not json", None),
        ("7", "extra field", "2024-01-07", "7.00", '{"colour": "red"}', None),
    ]
    checked = quality.check(bronze(spark, rows), ORDERS).cache()
    accepted = {row.order_id for row in quality.accepted(checked, ORDERS).collect()}
    quarantined = {row._raw for row in checked.where("size(_failed_rules) > 0").collect()}
    assert accepted == {1, 2, 7}
    assert len(quarantined) == 4
    assert quality.accepted(checked, ORDERS).count() + quality.quarantined(
        checked, ORDERS
    ).count() == len(rows)


def test_expectations_read_the_recorded_outcome(spark):
    fail_spec = TableSpec(
        name="t",
        role="fact",
        keys=("id",),
        columns={"id": "bigint", "name": "string"},
        rules=(Rule("known_id", "id > 0", "fail"), Rule("has_name", "name IS NOT NULL", "warn")),
    )
    assert quality.expectations(fail_spec, "drop") == {
        "malformed_record": "NOT array_contains(_failed_rules, 'malformed_record')",
        "castable_id": "NOT array_contains(_failed_rules, 'castable_id')",
    }
    assert quality.expectations(fail_spec, "warn") == {
        "has_name": "NOT array_contains(_warned_rules, 'has_name')"
    }
    assert quality.expectations(fail_spec, "fail") == {
        "known_id": "size(_failed_rules) > 0 OR coalesce((id > 0), false)"
    }


FAIL_SPEC = TableSpec(
    name="customers",
    role="dimension",
    keys=("customer_id",),
    columns={"customer_id": "bigint", "name": "string"},
    rules=(Rule("positive_id", "customer_id > 0", "fail"),),
)


def test_fail_fast_passes_good_rows_through(spark):
    df = spark.createDataFrame([(1, "Ann")], "customer_id bigint, name string")
    assert_df_equality(quality.fail_fast(df, FAIL_SPEC), df)


@pytest.mark.parametrize("bad_id", [-7, None], ids=["false", "null"])
def test_fail_fast_stops_naming_the_rule_and_the_key(spark, bad_id):
    df = spark.createDataFrame([(1, "Ann"), (bad_id, "Bob")], "customer_id bigint, name string")
    expected_key = "NULL" if bad_id is None else str(bad_id)
    with pytest.raises(
        Exception, match=f"expectation positive_id failed for customer_id={expected_key}"
    ):
        quality.fail_fast(df, FAIL_SPEC).collect()


def test_dedupe_latest_keeps_the_newest_row_per_key_deterministically(spark):
    df = spark.createDataFrame(
        [
            (1, "old", 1),
            (1, "new", 3),
            (1, "older", None),
            (2, "tie-a", 5),
            (2, "tie-b", 5),
            (3, "only", 1),
        ],
        "id bigint, value string, version int",
    )
    actual = quality.dedupe_latest(df, ["id"], ["version"])
    expected = spark.createDataFrame(
        [(1, "new", 3), (2, "tie-b", 5), (3, "only", 1)], "id bigint, value string, version int"
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    again = quality.dedupe_latest(df.orderBy("value"), ["id"], ["version"])
    assert_df_equality(again, expected, ignore_row_order=True, ignore_nullable=True)
