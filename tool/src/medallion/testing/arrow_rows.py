"""Test DataFrames built from Arrow tables.

`spark.createDataFrame(rows, schema)` on a list of Python rows makes an RDD that a Python worker
feeds to every query run on it; from an Arrow table, Spark holds the rows as a local relation in
the JVM. On the small frames tests use, a query then takes about 10 ms instead of about 100 ms,
which takes about a third off the unit tests' time. Values mean what they mean to
`createDataFrame`: a timestamp without a time zone is local time, a struct is a tuple, a `Row` or
a dict, a map is a dict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    ShortType,
    StringType,
    StructType,
    TimestampNTZType,
    TimestampType,
)

# Written out here rather than taken from pyspark.sql.pandas.types, whose signature changes
# between releases (Databricks Connect, for `make test-remote`, ships its own pyspark build).
ATOMIC_TYPES = {
    ByteType: pa.int8(),
    ShortType: pa.int16(),
    IntegerType: pa.int32(),
    LongType: pa.int64(),
    FloatType: pa.float32(),
    DoubleType: pa.float64(),
    BooleanType: pa.bool_(),
    StringType: pa.string(),
    BinaryType: pa.binary(),
    DateType: pa.date32(),
    TimestampType: pa.timestamp("us", tz="UTC"),
    TimestampNTZType: pa.timestamp("us"),
}


def frame(spark: SparkSession, rows: Iterable[Any], schema: str | StructType) -> DataFrame:
    """The DataFrame `spark.createDataFrame(rows, schema)` would give, held as Arrow."""
    struct = schema if isinstance(schema, StructType) else DataType.fromDDL(schema)
    if not isinstance(struct, StructType):
        raise TypeError(f"frame() needs a struct schema, not {schema!r}")
    records = [_struct_value(row, struct) for row in rows]
    table = pa.Table.from_pylist(records, schema=pa.schema(arrow_type(struct)))
    return spark.createDataFrame(table, struct)


def arrow_type(data_type: DataType) -> pa.DataType:
    """The Arrow type that holds values of a Spark type."""
    if isinstance(data_type, DecimalType):
        return pa.decimal128(data_type.precision, data_type.scale)
    if isinstance(data_type, ArrayType):
        return pa.list_(arrow_type(data_type.elementType))
    if isinstance(data_type, MapType):
        return pa.map_(arrow_type(data_type.keyType), arrow_type(data_type.valueType))
    if isinstance(data_type, StructType):
        return pa.struct([pa.field(f.name, arrow_type(f.dataType)) for f in data_type.fields])
    for spark_type, arrow in ATOMIC_TYPES.items():
        if isinstance(data_type, spark_type):
            return arrow
    raise TypeError(f"frame() has no Arrow type for {data_type.simpleString()}: add it here")


def _struct_value(value: Any, struct: StructType) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        fields = [value.get(name) for name in struct.names]
    else:
        fields = list(value)
        if len(fields) != len(struct.fields):
            raise ValueError(f"{value!r} has {len(fields)} values for {len(struct.fields)} columns")
    return {
        field.name: _value(item, field.dataType)
        for field, item in zip(struct.fields, fields, strict=True)
    }


def _value(value: Any, data_type: DataType) -> Any:
    if value is None:
        return None
    if isinstance(data_type, StructType):
        return _struct_value(value, data_type)
    if isinstance(data_type, ArrayType):
        return [_value(item, data_type.elementType) for item in value]
    if isinstance(data_type, MapType):
        return [
            (_value(key, data_type.keyType), _value(item, data_type.valueType))
            for key, item in value.items()
        ]
    if isinstance(data_type, TimestampType) and isinstance(value, dt.datetime):
        # createDataFrame reads a naive datetime as the machine's local time: so does this.
        return value if value.tzinfo else value.astimezone()
    return value
