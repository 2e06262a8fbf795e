"""The tables the star tests build on: two dimensions (SCD2 customers, SCD1 products), one fact
(orders), and their silver rows as hand-written frames."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from medallion.testing.arrow_rows import frame

from {{ cookiecutter.__package_name }}.spec import TableSpec

CUSTOMERS = TableSpec(
    name="customers",
    role="dimension",
    keys=("customer_id",),
    columns={"customer_id": "bigint", "name": "string", "updated_at": "timestamp"},
    scd_type=2,
    sequence_by="updated_at",
)
PRODUCTS = TableSpec(
    name="products",
    role="dimension",
    keys=("product_id",),
    columns={"product_id": "bigint", "name": "string", "price": "decimal(12,2)"},
    scd_type=1,
)
ORDERS = TableSpec(
    name="orders",
    role="fact",
    keys=("order_id",),
    columns={
        "order_id": "bigint",
        "customer_id": "bigint",
        "product_id": "bigint",
        "order_date": "date",
        "amount": "decimal(12,2)",
    },
    references={"customer_id": "customers", "product_id": "products"},
    date_column="order_date",
    measures=("amount",),
)
SCD2_SCHEMA = (
    "customer_id bigint, name string, updated_at timestamp, "
    "__START_AT timestamp, __END_AT timestamp"
)
JAN_10 = dt.datetime(2024, 1, 10, 10)
FEB_1 = dt.datetime(2024, 2, 1, 9)


def customers_silver(spark):
    return frame(
        spark,
        [
            (1, "Ann", JAN_10, JAN_10, FEB_1),
            (1, "Anne", FEB_1, FEB_1, None),
            (2, "Bob", dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 15)),
        ],
        SCD2_SCHEMA,
    )


def products_silver(spark):
    return frame(
        spark,
        [(10, "Tea", Decimal("3.50"), "f.json")],
        "product_id bigint, name string, price decimal(12,2), _source_file string",
    )
