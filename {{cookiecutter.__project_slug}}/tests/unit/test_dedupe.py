"""quality: which row wins per key (sequence_by, else the file that sorts last by name), and the
order used to break ties."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import quality
from {{ cookiecutter.__package_name }}.spec import TableSpec


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
