"""star: surrogate keys, dimensions with unknown and inferred members, dim_date (facts:
test_star_facts.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import star
from {{ cookiecutter.__package_name }}.dates import dim_date

from .star_tables import (
    CUSTOMERS,
    JAN_10,
    ORDERS,
    PRODUCTS,
    customers_silver,
    products_silver,
)


def test_surrogate_key_is_a_stable_positive_hash(spark):
    df = frame(spark, [(1, JAN_10)], "id bigint, ts timestamp")
    row = df.select(
        star.surrogate_key("id").alias("by_key"), star.surrogate_key("id", "ts").alias("by_version")
    ).first()
    # Pinned values: a change here changes every key already in gold tables and BI extracts.
    assert row.by_key == 2221699401151730226
    assert row.by_version == 4397259240443762517


def test_surrogate_key_is_never_the_unknown_member(spark):
    keys = spark.range(0, 5000).select(star.surrogate_key("id").alias("sk"))
    assert keys.where("sk <= 0").count() == 0
    assert keys.distinct().count() == 5000


def test_scd1_dimension_has_sk_first_and_an_unknown_member(spark):
    actual = star.dimension(products_silver(spark), PRODUCTS)
    tea_sk = spark.range(1).select(star.surrogate_key(F.lit(10).cast("bigint"))).first()[0]
    expected = frame(
        spark,
        [(tea_sk, 10, "Tea", Decimal("3.50"), False), (-1, None, "Unknown", None, False)],
        "products_sk bigint, product_id bigint, name string, price decimal(12,2), "
        "is_inferred boolean",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_scd2_dimension_has_a_row_per_version(spark):
    actual = star.dimension(customers_silver(spark), CUSTOMERS)
    assert actual.columns == [
        "customers_sk",
        "customer_id",
        "name",
        "updated_at",
        "__START_AT",
        "__END_AT",
        "is_inferred",
        "is_current",
    ]
    rows = {(row.customer_id, row.name, row.is_current) for row in actual.collect()}
    assert rows == {
        (1, "Ann", False),
        (1, "Anne", True),
        (2, "Bob", False),
        (None, "Unknown", True),
    }
    keys = [row.customers_sk for row in actual.collect()]
    assert len(set(keys)) == 4 and keys.count(-1) == 1
    # Stable across runs: recomputing gives the same keys.
    again = [
        row.customers_sk for row in star.dimension(customers_silver(spark), CUSTOMERS).collect()
    ]
    assert sorted(again) == sorted(keys)


ORDERS_SILVER = (
    "order_id bigint, customer_id bigint, product_id bigint, order_date date, amount decimal(12,2)"
)


def test_a_referenced_key_the_dimension_lacks_is_an_inferred_member(spark):
    """Kimball's inferred member: sales of four stores the store file lacks keep four keys (one
    member each), not one unknown member; a NULL reference stays unknown."""
    orders = frame(
        spark,
        [
            (1, 1, 10, dt.date(2024, 1, 5), Decimal("1.00")),
            (2, 1, 77, dt.date(2024, 1, 5), Decimal("1.00")),  # product 77: never landed
            (3, 1, 77, dt.date(2024, 1, 6), Decimal("1.00")),  # 77 again: one member
            (4, 1, 78, dt.date(2024, 1, 6), Decimal("1.00")),
            (5, 1, None, dt.date(2024, 1, 6), Decimal("1.00")),  # NULL: the unknown member
        ],
        ORDERS_SILVER,
    )
    actual = star.dimension(products_silver(spark), PRODUCTS, {}, [(ORDERS, orders)])
    sk = {
        key: spark.range(1).select(star.surrogate_key(F.lit(key).cast("bigint"))).first()[0]
        for key in (10, 77, 78)
    }
    expected = frame(
        spark,
        [
            (sk[10], 10, "Tea", Decimal("3.50"), False),
            (sk[77], 77, "Unknown", None, True),
            (sk[78], 78, "Unknown", None, True),
            (-1, None, "Unknown", None, False),
        ],
        "products_sk bigint, product_id bigint, name string, price decimal(12,2), "
        "is_inferred boolean",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    # The fact keeps a key per code; the inferred member's key is the one the real member will
    # get (SCD1: a hash of the natural key), so a recomputed gold keeps the fact's key.
    customers = star.dimension(customers_silver(spark), CUSTOMERS, {}, [(ORDERS, orders)])
    facts = star.fact(orders, ORDERS, {"customers": (CUSTOMERS, customers),
                                       "products": (PRODUCTS, actual)})  # fmt: skip
    got = {row.order_id: row.products_sk for row in facts.collect()}
    assert got == {1: sk[10], 2: sk[77], 3: sk[77], 4: sk[78], 5: -1}


def test_an_scd2_inferred_member_covers_every_day_until_the_member_arrives(spark):
    orders = frame(
        spark,
        [
            (1, 9, 10, dt.date(2020, 1, 1), Decimal("1.00")),
            (2, 9, 10, dt.date(2030, 1, 1), Decimal("1.00")),
        ],  # fmt: skip
        ORDERS_SILVER,
    )
    customers = star.dimension(customers_silver(spark), CUSTOMERS, {}, [(ORDERS, orders)])
    inferred = customers.where("is_inferred").collect()
    fields = ("customer_id", "name", "__START_AT", "__END_AT", "is_current")
    assert [tuple(row[f] for f in fields) for row in inferred] == [(9, "Unknown", None, None, True)]
    products = star.dimension(products_silver(spark), PRODUCTS)
    facts = star.fact(orders, ORDERS, {"customers": (CUSTOMERS, customers),
                                       "products": (PRODUCTS, products)})  # fmt: skip
    assert {row.customers_sk for row in facts.collect()} == {inferred[0].customers_sk}


def test_dim_date_covers_the_fact_dates_day_by_day(spark):
    dates = frame(
        spark, [(dt.date(2024, 3, 2),), (dt.date(2024, 2, 28),), (None,)], "order_date date"
    )
    actual = dim_date(dates, "order_date")
    expected = frame(
        spark,
        [
            (20240228, dt.date(2024, 2, 28), 2024, 1, 2, "February", 28, 3, "Wednesday", False),
            (20240229, dt.date(2024, 2, 29), 2024, 1, 2, "February", 29, 4, "Thursday", False),
            (20240301, dt.date(2024, 3, 1), 2024, 1, 3, "March", 1, 5, "Friday", False),
            (20240302, dt.date(2024, 3, 2), 2024, 1, 3, "March", 2, 6, "Saturday", True),
            (-1, None, None, None, None, "Unknown", None, None, "Unknown", None),
        ],
        "date_sk int, date date, year int, quarter int, month int, month_name string, "
        "day_of_month int, day_of_week int, day_name string, is_weekend boolean",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_dim_date_never_grows_past_its_date_range(spark):
    """A stray far-future date that reached silver cannot make millions of calendar rows."""
    dates = frame(
        spark, [(dt.date(2024, 3, 2),), (dt.date(9999, 12, 31),), (dt.date(1000, 1, 1),)], "d date"
    )
    calendar = dim_date(dates, "d", ("2024-03-01", "2024-03-03"))
    assert sorted(row.date_sk for row in calendar.collect()) == [-1, 20240301, 20240302, 20240303]
    # Only dates after the range: no calendar days at all, just the unknown row.
    after = frame(spark, [(dt.date(9999, 12, 31),)], "d date")
    calendar = dim_date(after, "d", ("2024-01-01", "2024-12-31"))
    assert [row.date_sk for row in calendar.collect()] == [-1]


def test_dim_date_of_no_dates_is_only_the_unknown_row(spark):
    dates = frame(spark, [], "order_date date")
    assert [row.date_sk for row in dim_date(dates, "order_date").collect()] == [-1]
