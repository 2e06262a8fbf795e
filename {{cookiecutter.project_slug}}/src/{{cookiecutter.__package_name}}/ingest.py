"""Bronze: what a landed record looks like, and the audit columns every bronze row carries.

Bronze keeps text formats (json, csv, kafka) as STRING columns. Typing happens in silver, where a
value that does not fit its type is quarantined with a reason (`castable_<column>`) instead of
silently turning into NULL while the file is read. Parquet and Delta sources are already typed, so
bronze reads them with the spec's types.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StringType, StructField, StructType

from {{ cookiecutter.__package_name }}.spec import TableSpec

TEXT_FORMATS = ("json", "csv", "kafka")
TYPED_FORMATS = ("parquet", "delta")

RESCUED_COLUMN = "_rescued_data"
"""Auto Loader's name for data that did not fit the schema; locally the file reader's corrupt record
column, which holds the whole line of a record it could not parse."""

AUDIT_COLUMNS = ("_ingested_at", "_source_file", "_load_id")
"""`_ingested_at`: when the micro-batch that read the row started (`current_timestamp()` is fixed
once per micro-batch in a streaming query). `_source_file`: the landed file the row came from
(`_metadata.file_path`), the source table for Delta, `topic/partition/offset` for Kafka.
`_load_id`: `_ingested_at` as `yyyyMMddHHmmssSSS`, so all rows that one micro-batch (one update of
the streaming table) ingested share it; it identifies a load, not a row, and two loads in the same
millisecond would share one id."""


def landing_schema(spec: TableSpec, source_format: str) -> StructType:
    """The schema bronze reads the landing data with, always ending with `_rescued_data`.

    json/csv/kafka: every spec column as STRING. parquet/delta: the spec's types (the source is
    typed already; parsing the type strings needs an active SparkSession), and `_rescued_data`
    stays NULL unless Auto Loader rescues something. Silver relies on the column being there.
    """
    if source_format in TEXT_FORMATS:
        fields = [StructField(name, StringType()) for name in spec.columns]
    elif source_format in TYPED_FORMATS:
        fields = [
            StructField(name, DataType.fromDDL(type_)) for name, type_ in spec.columns.items()
        ]
    else:
        raise ValueError(f"unknown source format {source_format!r}")
    return StructType([*fields, StructField(RESCUED_COLUMN, StringType())])


def with_audit_columns(df: DataFrame, source_file: Column | None = None) -> DataFrame:
    """Add `_ingested_at`, `_source_file` and `_load_id` (see `AUDIT_COLUMNS`).

    `source_file` defaults to the `_source_file` column that `engine.read_landing` returns.
    Pipeline query functions may not analyze a DataFrame (no `df.columns`), so this only adds
    and replaces columns by name: `_source_file` keeps its place, the others are appended.
    """
    ingested_at = F.current_timestamp()
    return df.withColumns(
        {
            "_source_file": (F.col("_source_file") if source_file is None else source_file).cast(
                "string"
            ),
            "_ingested_at": ingested_at,
            "_load_id": F.date_format(ingested_at, "yyyyMMddHHmmssSSS"),
        }
    )
