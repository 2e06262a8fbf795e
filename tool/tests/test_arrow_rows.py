"""arrow_rows.frame gives the same DataFrame as spark.createDataFrame, only faster to query."""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

import pytest
from chispa import assert_df_equality
from pyspark.sql import Row

from medallion.testing.arrow_rows import frame

EVERY_KIND = (
    "id bigint, n int, name string, day date, at timestamp, wall timestamp_ntz, "
    "amount decimal(12,2), tags array<string>, attrs map<string,int>, "
    "source struct<file_path:string,file_modification_time:timestamp>, ratio double, ok boolean"
)
ROWS = [
    (
        1,
        2,
        "Ann",
        dt.date(2024, 1, 2),
        dt.datetime(2024, 3, 31, 1, 30, 0, 6),  # naive: local time, as createDataFrame reads it
        dt.datetime(2024, 3, 31, 1, 30),
        Decimal("1.50"),
        ["a", None],
        {"k": 1},
        ("a.csv", dt.datetime(2024, 10, 27, 2, 30)),
        -0.25,
        True,
    ),
    Row(
        id=2,
        n=None,
        name=None,
        day=None,
        at=None,
        wall=None,
        amount=None,
        tags=None,
        attrs=None,
        source=None,
        ratio=None,
        ok=None,
    ),
    (
        2,
        0,
        "",
        dt.date(1, 1, 1),
        dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31),
        Decimal("-9999999999.99"),
        [],
        {},
        Row(file_path=None, file_modification_time=None),
        0.0,
        False,
    ),
]


@pytest.fixture(scope="module")
def spark():
    """A local session in UTC, as the projects' unit tests configure theirs."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("arrow-rows-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture
def berlin_time():
    """Python's local time zone set to one with daylight saving, away from the session's UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_frame_equals_create_data_frame_for_every_kind_of_column(spark, berlin_time):
    assert_df_equality(frame(spark, ROWS, EVERY_KIND), spark.createDataFrame(ROWS, EVERY_KIND))


def test_an_empty_frame_keeps_its_schema(spark):
    empty = frame(spark, [], "order_id bigint, order_date date")
    assert empty.schema == spark.createDataFrame([], "order_id bigint, order_date date").schema
    assert empty.count() == 0


def test_a_row_of_the_wrong_width_names_itself(spark):
    with pytest.raises(ValueError, match=r"\(1, 'x', 3\) has 3 values for 2 columns"):
        frame(spark, [(1, "x", 3)], "id bigint, name string")


def test_frame_holds_the_narrow_and_binary_types_too(spark):
    schema = "raw binary, small smallint, tiny tinyint, ratio float"
    rows = [(b"\x00\xff", -32768, 127, 1.5), (None, None, None, None)]
    assert_df_equality(frame(spark, rows, schema), spark.createDataFrame(rows, schema))


def test_a_type_without_an_arrow_twin_is_named(spark):
    with pytest.raises(TypeError, match="no Arrow type for interval day to second"):
        frame(spark, [], "gap interval day to second")
