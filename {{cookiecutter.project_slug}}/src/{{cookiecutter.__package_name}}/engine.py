"""The one module that knows which engine runs the pipeline.

Pipeline files call these functions and never branch on the engine themselves. The engine comes
from the pipeline configuration key `medallion.engine` (`databricks` in resources/pipeline.yml,
`local` in the local spec; `local` when unset).

| Concern          | Databricks (Lakeflow)                 | local (`spark-pipelines`, Spark 4.3)  |
|------------------|---------------------------------------|---------------------------------------|
| json/csv/parquet | Auto Loader `cloudFiles`: schema      | file source, explicit schema,         |
|                  | hints from the spec, new columns      | unparsable records kept in            |
|                  | added, `_rescued_data`                | `_rescued_data`                       |
| delta source     | `readStream.table(<schema>.<t>)`,     | parquet files in `<landing>/<t>/`     |
|                  | `medallion.delta_source_schema`       |                                       |
| kafka source     | topic `<t>`, JSON value parsed into   | JSON files in `<landing>/<t>/`        |
|                  | strings                               | (no Kafka connector offline)          |
| expectations     | `dp.expect_all*`: metrics in the      | warn: pass through; drop: filter;     |
|                  | event log                             | fail: `raise_error` stops the update  |
| SCD1/SCD2 CDC    | `dp.create_auto_cdc_flow` into a      | materialized view recomputed from     |
|                  | streaming table (incremental)         | the whole feed by `cdc.scd1/scd2`     |
| clustering       | `cluster_by` (liquid clustering)      | none (plain parquet directories)      |

Both engines keep the same dataset names and columns, so gold code and tests do not care.
`expect_all*` are looked up on `dp` when called: open-source `pyspark.pipelines` does not have them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

from pyspark import pipelines as dp
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import cdc, quality
from {{ cookiecutter.__package_name }}.ingest import (
    AUDIT_COLUMNS,
    RESCUED_COLUMN,
    TEXT_FORMATS,
    landing_schema,
)
from {{ cookiecutter.__package_name }}.spec import TableSpec

ENGINE_CONF = "medallion.engine"
SOURCE_FORMAT_CONF = "medallion.source_format"
LANDING_PATH_CONF = "medallion.landing_path"
DELTA_SOURCE_SCHEMA_CONF = "medallion.delta_source_schema"
KAFKA_SERVERS_CONF = "medallion.kafka_bootstrap_servers"

# What the local engine reads in place of sources it cannot reach offline.
LOCAL_FILE_FORMAT = {
    "json": "json",
    "csv": "csv",
    "parquet": "parquet",
    "delta": "parquet",
    "kafka": "json",
}

DatasetFunction = Callable[..., DataFrame]


def is_databricks(spark: SparkSession) -> bool:
    """True when the pipeline configuration says `medallion.engine: databricks`."""
    return spark.conf.get(ENGINE_CONF, "local") == "databricks"


def _active_spark() -> SparkSession:
    return SparkSession.active()


def _required_conf(spark: SparkSession, key: str) -> str:
    value = spark.conf.get(key, None)
    if not value:
        raise ValueError(f"pipeline configuration {key!r} is not set")
    return value


def read_landing(spark: SparkSession, spec: TableSpec) -> DataFrame:
    """The landed records of one table as a stream, plus `_rescued_data` and `_source_file`.

    Text formats give the spec columns as STRING, parquet/delta typed (see
    `ingest.landing_schema`). On Databricks, Auto Loader may add columns that appear in
    the files later (`addNewColumns`); silver only reads the spec's columns.
    """
    source_format = spark.conf.get(SOURCE_FORMAT_CONF, "json")
    if is_databricks(spark):
        return _read_databricks(spark, spec, source_format)
    return _read_local(spark, spec, source_format)


def _schema_hints(spec: TableSpec, source_format: str) -> str:
    text = source_format in TEXT_FORMATS
    return ", ".join(
        f"`{name}` {'STRING' if text else type_}" for name, type_ in spec.columns.items()
    )


def _read_databricks(spark: SparkSession, spec: TableSpec, source_format: str) -> DataFrame:
    if source_format == "delta":
        source_table = f"{_required_conf(spark, DELTA_SOURCE_SCHEMA_CONF)}.{spec.name}"
        # A Delta source is typed: nothing to rescue, but silver expects the column.
        return spark.readStream.table(source_table).withColumns(
            {RESCUED_COLUMN: F.lit(None).cast("string"), "_source_file": F.lit(source_table)}
        )
    if source_format == "kafka":
        return _read_kafka(spark, spec)
    reader = (
        spark.readStream.format("cloudFiles")
        .option("cloudFiles.format", source_format)
        .option("cloudFiles.schemaHints", _schema_hints(spec, source_format))
        .option("cloudFiles.schemaEvolutionMode", "addNewColumns")
        .option("rescuedDataColumn", RESCUED_COLUMN)
    )
    if source_format == "csv":
        reader = reader.option("header", "true")
    landing = _required_conf(spark, LANDING_PATH_CONF).rstrip("/")
    return reader.load(f"{landing}/{spec.name}").withColumn(
        "_source_file", F.col("_metadata.file_path")
    )


def _read_kafka(spark: SparkSession, spec: TableSpec) -> DataFrame:
    messages = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", _required_conf(spark, KAFKA_SERVERS_CONF))
        .option("subscribe", spec.name)
        .option("startingOffsets", "earliest")
        .load()
    )
    # A value that is not valid JSON keeps its text in _rescued_data, as a malformed file line.
    value = F.from_json(
        F.col("value").cast("string"),
        landing_schema(spec, "kafka"),
        {"columnNameOfCorruptRecord": RESCUED_COLUMN},
    )
    coordinates = F.concat_ws("/", "topic", "partition", "offset")
    return messages.select(value.alias("record"), coordinates.alias("_source_file")).select(
        "record.*", "_source_file"
    )


def _read_local(spark: SparkSession, spec: TableSpec, source_format: str) -> DataFrame:
    file_format = LOCAL_FILE_FORMAT[source_format]
    reader = spark.readStream.format(file_format).schema(landing_schema(spec, source_format))
    if source_format in TEXT_FORMATS:
        reader = reader.option("mode", "PERMISSIVE").option(
            "columnNameOfCorruptRecord", RESCUED_COLUMN
        )
    if file_format == "csv":
        # With an explicit schema the csv reader maps fields by position: files must list the
        # spec's columns in order (Auto Loader matches header names instead).
        reader = reader.option("header", "true")
    landing = _required_conf(spark, LANDING_PATH_CONF).rstrip("/")
    return reader.load(f"{landing}/{spec.name}").withColumn(
        "_source_file", F.col("_metadata.file_path")
    )


def _databricks_decorator(name: str, rules: Mapping[str, str]) -> Callable:
    decorator = getattr(dp, name, None)
    if decorator is None:
        raise RuntimeError(
            f"pyspark.pipelines has no {name}: medallion.engine is 'databricks' but this is not "
            "a Databricks runtime"
        )
    return decorator(dict(rules))


def _wrap(function: DatasetFunction, transform: Callable[[DataFrame], DataFrame]) -> Callable:
    # functools.wraps keeps the function's name: a dataset defined without `name=` is named
    # after it.
    @functools.wraps(function)
    def wrapper(*args, **kwargs) -> DataFrame:
        return transform(function(*args, **kwargs))

    return wrapper


def _local_drop(df: DataFrame, rules: Mapping[str, str]) -> DataFrame:
    holds = F.lit(True)
    for constraint in rules.values():
        holds &= F.coalesce(F.expr(constraint), F.lit(False))
    return df.where(holds)


def _local_fail(df: DataFrame, rules: Mapping[str, str]) -> DataFrame:
    # A filter that is true or raises: unlike a projected column, the optimizer cannot prune it.
    row = F.to_json(F.struct("*"))
    guard: Column = F.lit(True)
    for name, constraint in reversed(list(rules.items())):
        message = F.concat(F.lit(f"expectation {name} failed for row "), row)
        failed = ~F.coalesce(F.expr(constraint), F.lit(False))
        guard = F.when(failed, F.raise_error(message).cast("boolean")).otherwise(guard)
    return df.where(guard)


def expect_all(rules: Mapping[str, str]) -> Callable[[DatasetFunction], Callable]:
    """Warn expectations (name -> SQL): rows are kept; Databricks counts failures per rule."""

    def decorate(function: DatasetFunction) -> Callable:
        if not rules:
            return function
        if is_databricks(_active_spark()):
            return _databricks_decorator("expect_all", rules)(function)
        return function  # locally the failures are recorded in `_warned_rules` by quality.check

    return decorate


def expect_all_or_drop(rules: Mapping[str, str]) -> Callable[[DatasetFunction], Callable]:
    """Drop expectations: rows where any rule is false or NULL are left out of the dataset."""

    def decorate(function: DatasetFunction) -> Callable:
        if not rules:
            return function
        if is_databricks(_active_spark()):
            return _databricks_decorator("expect_all_or_drop", rules)(function)
        return _wrap(function, lambda df: _local_drop(df, rules))

    return decorate


def expect_all_or_fail(rules: Mapping[str, str]) -> Callable[[DatasetFunction], Callable]:
    """Fail expectations: the first row where a rule is false or NULL stops the update."""

    def decorate(function: DatasetFunction) -> Callable:
        if not rules:
            return function
        if is_databricks(_active_spark()):
            return _databricks_decorator("expect_all_or_fail", rules)(function)
        return _wrap(function, lambda df: _local_fail(df, rules))

    return decorate


def cdc_except_columns(spec: TableSpec) -> list[str]:
    """Columns left out of a CDC target: quality helpers, audit columns, the delete marker."""
    change = cdc.change_columns(list(spec.columns), spec.delete_when)
    return [*quality.HELPER_COLUMNS, *AUDIT_COLUMNS, *change]


def create_cdc_table(
    spark: SparkSession,
    *,
    target: str,
    source: str,
    prepare: Callable[[DataFrame], DataFrame] | None = None,
    spec: TableSpec,
    comment: str,
) -> None:
    """Define `target` as the SCD1/SCD2 table (`spec.scd_type`) of the change feed in `source`.

    `prepare` turns the source rows into checked rows, i.e. the output of `quality.check`
    (the default: `quality.check(df, spec)`); the spec's expectations are applied to them, so
    rows failing a drop rule never reach the target (`silver_<t>_quarantine` keeps them).

    Databricks: a temporary view `<target>_changes` with `dp.expect_all*`, a streaming table and
    `dp.create_auto_cdc_flow` (incremental). Local: a materialized view computing
    `cdc.scd1`/`cdc.scd2` over the whole source on every run.
    """
    if not spec.sequence_by:
        raise ValueError(f"table {spec.name!r}: CDC needs sequence_by")
    prepare = prepare or (lambda df: quality.check(df, spec))
    scd_type = spec.scd_type or 1
    except_columns = cdc_except_columns(spec)

    if is_databricks(spark):
        changes = f"{target}_changes"

        @dp.temporary_view(name=changes, comment=f"Checked change events for {target}.")
        @expect_all(quality.expectations(spec, "warn"))
        @expect_all_or_drop(quality.expectations(spec, "drop"))
        @expect_all_or_fail(quality.expectations(spec, "fail"))
        def change_events() -> DataFrame:
            return prepare(spark.readStream.table(source))

        dp.create_streaming_table(target, comment=comment, **table_options(spec.keys))
        dp.create_auto_cdc_flow(
            target=target,
            source=changes,
            keys=list(spec.keys),
            sequence_by=spec.sequence_by,
            apply_as_deletes=F.expr(spec.delete_when) if spec.delete_when else None,
            except_column_list=except_columns,
            stored_as_scd_type=scd_type,
            # A change of sequence_by alone is not a new version (see cdc.scd2).
            track_history_except_column_list=[spec.sequence_by] if scd_type == 2 else None,
        )
        return

    scd = cdc.scd2 if scd_type == 2 else cdc.scd1

    @dp.materialized_view(name=target, comment=comment)
    def current_state() -> DataFrame:
        checked = prepare(spark.read.table(source))
        kept = _local_drop(checked, quality.expectations(spec, "drop"))
        kept = quality.fail_fast(kept, spec)
        return scd(kept, spec.keys, spec.sequence_by, spec.delete_when, except_columns)


def table_options(cluster_by: Sequence[str]) -> dict:
    """Keyword arguments for `@dp.table`/`@dp.materialized_view`: liquid clustering on Databricks.

    Locally tables are plain parquet directories, so there is nothing to cluster.
    """
    if cluster_by and is_databricks(_active_spark()):
        return {"cluster_by": list(cluster_by)}
    return {}
