"""ingest: the landing schema per format and the bronze audit columns."""

from __future__ import annotations

import datetime as dt
import re

from medallion.testing.arrow_rows import frame
from pyspark.sql.types import StringType, StructType

from {{ cookiecutter.__package_name }} import ingest
from {{ cookiecutter.__package_name }}.spec import TableSpec

SPEC = TableSpec(
    name="orders",
    role="fact",
    keys=("order_id",),
    columns={"order_id": "bigint", "order_date": "date", "amount": "decimal(12,2)"},
)


def test_text_formats_land_as_strings_with_a_corrupt_record_column(spark):
    for source_format in ("json", "csv", "kafka"):
        schema = StructType.fromDDL(ingest.landing_schema(SPEC, source_format))
        assert schema.simpleString() == (
            "struct<order_id:string,order_date:string,amount:string,_corrupt_record:string>"
        )


def test_typed_formats_land_with_the_spec_types(spark):
    for source_format in ("parquet", "delta"):
        schema = StructType.fromDDL(ingest.landing_schema(SPEC, source_format))
        assert (
            schema.simpleString() == "struct<order_id:bigint,order_date:date,amount:decimal(12,2)>"
        )


def test_the_landing_schema_is_plain_text_with_landed_names_quoted():
    # Text, so the readers in the pipeline's query functions never ask the session to parse
    # types (Spark Connect refuses analysis there); quoted, so any landed name survives.
    spec = TableSpec(
        name="orders",
        role="fact",
        keys=("order_id",),
        columns={"order_id": "bigint", "amount": "decimal(12,2)"},
        sources={"amount": "Amount `EUR`, gross"},
    )
    assert ingest.landing_schema(spec, "parquet") == (
        "`order_id` bigint, `Amount ``EUR``, gross` decimal(12,2)"
    )
    assert ingest.landing_schema(spec, "csv") == (
        "`order_id` STRING, `Amount ``EUR``, gross` STRING, `_corrupt_record` STRING"
    )


def test_audit_columns_are_appended(spark):
    landed = frame(
        spark,
        [("1", None, "/landing/orders/a.json", dt.datetime(2024, 1, 2, 3, 4, 5))],
        "order_id string, _rescued_data string, _source_file string, _source_modified_at timestamp",
    )
    bronze = ingest.with_audit_columns(landed)
    assert bronze.columns == [
        "order_id",
        "_rescued_data",
        "_source_file",
        "_source_modified_at",
        "_ingested_at",
        "_load_id",
    ]
    assert isinstance(bronze.schema["_load_id"].dataType, StringType)
    row = bronze.first()
    assert row._source_file == "/landing/orders/a.json"
    assert row._source_modified_at == dt.datetime(2024, 1, 2, 3, 4, 5)
    # The load id is the ingestion time, so rows of one micro-batch share it.
    assert re.fullmatch(r"\d{17}", row._load_id)
    assert row._load_id == row._ingested_at.strftime("%Y%m%d%H%M%S%f")[:17]


def test_a_source_without_file_times_keeps_a_typed_null(spark):
    landed = frame(
        spark,
        [("1", "catalog.schema.orders", None)],
        "order_id string, _source_file string, _source_modified_at string",
    )
    bronze = ingest.with_audit_columns(landed)
    assert bronze.schema["_source_modified_at"].dataType.simpleString() == "timestamp"
    assert bronze.first()._source_modified_at is None
