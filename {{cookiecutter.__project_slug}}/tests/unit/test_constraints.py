"""constraints: the declared gold schemas, their key constraints, and that they match the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from medallion.testing.arrow_rows import frame
from pyspark.sql.types import StructType

from {{ cookiecutter.__package_name }} import constraints, flows, star
from {{ cookiecutter.__package_name }}.dates import dim_date
from {{ cookiecutter.__package_name }}.spec import TableSpec

ORDER = TableSpec(  # a reserved word as a table name, and as a column name
    name="order",
    role="dimension",
    keys=("order_id",),
    columns={"order_id": "bigint", "group": "string", "changed_at": "timestamp"},
    scd_type=2,
    sequence_by="changed_at",
    column_comments={"group": "The customer's 'group'."},
)
LINES = TableSpec(
    name="lines",
    role="fact",
    keys=("order_key", "line"),
    columns={
        "order_key": "bigint",
        "line": "int",
        "order_id": "bigint",
        "shipped_on": "date",
        "committed_on": "date",
        "mode": "string",
        "qty": "decimal(15,2)",
    },
    references={"order_id": "order"},
    date_column="shipped_on",
    attributes=("committed_on", "mode"),
    measures=("qty",),
)
SPECS = {"order": ORDER, "lines": LINES}


def test_databricks_gets_primary_and_foreign_keys_quoted_and_qualified():
    ddl = constraints.fact_schema(LINES, SPECS).ddl(constraints=True, qualifier="main.sales")
    assert ddl == (
        "`order_key` BIGINT NOT NULL, `line` INT NOT NULL, "
        "`order_sk` BIGINT NOT NULL COMMENT 'Surrogate key of dim_order for order_id; -1 is the "
        "unknown member.', "
        "`date_sk` INT NOT NULL COMMENT 'Key into dim_date of shipped_on; -1 when it is missing.', "
        "`shipped_on` DATE, "
        "`committed_on_sk` INT NOT NULL COMMENT 'Key into dim_date of committed_on (a "
        "role-playing date); -1 when it is missing.', "
        "`committed_on` DATE, `mode` STRING, `qty` DECIMAL(15,2), "
        "CONSTRAINT `fact_lines_pk` PRIMARY KEY (`order_key`, `line`), "
        "CONSTRAINT `fact_lines_order_sk_fk` FOREIGN KEY (`order_sk`) "
        "REFERENCES `main`.`sales`.`dim_order` (`order_sk`), "
        "CONSTRAINT `fact_lines_date_sk_fk` FOREIGN KEY (`date_sk`) "
        "REFERENCES `main`.`sales`.`dim_date` (`date_sk`), "
        "CONSTRAINT `fact_lines_committed_on_sk_fk` FOREIGN KEY (`committed_on_sk`) "
        "REFERENCES `main`.`sales`.`dim_date` (`date_sk`)"
    )


def test_constraints_are_never_rely_and_comments_escape_quotes():
    """Gold is published before its integrity checks run: a RELY constraint could be false
    while queries rely on it, and the docs say that gives wrong results."""
    ddl = constraints.fact_schema(LINES, SPECS).ddl(constraints=True, qualifier="main.sales")
    assert "RELY" not in ddl
    ddl = constraints.dimension_schema(ORDER, SPECS).ddl(constraints=True)
    assert "`group` STRING COMMENT 'The customer\\'s \\'group\\'.'" in ddl
    assert ddl.endswith("CONSTRAINT `dim_order_pk` PRIMARY KEY (`order_sk`)")


def test_locally_the_schema_has_no_constraints_and_parses_as_open_source_spark_does(spark):
    ddl = constraints.fact_schema(LINES, SPECS).ddl(constraints=False)
    assert "CONSTRAINT" not in ddl and "PRIMARY KEY" not in ddl
    StructType.fromDDL(ddl)  # what spark-pipelines does with `schema=`


def assert_matches(computed: StructType, declared: StructType) -> None:
    """Same names, in order, with the same types; a column declared NOT NULL is one the query
    never leaves NULL (the engines refuse a declared NOT NULL over a nullable column)."""
    assert [(f.name, f.dataType.simpleString()) for f in computed.fields] == [
        (f.name, f.dataType.simpleString()) for f in declared.fields
    ]
    for computed_field, declared_field in zip(computed.fields, declared.fields, strict=True):
        if not declared_field.nullable:
            assert not computed_field.nullable, f"{computed_field.name} may be NULL"


def test_declared_schemas_match_what_gold_computes(spark):
    """Both engines refuse a declared schema whose columns, types or NOT NULLs the query does not
    produce."""
    orders = frame(
        spark,
        [(1, "a", dt.datetime(2024, 1, 1)), (2, None, dt.datetime(2024, 1, 2))],
        "order_id bigint, group string, changed_at timestamp",
    )
    silver_order = orders.selectExpr(
        "order_id", "`group`", "changed_at", "changed_at AS __START_AT",
        "CAST(NULL AS timestamp) AS __END_AT",
    )  # fmt: skip
    dim_order = star.dimension(silver_order, ORDER)
    declared = StructType.fromDDL(constraints.dimension_schema(ORDER, SPECS).ddl(False))
    assert_matches(dim_order.schema, declared)

    silver_lines = frame(
        spark,
        [(1, 1, 1, dt.date(2024, 1, 5), None, "AIR", Decimal("1.00"))],
        "order_key bigint, line int, order_id bigint, shipped_on date, committed_on date, "
        "mode string, qty decimal(15,2)",
    )
    fact = star.fact(silver_lines, LINES, {"order": (ORDER, dim_order)})
    declared = StructType.fromDDL(constraints.fact_schema(LINES, SPECS).ddl(False))
    assert_matches(fact.schema, declared)

    calendar = dim_date(silver_lines, "shipped_on", ("2000-01-01", "2099-12-31"))
    declared = StructType.fromDDL(constraints.dim_date_schema().ddl(False))
    assert_matches(calendar.schema, declared)


@pytest.fixture
def databricks_conf(spark):
    spark.conf.set("medallion.engine", "databricks")
    spark.conf.set("medallion.gold_schema", "main.dev_ann_sales")
    yield
    spark.conf.unset("medallion.engine")
    spark.conf.unset("medallion.gold_schema")


@pytest.mark.local_only
def test_gold_options_on_databricks_cluster_on_natural_keys_with_constraints(databricks_conf):
    schema = constraints.dimension_schema(ORDER, SPECS)
    options = flows.gold_options(schema, cluster_by=ORDER.keys)
    assert options == {
        "schema": schema.ddl(constraints=True, qualifier="main.dev_ann_sales"),
        "cluster_by": ["order_id"],  # the natural key people filter by, not the hash
    }


@pytest.mark.local_only
def test_gold_options_locally_declare_the_columns_only(spark):
    spark.conf.set("medallion.engine", "local")
    try:
        schema = constraints.dim_date_schema()
        options = flows.gold_options(schema, cluster_by=["date_sk"])
        assert options == {"schema": schema.ddl(constraints=False)}
    finally:
        spark.conf.unset("medallion.engine")
