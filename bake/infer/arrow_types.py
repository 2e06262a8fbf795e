"""Spark types for parquet columns, from the pyarrow types in the files' footers.

Parquet files carry their types, and Spark's parquet reader reads them as they are; the only
choices are the zones: a timestamp with a zone is an instant (`timestamp`), one without is a wall
clock time (`timestamp_ntz`), as Spark itself reads them.
"""

from __future__ import annotations

_SIMPLE = {
    "bool": "boolean",
    "int8": "tinyint",
    "int16": "smallint",
    "int32": "int",
    "int64": "bigint",
    "uint8": "smallint",
    "uint16": "int",
    "uint32": "bigint",
    "uint64": "decimal(20,0)",
    "halffloat": "float",
    "float": "float",
    "double": "double",
    "string": "string",
    "large_string": "string",
    "string_view": "string",
    "binary": "binary",
    "large_binary": "binary",
    "date32[day]": "date",
}


def spark_type(arrow_type) -> str:
    """The Spark SQL type Spark's parquet reader gives `arrow_type`; ValueError when none."""
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        return spark_type(arrow_type.value_type)
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp" if arrow_type.tz else "timestamp_ntz"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return f"array<{spark_type(arrow_type.value_type)}>"
    if pa.types.is_map(arrow_type):
        return f"map<{spark_type(arrow_type.key_type)},{spark_type(arrow_type.item_type)}>"
    if pa.types.is_struct(arrow_type):
        fields = ",".join(f"{f.name}:{spark_type(f.type)}" for f in arrow_type)
        return f"struct<{fields}>"
    name = str(arrow_type)
    if name in _SIMPLE:
        return _SIMPLE[name]
    raise ValueError(f"parquet type {name} has no Spark SQL type")


def kind(spark: str) -> str:
    """The classify.Guess kind of a Spark type, for the profiling that follows."""
    if spark in ("tinyint", "smallint", "int", "bigint"):
        return "integer"
    if spark.startswith("decimal"):
        return "decimal"
    if spark in ("float", "double"):
        return "double"
    if spark in ("boolean", "date", "timestamp", "timestamp_ntz", "string"):
        return spark
    return "other"  # binary and nested types: kept, not profiled
