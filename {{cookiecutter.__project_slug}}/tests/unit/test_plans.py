"""The library builds plans by column name only: a pipeline query function may not analyze a
DataFrame."""

from __future__ import annotations

import datetime as dt

import pytest
from medallion.testing.arrow_rows import frame

from {{ cookiecutter.__package_name }} import quality
from {{ cookiecutter.__package_name }}.dates import dim_date
from {{ cookiecutter.__package_name }}.spec import TableSpec

from .pipeline_doubles import CUSTOMERS, READER_SCHEMA

# These tests set pipeline configuration and read local files, which serverless compute does
# not allow; the Databricks branch is tested against a strict fake `dp` instead.
pytestmark = pytest.mark.local_only


def test_library_functions_do_not_analyze_dataframes(spark, monkeypatch):
    """Pipeline query functions may not analyze a DataFrame (`df.columns`, `df.schema`, `drop`:
    ATTEMPT_ANALYSIS_IN_PIPELINE_QUERY_FUNCTION), so the library builds plans by name only."""
    from {{ cookiecutter.__package_name }} import cdc, ingest, star

    landed = frame(
        spark,
        [("1", "Ann", "2024-01-01 00:00:00", "INSERT", None, None, "a.json", None)],
        f"{READER_SCHEMA}, _source_modified_at timestamp",
    )
    orders = frame(
        spark, [(1, 1, dt.date(2024, 1, 1))], "order_id bigint, customer_id bigint, order_date date"
    )
    orders_spec = TableSpec(
        name="orders",
        role="fact",
        keys=("order_id",),
        columns={"order_id": "bigint", "customer_id": "bigint", "order_date": "date"},
        references={"customer_id": "customers"},
        date_column="order_date",
    )
    dataframe_class = type(landed)

    def analysis(*args, **kwargs):
        raise AssertionError("a library function analyzed a DataFrame")

    for name in ("columns", "schema", "dtypes"):
        monkeypatch.setattr(dataframe_class, name, property(analysis))
    monkeypatch.setattr(dataframe_class, "drop", analysis)

    bronze = ingest.with_audit_columns(landed)
    checked = quality.check(bronze, CUSTOMERS)
    quality.quarantined(checked, CUSTOMERS)
    silver = quality.accepted(checked, CUSTOMERS)
    quality.dedupe_latest(silver, CUSTOMERS.keys, ["_source_modified_at"])
    quality.fail_fast(silver, CUSTOMERS)
    history = ["updated_at"]
    deletes = "operation = 'DELETE'"
    versions = cdc.scd2(checked, CUSTOMERS.keys, "updated_at", deletes, ["operation"], history)
    cdc.scd1(checked, CUSTOMERS.keys, "updated_at", deletes, ["operation"])
    snapshots = silver.withColumn(cdc.VERSION, cdc.snapshot_version("updated_at", "timestamp"))
    cdc.from_snapshots(snapshots, CUSTOMERS.keys, 2, history)
    customers = star.dimension(versions, CUSTOMERS)
    dim_date(orders, "order_date", ("2000-01-01", "2099-12-31"))
    star.fact(orders, orders_spec, {"customers": (CUSTOMERS, customers)})
