"""Bronze: what a landed record looks like, and the audit columns every bronze row carries.

Bronze keeps text formats (json, csv, kafka) as STRING columns. Typing happens in silver, where a
value that does not fit its type is quarantined with a reason (`castable_<column>`) instead of
silently turning into NULL while the file is read. Parquet and Delta sources are already typed, so
bronze reads them with the spec's types.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import frames
from {{ cookiecutter.__package_name }}.spec import TableSpec, quote

TEXT_FORMATS = ("json", "csv", "kafka")
TYPED_FORMATS = ("parquet", "delta")

RESCUED_COLUMN = "_rescued_data"
"""Auto Loader's column for data that did not fit the schema (an unknown field, a value of another
type). The local file reader rescues nothing: there it is always NULL."""

CORRUPT_COLUMN = "_corrupt_record"
"""The text of a record the reader could not parse at all (a broken JSON line, a csv line with the
wrong number of fields); NULL otherwise. Both engines' readers fill it (the reader option
`columnNameOfCorruptRecord`), and silver quarantines such a record as `malformed_record`, text
included."""

SOURCE_FILE = "_source_file"
SOURCE_COLUMNS = (SOURCE_FILE, "_source_modified_at")
"""What `sources.read_landing` says about where each row came from (see `AUDIT_COLUMNS`)."""

AUDIT_COLUMNS = ("_ingested_at", "_source_file", "_source_modified_at", "_load_id")
"""`_ingested_at`: when the micro-batch that read the row started (`current_timestamp()` is fixed
once per micro-batch in a streaming query). `_source_file`: the landed file the row came from
(`_metadata.file_path`), the source table for Delta, `topic/partition/offset` for Kafka.
`_source_modified_at`: when that file was last modified (`_metadata.file_modification_time`), the
message timestamp for Kafka; for the record only: rows of a table without `sequence_by` are
ordered by `_source_file` (`quality.arrival_order`), since upload times race. `_load_id`:
`_ingested_at` as `yyyyMMddHHmmssSSS`, so all rows that one micro-batch (one update of the
streaming table) ingested share it; it identifies a load, not a row, and two loads in the same
millisecond would share one id."""


def landing_schema(spec: TableSpec, source_format: str) -> str:
    """The schema a reader parses the landing data with, as a DDL string.

    json/csv/kafka: every spec column as STRING, then `_corrupt_record` for records that do not
    parse. parquet/delta: the spec's types (the source is typed already). Fields carry the names of
    the landed files (`spec.sources`); `with_spec_names` renames them. A string, not a StructType:
    turning type strings into DataTypes asks the Spark session, and a pipeline query function that
    does so fails on Spark Connect with ATTEMPT_ANALYSIS_IN_PIPELINE_QUERY_FUNCTION.
    """
    if source_format in TEXT_FORMATS:
        fields = [(spec.source_name(name), "STRING") for name in spec.columns]
        fields.append((CORRUPT_COLUMN, "STRING"))
    elif source_format in TYPED_FORMATS:
        fields = [(spec.source_name(name), type_) for name, type_ in spec.columns.items()]
    else:
        raise ValueError(f"unknown source format {source_format!r}")
    return ", ".join(f"{quote(name)} {type_}" for name, type_ in fields)


def with_spec_names(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Rename the columns whose landed name differs (`Created At` -> `created_at`).

    Bronze renames, not later: Delta refuses spaces and `,;{}()=` in column names unless column
    mapping is on, and every layer after bronze then speaks the spec's clean names.
    """
    if not spec.sources:
        return df
    # Eager on Spark Connect (see `frames`), which is harmless here: the input is a read of the
    # landing files, never a pipeline dataset.
    return df.withColumnsRenamed({source: name for name, source in spec.sources.items()})


def with_audit_columns(df: DataFrame) -> DataFrame:
    """Add `_ingested_at` and `_load_id` to what `sources.read_landing` returns (see
    `AUDIT_COLUMNS`), and give its `_source_file` and `_source_modified_at` their types.

    Pipeline query functions may not analyze a DataFrame (no `df.columns`), so this only adds
    and replaces columns by name: the source columns keep their place, the others are appended.
    """
    ingested_at = F.current_timestamp()
    return frames.with_columns(
        df,
        {
            "_source_file": F.col("_source_file").cast("string"),
            "_source_modified_at": F.col("_source_modified_at").cast("timestamp"),
            "_ingested_at": ingested_at,
            "_load_id": F.date_format(ingested_at, "yyyyMMddHHmmssSSS"),
        },
    )
