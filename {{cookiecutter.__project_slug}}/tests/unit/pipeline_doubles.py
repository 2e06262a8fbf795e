"""Test doubles shared by the pipeline library's unit tests: a spec, a recording reader."""

from __future__ import annotations

from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }}.spec import Rule, TableSpec

CUSTOMERS = TableSpec(
    name="customers",
    role="dimension",
    keys=("customer_id",),
    columns={
        "customer_id": "bigint",
        "name": "string",
        "updated_at": "timestamp",
        "operation": "string",
    },
    rules=(Rule("has_name", "name IS NOT NULL", "warn"),),
    scd_type=2,
    sequence_by="updated_at",
    delete_when="operation = 'DELETE'",
    except_columns=("operation",),
)


READER_SCHEMA = (
    "customer_id string, name string, updated_at string, operation string, "
    "_rescued_data string, _corrupt_record string, _source_file string"
)


class FakeReader:
    """A DataStreamReader that records its options and returns a given DataFrame."""

    def __init__(self, result):
        self.result, self.source, self.recorded, self.path = result, None, {}, None
        self.schema_ddl = None

    def format(self, source):
        self.source = source
        return self

    def schema(self, ddl):
        self.schema_ddl = ddl
        return self

    def option(self, key, value):
        self.recorded[key] = value
        return self

    def options(self, **options):
        for key, value in options.items():
            self.option(key, value)
        return self

    def load(self, path=None):
        self.path = path
        return self.result

    def table(self, name):
        self.path = name
        return self.result


def with_audit(df):
    return df.withColumns(
        {
            "_ingested_at": F.current_timestamp(),
            "_source_modified_at": F.current_timestamp(),
            "_load_id": F.lit("1"),
        }
    )
