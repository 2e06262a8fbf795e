"""quality: typing, expectations (warn / drop / fail), quarantine, de-duplication."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import quality
from {{ cookiecutter.__package_name }}.spec import Rule, TableSpec

from .arrow_rows import frame

ORDERS = TableSpec(
    name="orders",
    role="fact",
    keys=("order_id",),
    columns={
        "order_id": "bigint",
        "note": "string",
        "order_date": "date",
        "amount": "decimal(12,2)",
        "updated_at": "timestamp",
    },
    rules=(
        Rule("has_note", "note IS NOT NULL", "warn"),
        Rule("non_negative_amount", "amount >= 0", "drop"),
    ),
    sequence_by="updated_at",
    date_column="order_date",
    date_range=("2000-01-01", "2099-12-31"),
)
BRONZE_SCHEMA = (
    "order_id string, note string, order_date string, amount string, updated_at string, "
    "_rescued_data string, _corrupt_record string, _source_file string"
)
T1 = "2024-01-05 10:00:00"
TS1 = dt.datetime(2024, 1, 5, 10)

AUDIT = ("_ingested_at", "_source_modified_at", "_load_id")  # left out of the comparisons


def bronze(spark, rows):
    return frame(spark, rows, BRONZE_SCHEMA).withColumns(
        {
            "_ingested_at": F.current_timestamp(),
            "_source_modified_at": F.current_timestamp(),
            "_load_id": F.lit("20240101000000000"),
        }
    )


def outcome(checked):
    return checked.select("order_id", "_failed_rules", "_warned_rules")


OUTCOME_SCHEMA = "order_id bigint, _failed_rules array<string>, _warned_rules array<string>"


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
        ("3", "na", "2024-01-05", "2.00", T1, None, None, None),  # a marker matches exactly: na is text
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


def test_without_a_sequence_the_file_that_sorts_last_by_name_wins(spark):
    """`part-10` follows `part-9` in natural order (as strings it sorts first). Modification times
    do not count: a parallel upload gives files times in any order (here the reverse one), and
    Databricks and a local run must keep the same row. A full refresh reads every file in one
    load (same `_ingested_at`) and must keep the same row too."""
    one_load = dt.datetime(2024, 5, 1)
    rows = [
        (1, "from part-9", "s3://landing/orders/part-9.json", dt.datetime(2024, 4, 10), one_load),
        (1, "from part-10", "s3://landing/orders/part-10.json", dt.datetime(2024, 4, 9), one_load),
        (2, "older name", "s3://landing/orders/2024/7/a.json", dt.datetime(2024, 4, 2), one_load),
        (2, "newer name", "s3://landing/orders/2024/12/a.json", dt.datetime(2024, 4, 1), one_load),
        (3, "zero-padded", "s3://landing/orders/part-0010.json", None, one_load),
        (3, "plain", "s3://landing/orders/part-11.json", None, one_load),
    ]
    df = frame(spark, 
        rows, "id bigint, value string, _source_file string, _source_modified_at timestamp, "
        "_ingested_at timestamp",
    )  # fmt: skip
    actual = quality.dedupe_latest(df, ["id"], quality.arrival_order()).select("id", "value")
    expected = frame(
        spark, [(1, "from part-10"), (2, "newer name"), (3, "plain")], "id bigint, value string"
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_natural_order_compares_numbers_by_value(spark):
    names = ["f10", "f9", "f009x", "f0", "f", "f100000000000000000000000000", "g1"]
    df = frame(spark, [(name,) for name in names], "name string")
    ordered = [
        row.name for row in df.orderBy(quality.natural_order(F.col("name")), "name").collect()
    ]
    # Leading zeros do not change a number's place: f9 and f009x share it, then the rest decides.
    assert ordered == ["f", "f0", "f9", "f009x", "f10", "f100000000000000000000000000", "g1"]


def test_dedupe_latest_keeps_the_newest_row_per_key_deterministically(spark):
    df = frame(
        spark,
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
    expected = frame(
        spark,
        [(1, "new", 3), (2, "tie-b", 5), (3, "only", 1)],
        "id bigint, value string, version int",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    again = quality.dedupe_latest(df.orderBy("value"), ["id"], ["version"])
    assert_df_equality(again, expected, ignore_row_order=True, ignore_nullable=True)


def test_dedupe_ties_go_to_the_greater_row_or_its_json_text_when_a_map_forbids_ordering(spark):
    tied = [(1, 9, {"k": "a"}), (1, 10, {"k": "b"})]  # same key, no order_by column differs
    df = frame(spark, tied, "id bigint, amount int, tags map<string,string>")
    by_value = quality.dedupe_latest(df.select("id", "amount"), ["id"], [])
    assert [tuple(row) for row in by_value.collect()] == [(1, 10)]  # 10 > 9
    by_json = quality.dedupe_latest(df, ["id"], [], rows_are_orderable=False)
    # '{"id":1,"amount":9,...' > '{"id":1,"amount":10,...' as text: the same row on every run.
    assert [(row.id, row.amount) for row in by_json.collect()] == [(1, 9)]


def test_rows_with_a_map_column_are_not_orderable():
    plain = TableSpec(name="t", role="dimension", keys=("id",), columns={"id": "bigint"})
    assert plain.rows_are_orderable
    nested = {"id": "bigint", "attrs": "struct<tags: MAP<string, int>>"}
    with_map = TableSpec(name="t", role="dimension", keys=("id",), columns=nested)
    assert not with_map.rows_are_orderable
