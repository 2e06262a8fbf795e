"""ingest: the landing schema per format and the bronze audit columns."""

from __future__ import annotations

import re

from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from {{ cookiecutter.__package_name }} import ingest
from {{ cookiecutter.__package_name }}.spec import TableSpec

SPEC = TableSpec(
    name="orders",
    role="fact",
    keys=("order_id",),
    columns={"order_id": "bigint", "order_date": "date", "amount": "decimal(12,2)"},
)


def test_text_formats_land_as_strings_with_a_rescued_column():
    for source_format in ("json", "csv", "kafka"):
        schema = ingest.landing_schema(SPEC, source_format)
        assert schema.simpleString() == (
            "struct<order_id:string,order_date:string,amount:string,_rescued_data:string>"
        )


def test_typed_formats_land_with_the_spec_types(spark):
    for source_format in ("parquet", "delta"):
        schema = ingest.landing_schema(SPEC, source_format)
        assert (
            schema.simpleString()
            == "struct<order_id:bigint,order_date:date,amount:decimal(12,2),_rescued_data:string>"
        )


def test_audit_columns_are_appended(spark):
    landed = spark.createDataFrame(
        [("1", None, "/landing/orders/a.json")],
        "order_id string, _rescued_data string, _source_file string",
    )
    bronze = ingest.with_audit_columns(landed)
    assert bronze.columns == [
        "order_id",
        "_rescued_data",
        "_source_file",
        "_ingested_at",
        "_load_id",
    ]
    assert isinstance(bronze.schema["_load_id"].dataType, StringType)
    row = bronze.first()
    assert row._source_file == "/landing/orders/a.json"
    # The load id is the ingestion time, so rows of one micro-batch share it.
    assert re.fullmatch(r"\d{17}", row._load_id)
    assert row._load_id == row._ingested_at.strftime("%Y%m%d%H%M%S%f")[:17]


def test_source_file_can_be_given(spark):
    landed = spark.createDataFrame([("1",)], "order_id string")
    bronze = ingest.with_audit_columns(landed, source_file=F.lit("catalog.schema.orders"))
    assert bronze.first()._source_file == "catalog.schema.orders"
