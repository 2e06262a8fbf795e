"""quality: where each row goes: warn keeps it, drop moves it to quarantine with its raw values,
fail stops the update; every row lands in exactly one of silver and quarantine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import quality
from {{ cookiecutter.__package_name }}.spec import Rule, TableSpec

from .orders_bronze import (
    AUDIT,
    ORDERS,
    T1,
    TS1,
    bronze,
)


def test_warn_keeps_the_row_and_silver_shows_the_rule(spark):
    rows = [("6", None, "2024-01-06", "3.00", T1, None, None, None)]
    checked = quality.check(bronze(spark, rows), ORDERS)
    actual = quality.accepted(checked, ORDERS).drop(*AUDIT)
    expected = frame(
        spark,
        [(6, None, dt.date(2024, 1, 6), Decimal("3.00"), TS1, None, ["has_note"])],
        "order_id bigint, note string, order_date date, amount decimal(12,2), "
        "updated_at timestamp, _source_file string, _warned_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_accepted_leaves_out_only_the_except_columns(spark):
    """`delete_when: status = 'closed'` must not cost silver its status column: only the
    columns the spec names in except_columns are event columns."""
    accounts = TableSpec(
        name="accounts",
        role="dimension",
        keys=("account_id",),
        columns={
            "account_id": "bigint",
            "status": "string",
            "op": "string",
            "changed_at": "timestamp",
        },
        scd_type=1,
        sequence_by="changed_at",
        delete_when="status = 'closed' OR op = 'D'",
        except_columns=("op",),
    )
    raw = frame(
        spark,
        [("1", "open", "U", T1, None, None, None)],
        "account_id string, status string, op string, changed_at string, _rescued_data string, "
        "_corrupt_record string, _source_file string",
    ).withColumns({name: F.current_timestamp() for name in AUDIT[:2]})
    checked = quality.check(raw.withColumn("_load_id", F.lit("1")), accounts)
    accepted = quality.accepted(checked, accounts)
    assert accepted.columns == [
        "account_id",
        "status",
        "changed_at",
        "_ingested_at",
        "_source_file",
        "_source_modified_at",
        "_load_id",
        "_warned_rules",
    ]


def test_drop_moves_the_row_to_quarantine_with_raw_values_and_rule_names(spark):
    dropped = ["non_negative_amount"]
    rows = [
        ("7", "refund", "2024-01-07", "-5.00", T1, None, None, "f3.json"),
        ("8", "ok", "2024-01-08", "5.00", T1, None, None, "f3.json"),
    ]
    checked = quality.check(bronze(spark, rows), ORDERS)
    actual = quality.quarantined(checked, ORDERS).drop("_quarantined_at", *AUDIT)
    expected = frame(
        spark,
        [("7", "refund", "2024-01-07", "-5.00", T1, None, None, "f3.json", dropped)],
        "order_id string, note string, order_date string, amount string, updated_at string, "
        "_rescued_data string, _corrupt_record string, _source_file string, "
        "_failed_rules array<string>",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)
    assert [row.order_id for row in quality.accepted(checked, ORDERS).collect()] == [8]


def test_every_row_lands_in_exactly_one_of_accepted_and_quarantined(spark):
    rows = [
        ("1", "ok", "2024-01-01", "1.00", T1, None, None, None),
        ("2", None, "2024-01-02", "2.00", T1, None, None, None),
        ("x", "bad key", "2024-01-03", "3.00", T1, None, None, None),
        ("4", "bad amount", "2024-01-04", "-4.00", T1, None, None, None),
        ("5", "no amount", "2024-01-05", None, T1, None, None, None),
        (None, None, None, None, None, None, "not json", None),
        ("7", "extra field", "2024-01-07", "7.00", T1, '{"colour": "red"}', None, None),
        ("8", "no sequence", "2024-01-08", "8.00", None, None, None, None),
        ("9", "far future", "9999-12-31", "9.00", T1, None, None, None),
    ]
    checked = quality.check(bronze(spark, rows), ORDERS).cache()
    accepted = {row.order_id for row in quality.accepted(checked, ORDERS).collect()}
    quarantined = {row._raw for row in checked.where("size(_failed_rules) > 0").collect()}
    assert accepted == {1, 2, 7}
    assert len(quarantined) == 6
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
        "not_null_id": "NOT array_contains(_failed_rules, 'not_null_id')",
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
    df = frame(spark, [(1, "Ann")], "customer_id bigint, name string")
    assert_df_equality(quality.fail_fast(df, FAIL_SPEC), df)


@pytest.mark.parametrize("bad_id", [-7, None], ids=["false", "null"])
def test_fail_fast_stops_naming_the_rule_and_the_key(spark, bad_id):
    df = frame(spark, [(1, "Ann"), (bad_id, "Bob")], "customer_id bigint, name string")
    expected_key = "NULL" if bad_id is None else str(bad_id)
    with pytest.raises(
        Exception, match=f"expectation positive_id failed for customer_id={expected_key}"
    ):
        quality.fail_fast(df, FAIL_SPEC).collect()
