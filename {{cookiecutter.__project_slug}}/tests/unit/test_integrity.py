"""integrity: gold's promises checked as data, on a clean star and on deliberately broken ones."""

from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame

from {{ cookiecutter.__package_name }} import engine, expectations, integrity
from {{ cookiecutter.__package_name }}.spec import TableSpec

CUSTOMERS = TableSpec(
    name="customers",
    role="dimension",
    keys=("customer_id",),
    columns={"customer_id": "bigint", "updated_at": "timestamp"},
    scd_type=2,
    sequence_by="updated_at",
)
ORDERS = TableSpec(
    name="orders",
    role="fact",
    keys=("order_id",),
    columns={"order_id": "bigint", "customer_id": "bigint", "order_date": "date"},
    references={"customer_id": "customers"},
    date_column="order_date",
)
SPECS = (CUSTOMERS, ORDERS)
DIM = (
    "customers_sk bigint, customer_id bigint, __START_AT timestamp, __END_AT timestamp, "
    "is_inferred boolean"
)
FACT = "order_id bigint, customers_sk bigint, date_sk int"
RESULT = "check_id string, table string, rule string, failures bigint, sample string"
T1, T2, T3 = (dt.datetime(2024, 1, day) for day in (1, 2, 3))


def gold(spark, dim_rows, fact_rows, dates=(20240105, -1)):
    tables = {
        "dim_customers": frame(spark, dim_rows, DIM),
        "fact_orders": frame(spark, fact_rows, FACT),
        "dim_date": frame(spark, [(d,) for d in dates], "date_sk int"),
    }
    return tables.__getitem__


CLEAN_DIM = [
    (11, 1, T1, T2, False),
    (12, 1, T2, None, False),
    (21, 2, T1, None, False),
    (31, 3, None, None, True),  # inferred: an order references customer 3, the file lacks it
    (-1, None, None, None, False),
]
CLEAN_FACT = [(100, 12, 20240105), (101, -1, -1), (102, 31, 20240105)]
INFERRED = {"dim_customers.inferred_members": (1, "customer_id=3")}


def result(spark, failures):
    """A row per check; `failures` maps a check id to (failures, sample)."""
    rows = []
    for check_id in integrity.check_ids(SPECS):
        table, rule = check_id.split(".", 1)
        count, sample = failures.get(check_id, (0, None))
        rows.append((check_id, table, rule, count, sample))
    return frame(spark, rows, RESULT)


def test_a_clean_star_holds_every_promise(spark):
    actual = integrity.checks(SPECS, gold(spark, CLEAN_DIM, CLEAN_FACT))
    # The inferred member is counted, not a broken promise: expectations leave the count out.
    assert_df_equality(actual, result(spark, INFERRED), ignore_nullable=True, ignore_row_order=True)
    assert "dim_customers.inferred_members" not in integrity.expectations(SPECS)
    assert integrity.check_ids(SPECS) == [
        "dim_customers.unique_customers_sk",
        "dim_customers.inferred_members",
        "dim_customers.one_current_version",
        "dim_customers.no_overlapping_versions",
        "fact_orders.unique_keys",
        "fact_orders.known_date_sk",
        "fact_orders.known_customers_sk",
    ]


def test_deliberately_broken_tables_are_caught_with_a_sample_key(spark):
    broken_dim = [
        (11, 1, T1, T3, False),  # overlaps the next version of key 1, which starts at T2
        (12, 1, T2, None, False),
        (13, 1, T3, None, False),  # a second current version of key 1
        (21, 2, T1, None, False),
        (21, 3, T1, None, False),  # a surrogate key used twice
        (-1, None, None, None, False),
    ]
    broken_fact = [
        (100, 12, 20240105),
        (100, 12, 20240105),  # a fact key twice
        (101, 99, 20240105),  # no such customer version
        (102, 11, 20991231),  # no such day in dim_date
    ]
    actual = integrity.checks(SPECS, gold(spark, broken_dim, broken_fact))
    expected = result(
        spark,
        {
            "dim_customers.unique_customers_sk": (1, "customers_sk=21"),
            "dim_customers.one_current_version": (1, "customer_id=1"),
            "dim_customers.no_overlapping_versions": (
                2,  # T1-T3 overlaps T2, and T2's open version is not the last
                "customer_id=1, __START_AT=2024-01-01 00:00:00",
            ),
            "fact_orders.unique_keys": (1, "order_id=100"),
            "fact_orders.known_date_sk": (1, "20991231"),
            "fact_orders.known_customers_sk": (1, "99"),
        },
    )
    assert_df_equality(actual, expected, ignore_nullable=True, ignore_row_order=True)


def test_a_deleted_key_without_a_current_version_is_fine(spark):
    deleted = [(11, 1, T1, T2, False), (-1, None, None, None, False)]
    actual = integrity.checks(SPECS, gold(spark, deleted, [(100, 11, 20240105)]))
    assert actual.where("failures > 0").count() == 0


def test_a_broken_check_stops_the_update_naming_the_table_the_rule_and_a_key(spark, monkeypatch):
    monkeypatch.setattr(engine, "is_databricks", lambda spark: False)
    broken = gold(spark, CLEAN_DIM, [(100, 99, 20240105)])

    @expectations.expect_all_or_fail(integrity.expectations(SPECS))
    def gold_integrity_checks():
        return integrity.checks(SPECS, broken)

    with pytest.raises(Exception, match=r'fact_orders\.known_customers_sk.*"sample":"99"'):
        gold_integrity_checks().collect()


def test_a_fact_with_no_key_is_unique_on_its_row_identity(spark):
    """An event log (`keys=()`) has no natural key to check: its `<t>_sk` row identity is."""
    clicks = TableSpec(
        name="clicks",
        role="fact",
        keys=(),
        columns={"customer_id": "bigint", "page": "string"},
        references={"customer_id": "customers"},
    )
    tables = {
        "dim_customers": frame(spark, CLEAN_DIM, DIM),
        "fact_clicks": frame(
            spark,
            [(7, 12, "home"), (8, 12, "home"), (8, 21, "cart")],  # clicks_sk 8 twice
            "clicks_sk bigint, customers_sk bigint, page string",
        ),
    }
    actual = integrity.checks((CUSTOMERS, clicks), tables.__getitem__)
    broken = actual.where("failures > 0 AND rule <> 'inferred_members'")
    broken = broken.select("check_id", "failures", "sample")
    expected = frame(
        spark,
        [("fact_clicks.unique_keys", 1, "clicks_sk=8")],
        "check_id string, failures bigint, sample string",
    )
    assert_df_equality(broken, expected, ignore_nullable=True)
