"""The fact the quality tests check: an orders spec with a warn and a drop rule, its bronze rows as
hand-written frames (every column landed as text), and the outcome columns they compare."""

from __future__ import annotations

import datetime as dt

from medallion.testing.arrow_rows import frame
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }}.spec import Rule, TableSpec

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
