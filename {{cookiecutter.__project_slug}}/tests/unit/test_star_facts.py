"""star: facts look up each dimension (SCD2 by date), keep attributes, measures and date keys;
snowflaked dimensions; keyless facts get a stable identity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import star
from {{ cookiecutter.__package_name }}.spec import TableSpec

from .star_tables import (
    CUSTOMERS,
    ORDERS,
    PRODUCTS,
    customers_silver,
    products_silver,
)


def test_fact_looks_up_each_dimension(spark):
    customers = star.dimension(customers_silver(spark), CUSTOMERS)
    products = star.dimension(products_silver(spark), PRODUCTS)
    sk = {(row.name): row.customers_sk for row in customers.collect()}
    tea = products.where("product_id = 10").first().products_sk
    orders = frame(
        spark,
        [
            (100, 1, 10, dt.date(2024, 1, 5), Decimal("1.00")),  # before the first version
            (101, 1, 10, dt.date(2024, 1, 20), Decimal("2.00")),  # first version
            (102, 1, 10, dt.date(2024, 2, 1), Decimal("3.00")),  # change day: version at day's end
            (103, 1, 20, dt.date(2024, 3, 1), Decimal("4.00")),  # unknown product
            (104, 99, 10, dt.date(2024, 3, 1), Decimal("5.00")),  # unknown customer
            (105, None, None, dt.date(2024, 3, 1), Decimal("6.00")),  # no references
            (106, 1, 10, None, Decimal("7.00")),  # no date: current version, date_sk -1
            (107, 2, 10, dt.date(2024, 2, 1), Decimal("8.00")),  # customer deleted before
            (108, 2, 10, dt.date(2024, 1, 14), Decimal("9.00")),  # ... but not yet here
        ],
        "order_id bigint, customer_id bigint, product_id bigint, order_date date, "
        "amount decimal(12,2)",
    )
    actual = star.fact(
        orders, ORDERS, {"customers": (CUSTOMERS, customers), "products": (PRODUCTS, products)}
    )
    expected = frame(
        spark,
        [
            (100, sk["Ann"], tea, 20240105, dt.date(2024, 1, 5), Decimal("1.00")),
            (101, sk["Ann"], tea, 20240120, dt.date(2024, 1, 20), Decimal("2.00")),
            (102, sk["Anne"], tea, 20240201, dt.date(2024, 2, 1), Decimal("3.00")),
            (103, sk["Anne"], -1, 20240301, dt.date(2024, 3, 1), Decimal("4.00")),
            (104, -1, tea, 20240301, dt.date(2024, 3, 1), Decimal("5.00")),
            (105, -1, -1, 20240301, dt.date(2024, 3, 1), Decimal("6.00")),
            (106, sk["Anne"], tea, -1, None, Decimal("7.00")),
            (107, -1, tea, 20240201, dt.date(2024, 2, 1), Decimal("8.00")),
            (108, sk["Bob"], tea, 20240114, dt.date(2024, 1, 14), Decimal("9.00")),
        ],
        "order_id bigint, customers_sk bigint, products_sk bigint, date_sk int, "
        "order_date date, amount decimal(12,2)",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


# --- a BI-grade star: attributes, role-playing dates, snowflakes, composite keys ----------------

REGION = TableSpec(
    name="region",
    role="dimension",
    keys=("r_regionkey",),
    columns={"r_regionkey": "bigint", "r_name": "string"},
)
NATION = TableSpec(
    name="nation",
    role="dimension",
    keys=("n_nationkey",),
    columns={"n_nationkey": "bigint", "n_name": "string", "n_regionkey": "bigint"},
    references={"n_regionkey": "region"},
)
LINEITEM = TableSpec(
    name="lineitem",
    role="fact",
    keys=("l_orderkey", "l_linenumber"),
    columns={
        "l_orderkey": "bigint",
        "l_linenumber": "int",
        "l_suppkey": "bigint",
        "l_shipdate": "date",
        "l_commitdate": "date",
        "l_shipmode": "string",
        "l_quantity": "decimal(15,2)",
    },
    references={"l_suppkey": "region"},  # any dimension will do for the lookup
    date_column="l_shipdate",
    attributes=("l_commitdate", "l_shipmode"),
    measures=("l_quantity",),
)


def sk_of(spark, *values):
    return spark.range(1).select(star.surrogate_key(*(F.lit(v) for v in values))).first()[0]


def test_a_dimension_references_another_dimension_a_snowflake(spark):
    silver = frame(
        spark,
        [(10, "FRANCE", 1), (11, "ATLANTIS", 9), (12, "NOWHERE", None)],
        "n_nationkey bigint, n_name string, n_regionkey bigint",
    )
    # The nations are the regions' referrers: region 9, which the region file lacks, is inferred.
    regions = star.dimension(
        frame(spark, [(1, "EUROPE")], "r_regionkey bigint, r_name string"),
        REGION,
        {},
        [(NATION, silver)],
    )
    assert [(r.r_regionkey, r.r_name) for r in regions.where("is_inferred").collect()] == [
        (9, "Unknown")
    ]
    actual = star.dimension(silver, NATION, {"region": (REGION, regions)})
    europe, atlantis = sk_of(spark, F.lit(1).cast("bigint")), sk_of(spark, F.lit(9).cast("bigint"))
    expected = frame(
        spark,
        [
            (sk_of(spark, F.lit(10).cast("bigint")), 10, "FRANCE", 1, europe, False),
            (sk_of(spark, F.lit(11).cast("bigint")), 11, "ATLANTIS", 9, atlantis, False),
            (sk_of(spark, F.lit(12).cast("bigint")), 12, "NOWHERE", None, -1, False),
            (-1, None, "Unknown", None, -1, False),  # the unknown member points at unknown ones
        ],
        "nation_sk bigint, n_nationkey bigint, n_name string, n_regionkey bigint, "
        "region_sk bigint, is_inferred boolean",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_reference_to_an_scd2_dimension_from_a_dimension_takes_the_current_version(spark):
    versions = star.dimension(customers_silver(spark), CUSTOMERS)
    stores = TableSpec(
        name="stores",
        role="dimension",
        keys=("store_id",),
        columns={"store_id": "bigint", "manager_id": "bigint"},
        references={"manager_id": "customers"},
    )
    silver = frame(spark, [(7, 1), (8, 2)], "store_id bigint, manager_id bigint")
    actual = star.dimension(silver, stores, {"customers": (CUSTOMERS, versions)})
    current = {row.customer_id: row.customers_sk for row in versions.where("is_current").collect()}
    assert {row.store_id: row.customers_sk for row in actual.collect()} == {
        7: current[1],  # Anne, not Ann
        8: -1,  # Bob's only version was closed by a delete: no current version
        None: -1,  # the unknown store
    }


def test_a_fact_keeps_its_attributes_and_gets_a_key_per_date(spark):
    regions = star.dimension(
        frame(spark, [(1, "EUROPE")], "r_regionkey bigint, r_name string"), REGION
    )
    silver = frame(
        spark,
        [
            (100, 1, 1, dt.date(1995, 3, 1), dt.date(1995, 2, 20), "AIR", Decimal("5.00")),
            (100, 2, 5, dt.date(1995, 3, 2), None, "MAIL", Decimal("1.00")),
        ],
        "l_orderkey bigint, l_linenumber int, l_suppkey bigint, l_shipdate date, "
        "l_commitdate date, l_shipmode string, l_quantity decimal(15,2)",
    )
    actual = star.fact(silver, LINEITEM, {"region": (REGION, regions)})
    europe = sk_of(spark, F.lit(1).cast("bigint"))
    expected = frame(spark, 
        [
            (100, 1, europe, 19950301, dt.date(1995, 3, 1), 19950220, dt.date(1995, 2, 20), "AIR",
             Decimal("5.00")),
            (100, 2, -1, 19950302, dt.date(1995, 3, 2), -1, None, "MAIL", Decimal("1.00")),
        ],
        "l_orderkey bigint, l_linenumber int, region_sk bigint, date_sk int, l_shipdate date, "
        "l_commitdate_sk int, l_commitdate date, l_shipmode string, l_quantity decimal(15,2)",
    )  # fmt: skip
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_composite_key_fact_with_several_references(spark):
    parts = TableSpec(
        name="part", role="dimension", keys=("p_partkey",), columns={"p_partkey": "bigint"}
    )
    suppliers = TableSpec(
        name="supplier", role="dimension", keys=("s_suppkey",), columns={"s_suppkey": "bigint"}
    )
    partsupp = TableSpec(
        name="partsupp",
        role="fact",
        keys=("ps_partkey", "ps_suppkey"),
        columns={"ps_partkey": "bigint", "ps_suppkey": "bigint", "ps_availqty": "int"},
        references={"ps_partkey": "part", "ps_suppkey": "supplier"},
        measures=("ps_availqty",),
    )
    dims = {
        "part": (parts, star.dimension(frame(spark, [(1,)], "p_partkey bigint"), parts)),
        "supplier": (
            suppliers,
            star.dimension(frame(spark, [(7,), (8,)], "s_suppkey bigint"), suppliers),
        ),
    }
    silver = frame(
        spark,
        [(1, 7, 10), (1, 8, 20), (2, 8, 30)],
        "ps_partkey bigint, ps_suppkey bigint, ps_availqty int",
    )
    actual = star.fact(silver, partsupp, dims)
    one = sk_of(spark, F.lit(1).cast("bigint"))
    s7, s8 = (sk_of(spark, F.lit(k).cast("bigint")) for k in (7, 8))
    expected = frame(
        spark,
        [(1, 7, one, s7, 10), (1, 8, one, s8, 20), (2, 8, -1, s8, 30)],
        "ps_partkey bigint, ps_suppkey bigint, part_sk bigint, supplier_sk bigint, ps_availqty int",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


CLICKS = TableSpec(
    name="clicks",
    role="fact",
    keys=(),  # an event log: no column identifies a click
    columns={"product_id": "bigint", "page": "string"},
    references={"product_id": "products"},
)
CLICKS_SILVER = "product_id bigint, page string, _source_file string"


def test_a_fact_with_no_key_keeps_every_row_and_gives_each_a_stable_identity(spark):
    products = star.dimension(products_silver(spark), PRODUCTS)
    dims = {"products": (PRODUCTS, products)}
    rows = [
        (10, "home", "file:/tmp/landing/clicks/day=1/part-1.json"),
        (10, "home", "file:/tmp/landing/clicks/day=1/part-1.json"),  # the same click, twice
        (10, "home", "file:/tmp/landing/clicks/day=2/part-1.json"),  # same name, other folder
        (10, "cart", "file:/tmp/landing/clicks/day=1/part-1.json"),
        (None, "home", "file:/tmp/landing/clicks/day=1/part-2.json"),  # no product
    ]
    actual = star.fact(frame(spark, rows, CLICKS_SILVER), CLICKS, dims)
    assert star.fact_columns(CLICKS) == ["clicks_sk", "products_sk"]
    tea = products.first().products_sk
    expected = frame(
        spark,
        [(tea,), (tea,), (tea,), (tea,), (-1,)],
        "products_sk bigint",
    )
    assert_df_equality(
        actual.select("products_sk"), expected, ignore_row_order=True, ignore_nullable=True
    )
    identities = sorted(row.clicks_sk for row in actual.collect())
    assert len(set(identities)) == 5 and min(identities) > 0

    # The same files in another order, landed under another folder (Databricks' volume): the
    # same identities, so a recomputed gold and the other engine agree on every row's key.
    moved = [
        (p, page, path.replace("file:/tmp/landing", "/Volumes/main/retail/landing"))
        for p, page, path in reversed(rows)
    ]
    again = star.fact(frame(spark, moved, CLICKS_SILVER), CLICKS, dims)
    assert sorted(row.clicks_sk for row in again.collect()) == identities
