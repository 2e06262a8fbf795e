"""The one module that knows which engine runs the pipeline.

Pipeline files call these functions and never branch on the engine themselves. The engine comes
from the pipeline configuration key `medallion.engine`: `databricks` in resources/pipeline.yml,
`local` in the spec that `tools/run_local.py` writes. A pipeline without the key stops at once
with an error that names it, rather than guess.

| Concern          | Databricks (Lakeflow)                 | local (`spark-pipelines`, Spark 4.3)  |
|------------------|---------------------------------------|---------------------------------------|
| json/csv/parquet | Auto Loader `cloudFiles` with the     | file source with the same schema;     |
|                  | spec's schema; unknown json fields in | json read as lines so that unknown    |
|                  | `_rescued_data`; csv headers checked  | fields are rescued the same way; csv  |
|                  | (enforceSchema=false)                 | headers checked the same way          |
| delta source     | `readStream.table(<schema>.<t>)`      | parquet files in `<landing>/<t>/`     |
|                  | with `skipChangeCommits`              |                                       |
| kafka source     | topic `<t>`, SASL/SSL from the        | JSON files in `<landing>/<t>/`        |
|                  | configuration, secrets from a scope   | (no Kafka connector offline)          |
| expectations     | `dp.expect_all*`: metrics in the      | warn: pass through; drop: filter;     |
|                  | event log                             | fail: `raise_error` stops the update  |
| SCD1/SCD2 CDC    | `dp.create_auto_cdc_flow` into a      | materialized view recomputed from     |
|                  | streaming table (incremental)         | the whole feed by `cdc.scd1/scd2`     |
| full snapshots   | `dp.create_auto_cdc_from_snapshot_    | materialized view recomputed from     |
|                  | flow`, one snapshot version at a time | every snapshot by `cdc.from_snapshots`|
| clustering       | `cluster_by` (liquid clustering)      | none (plain parquet directories)      |

Both engines keep the same dataset names and columns, so gold code and tests do not care.
`expect_all*` and `create_auto_cdc_from_snapshot_flow` are looked up on `dp` when called:
open-source `pyspark.pipelines` does not have them.

`medallion.graph: databricks` (local engine only) builds the Databricks shape of the graph (AUTO
CDC flows into streaming tables, change views) with local sources and local expectations, so that
`spark-pipelines dry-run` analyzes it: every column named in `keys`, `sequence_by` and the column
lists is checked by Spark's own analyzer. It cannot run: open-source AUTO CDC needs a table format
with row-level operations (Delta), which cannot be installed offline.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence

from pyspark import pipelines as dp
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import cdc, frames, quality
from {{ cookiecutter.__package_name }}.constraints import GoldSchema
from {{ cookiecutter.__package_name }}.ingest import (
    AUDIT_COLUMNS,
    CORRUPT_COLUMN,
    RESCUED_COLUMN,
    SOURCE_COLUMNS,
    TEXT_FORMATS,
    landing_schema,
    with_audit_columns,
    with_spec_names,
)
from {{ cookiecutter.__package_name }}.spec import TableSpec

ENGINE_CONF = "medallion.engine"
ENGINES = ("databricks", "local")
GRAPH_CONF = "medallion.graph"
SOURCE_FORMAT_CONF = "medallion.source_format"
LANDING_PATH_CONF = "medallion.landing_path"
DELTA_SOURCE_SCHEMA_CONF = "medallion.delta_source_schema"
KAFKA_SERVERS_CONF = "medallion.kafka_bootstrap_servers"
KAFKA_PROTOCOL_CONF = "medallion.kafka_security_protocol"
KAFKA_MECHANISM_CONF = "medallion.kafka_sasl_mechanism"
KAFKA_SECRET_SCOPE_CONF = "medallion.kafka_secret_scope"
KAFKA_USERNAME_KEY_CONF = "medallion.kafka_username_key"
KAFKA_PASSWORD_KEY_CONF = "medallion.kafka_password_key"
GOLD_SCHEMA_CONF = "medallion.gold_schema"  # catalog.schema of gold, for foreign key references
# Set by Databricks on its runtimes (the Databricks SDK and Connect use it the same way). It is not
# documented for serverless pipelines, so it only catches a local configuration on Databricks.
RUNTIME_ENV = "DATABRICKS_RUNTIME_VERSION"

CSV_OPTIONS = {
    "header": "true",
    # Each file's header is checked against the schema, so a file with reordered, missing or
    # extra columns stops the update naming the file instead of loading values into the wrong
    # columns.
    "enforceSchema": "false",
    # RFC 4180, as Python's csv, Excel, pandas and DuckDB write it: a quote inside a quoted value
    # is doubled (`"{""name"": ""Ann""}"`). Spark's default escape, a backslash, would make such
    # a line malformed on both engines.
    "escape": '"',
}
"""Options of the csv reader, the same for Auto Loader and the local file source."""

# What the local engine reads in place of sources it cannot reach offline.
LOCAL_FILE_FORMAT = {
    "json": "json",
    "csv": "csv",
    "parquet": "parquet",
    "delta": "parquet",
    "kafka": "json",
}
# Login modules of the Kafka client that Databricks ships shaded (`kafkashaded.` prefix).
KAFKA_LOGIN_MODULES = {
    "PLAIN": "kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "kafkashaded.org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "kafkashaded.org.apache.kafka.common.security.scram.ScramLoginModule",
}

DatasetFunction = Callable[..., DataFrame]


class EngineConfigError(RuntimeError):
    """The pipeline configuration does not say (or contradicts) which engine runs it."""


def engine(spark: SparkSession) -> str:
    """`databricks` or `local`, from `medallion.engine`; raises when it is missing or wrong."""
    value = spark.conf.get(ENGINE_CONF, None)
    runtime = os.environ.get(RUNTIME_ENV)
    if value is None:
        raise EngineConfigError(
            f"pipeline configuration {ENGINE_CONF!r} is not set. Set it to 'databricks' in the "
            "pipeline's configuration (resources/pipeline.yml does; a pipeline created outside "
            "the bundle needs it too) or to 'local' (tools/run_local.py does)."
        )
    if value not in ENGINES:
        raise EngineConfigError(f"{ENGINE_CONF} is {value!r}; use one of {', '.join(ENGINES)}")
    if value == "local" and runtime:
        raise EngineConfigError(
            f"{ENGINE_CONF} is 'local' but this is a Databricks runtime ({RUNTIME_ENV}={runtime}): "
            "set it to 'databricks' in the pipeline's configuration"
        )
    return value


def is_databricks(spark: SparkSession) -> bool:
    """True when the pipeline configuration says `medallion.engine: databricks`."""
    return engine(spark) == "databricks"


def uses_auto_cdc(spark: SparkSession) -> bool:
    """True when CDC tables are AUTO CDC flows: on Databricks, and in the local dry-run graph."""
    return is_databricks(spark) or spark.conf.get(GRAPH_CONF, "local") == "databricks"


def _active_spark() -> SparkSession:
    return SparkSession.active()


def _required_conf(spark: SparkSession, key: str) -> str:
    value = spark.conf.get(key, None)
    if not value:
        raise EngineConfigError(f"pipeline configuration {key!r} is not set")
    return value


def read_landing(spark: SparkSession, spec: TableSpec) -> DataFrame:
    """The landed records of one table as a stream, with the reader's and the source's columns.

    Columns: the spec columns (STRING for json/csv/kafka, typed for parquet/delta, see
    `ingest.landing_schema`), `_rescued_data`, `_corrupt_record`, `_source_file` and
    `_source_modified_at`, on both engines: the schema is the spec's, so no column is ever added;
    a json field the spec does not declare is kept in `_rescued_data`.
    """
    source_format = spark.conf.get(SOURCE_FORMAT_CONF, "json")
    if is_databricks(spark):
        return with_spec_names(_read_databricks(spark, spec, source_format), spec)
    return with_spec_names(_read_local(spark.readStream, spark, spec, source_format), spec)


def read_landing_batch(spark: SparkSession, spec: TableSpec) -> DataFrame:
    """Every landed file of one table, read at once (full snapshots), same columns as above."""
    source_format = spark.conf.get(SOURCE_FORMAT_CONF, "json")
    if source_format not in ("json", "csv", "parquet"):
        raise ValueError(f"table {spec.name!r}: snapshots need json, csv or parquet files")
    # A plain batch read of the landing folder on both engines: Auto Loader is for streams.
    return with_spec_names(_read_local(spark.read, spark, spec, source_format), spec)


def _with_source(df: DataFrame, source_file: Column, modified_at: Column) -> DataFrame:
    return frames.with_columns(
        df, {"_source_file": source_file, "_source_modified_at": modified_at}
    )


def _read_databricks(spark: SparkSession, spec: TableSpec, source_format: str) -> DataFrame:
    if source_format == "delta":
        return _read_delta(spark, spec)
    if source_format == "kafka":
        return _read_kafka(spark, spec)
    reader = (
        spark.readStream.format("cloudFiles")
        .option("cloudFiles.format", source_format)
        # The whole schema, not hints: Auto Loader infers nothing, so an empty landing folder
        # (a first deploy, a dry run) starts fine instead of failing with
        # CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE. With a given schema the documented evolution mode
        # is `none`: no column is ever added; with `rescuedDataColumn` set, a field the spec does
        # not know (and a value that does not fit) is kept as JSON in `_rescued_data`.
        .schema(landing_schema(spec, source_format))
        .option("cloudFiles.schemaEvolutionMode", "none")
        .option("rescuedDataColumn", RESCUED_COLUMN)
    )
    if source_format in TEXT_FORMATS:
        # A line that does not parse keeps its text here; silver quarantines it as malformed.
        reader = reader.option("mode", "PERMISSIVE").option(
            "columnNameOfCorruptRecord", CORRUPT_COLUMN
        )
    if source_format == "csv":
        reader = reader.options(**CSV_OPTIONS)
    if source_format in ("csv", "parquet"):
        # Spark's own csv header check and parquet reader match names ignoring case; Auto Loader
        # would rescue `Customer_ID` away from `customer_id` instead. Match the local engine.
        # (Its json reader matches case exactly, as Auto Loader's default does.)
        reader = reader.option("readerCaseSensitive", "false")
    landing = _required_conf(spark, LANDING_PATH_CONF).rstrip("/")
    landed = reader.load(f"{landing}/{spec.name}")
    if source_format not in TEXT_FORMATS:
        landed = frames.with_columns(landed, {CORRUPT_COLUMN: F.lit(None).cast("string")})
    return _with_source(
        landed, F.col("_metadata.file_path"), F.col("_metadata.file_modification_time")
    )


def _read_delta(spark: SparkSession, spec: TableSpec) -> DataFrame:
    if not spec.sequence_by:
        # Rows of a Delta table have no file name to order them by (see quality.arrival_order):
        # the row kept per key would be arbitrary. The bake refuses such a spec too.
        raise EngineConfigError(
            f"table {spec.name!r}: a Delta source needs sequence_by (the column that orders a "
            "key's rows); add it in tables.yml and run make apply-spec"
        )
    source_table = f"{_required_conf(spark, DELTA_SOURCE_SCHEMA_CONF)}.{spec.name}"
    # A streaming read of a Delta table stops at the first commit that updates or deletes rows
    # (DELTA_SOURCE_TABLE_IGNORE_CHANGES). For pipelines Databricks documents skipChangeCommits:
    # such commits are skipped, so the source must deliver changes as appended rows (see README).
    stream = spark.readStream.option("skipChangeCommits", "true").table(source_table)
    # A Delta source is typed: nothing to rescue or to fail parsing, but silver expects both.
    typed = frames.with_columns(
        stream,
        {RESCUED_COLUMN: F.lit(None).cast("string"), CORRUPT_COLUMN: F.lit(None).cast("string")},
    )
    return _with_source(typed, F.lit(source_table), F.lit(None).cast("timestamp"))


def kafka_options(spark: SparkSession, topic: str) -> dict[str, str]:
    """The Kafka reader options: servers and topic, plus SASL/SSL when the configuration asks.

    `medallion.kafka_security_protocol` (SASL_SSL, SSL, PLAINTEXT; default PLAINTEXT) and, for
    SASL, `medallion.kafka_sasl_mechanism` (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) with the user
    and password read from the Databricks secret scope `medallion.kafka_secret_scope`, keys
    `medallion.kafka_username_key` and `medallion.kafka_password_key`. Only the scope and key
    names are in files; the secrets themselves are fetched here, at run time.
    """
    options = {
        "kafka.bootstrap.servers": _required_conf(spark, KAFKA_SERVERS_CONF),
        "subscribe": topic,
        "startingOffsets": "earliest",
    }
    protocol = spark.conf.get(KAFKA_PROTOCOL_CONF, "PLAINTEXT") or "PLAINTEXT"
    if protocol not in ("PLAINTEXT", "SSL", "SASL_SSL", "SASL_PLAINTEXT"):
        raise EngineConfigError(
            f"{KAFKA_PROTOCOL_CONF} is {protocol!r}; use PLAINTEXT, SSL, SASL_SSL or SASL_PLAINTEXT"
        )
    if protocol == "PLAINTEXT":
        return options
    options["kafka.security.protocol"] = protocol
    if not protocol.startswith("SASL"):
        return options
    mechanism = _required_conf(spark, KAFKA_MECHANISM_CONF)
    if mechanism not in KAFKA_LOGIN_MODULES:
        raise EngineConfigError(
            f"{KAFKA_MECHANISM_CONF} is {mechanism!r}; use one of {', '.join(KAFKA_LOGIN_MODULES)}"
        )
    scope = _required_conf(spark, KAFKA_SECRET_SCOPE_CONF)
    username = secret(scope, _required_conf(spark, KAFKA_USERNAME_KEY_CONF))
    password = secret(scope, _required_conf(spark, KAFKA_PASSWORD_KEY_CONF))
    options["kafka.sasl.mechanism"] = mechanism
    options["kafka.sasl.jaas.config"] = (
        f"{KAFKA_LOGIN_MODULES[mechanism]} required "
        f'username="{_jaas_escape(username)}" password="{_jaas_escape(password)}";'
    )
    return options


def _jaas_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def secret(scope: str, key: str) -> str:
    """A secret from a Databricks secret scope (only on Databricks: `dbutils` is not local)."""
    from databricks.sdk.runtime import dbutils  # noqa: PLC0415  (exists on Databricks runtimes)

    return dbutils.secrets.get(scope=scope, key=key)


def _read_kafka(spark: SparkSession, spec: TableSpec) -> DataFrame:
    reader = spark.readStream.format("kafka")
    for key, value in kafka_options(spark, spec.name).items():
        reader = reader.option(key, value)
    messages = reader.load()
    # A value that is not valid JSON keeps its text in _corrupt_record, as a malformed file line.
    value = F.from_json(
        F.col("value").cast("string"),
        landing_schema(spec, "kafka"),
        {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_COLUMN},
    )
    coordinates = F.concat_ws("/", "topic", "partition", "offset")
    return messages.select(
        value.alias("record"),
        coordinates.alias("_source_file"),
        F.col("timestamp").alias("_source_modified_at"),
    ).select("record.*", F.lit(None).cast("string").alias(RESCUED_COLUMN), *SOURCE_COLUMNS)


def _read_local(reader, spark: SparkSession, spec: TableSpec, source_format: str) -> DataFrame:
    """The file source: `reader` is `spark.readStream` (bronze) or `spark.read` (snapshots)."""
    file_format = LOCAL_FILE_FORMAT[source_format]
    landing = _required_conf(spark, LANDING_PATH_CONF).rstrip("/")
    if file_format == "json":
        return _json_lines_with_rescue(reader, f"{landing}/{spec.name}", spec)
    reader = reader.format(file_format).schema(landing_schema(spec, source_format))
    if file_format == "csv":
        # The same CSV_OPTIONS as Auto Loader: a file with reordered, missing or extra columns
        # stops the run with "CSV header does not conform to the schema ... CSV file: <path>".
        reader = reader.options(**CSV_OPTIONS).options(
            mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT_COLUMN
        )
    landed = reader.load(f"{landing}/{spec.name}")
    # Spark's csv and parquet readers have no rescued-data column. A csv file with other columns
    # stops (above); parquet columns the spec lacks are not read (README, Sources).
    extra = {RESCUED_COLUMN: F.lit(None).cast("string")}
    if source_format not in TEXT_FORMATS:
        extra[CORRUPT_COLUMN] = F.lit(None).cast("string")
    return _with_source(
        frames.with_columns(landed, extra),
        F.col("_metadata.file_path"),
        F.col("_metadata.file_modification_time"),
    )


def _json_lines_with_rescue(reader, path: str, spec: TableSpec) -> DataFrame:
    """JSON lines as Auto Loader reads them with a schema and `rescuedDataColumn`.

    Spark's own json source drops fields the schema lacks, so the lines are read as text and
    parsed twice: with the spec's schema (PERMISSIVE, a line that does not parse keeps its text
    in `_corrupt_record`) and as a map, whose keys the spec does not declare become
    `_rescued_data` (a JSON object; NULL when there are none). Names match case-sensitively, as
    Auto Loader's json reader does by default. Blank lines are skipped, as the json source does.
    """
    lines = reader.format("text").load(path).where(F.trim("value") != "")
    record = F.from_json(
        "value",
        landing_schema(spec, "json"),
        {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_COLUMN},
    )
    known = F.array(*(F.lit(spec.source_name(name)) for name in spec.columns))
    fields = F.from_json("value", "map<string, string>")
    unknown = F.map_filter(fields, lambda key, _: ~F.array_contains(known, key))
    rescued = F.when(F.size(unknown) > 0, F.to_json(unknown))
    return lines.select(
        record.alias("__record"),
        rescued.alias(RESCUED_COLUMN),
        F.col("_metadata.file_path").alias("_source_file"),
        F.col("_metadata.file_modification_time").alias("_source_modified_at"),
    ).select("__record.*", RESCUED_COLUMN, *SOURCE_COLUMNS)


def _databricks_function(name: str) -> Callable:
    function = getattr(dp, name, None)
    if function is None:
        raise EngineConfigError(
            f"pyspark.pipelines has no {name}: medallion.engine is 'databricks' but this is not "
            "a Databricks runtime"
        )
    return function


def _wrap(function: DatasetFunction, transform: Callable[[DataFrame], DataFrame]) -> Callable:
    # functools.wraps keeps the function's name: a dataset defined without `name=` is named
    # after it.
    @functools.wraps(function)
    def wrapper(*args, **kwargs) -> DataFrame:
        return transform(function(*args, **kwargs))

    return wrapper


def _local_drop(df: DataFrame, rules: Mapping[str, str]) -> DataFrame:
    return df.where(quality.passes_all(rules))


def _local_fail(df: DataFrame, rules: Mapping[str, str]) -> DataFrame:
    # A filter that is true or raises: unlike a projected column, the optimizer cannot prune it.
    row = F.to_json(F.struct("*"))
    failures = [
        (
            ~F.coalesce(F.expr(constraint), F.lit(False)),
            F.concat(F.lit(f"expectation {name} failed for row "), row),
        )
        for name, constraint in rules.items()
    ]
    return df.where(frames.true_or_raise(failures))


def expect_all(rules: Mapping[str, str]) -> Callable[[DatasetFunction], Callable]:
    """Warn expectations (name -> SQL): rows are kept; Databricks counts failures per rule."""

    def decorate(function: DatasetFunction) -> Callable:
        if not rules:
            return function
        if is_databricks(_active_spark()):
            return _databricks_function("expect_all")(dict(rules))(function)
        return function  # locally the failures are recorded in `_warned_rules` by quality.check

    return decorate


def expect_all_or_drop(rules: Mapping[str, str]) -> Callable[[DatasetFunction], Callable]:
    """Drop expectations: rows where any rule is false or NULL are left out of the dataset."""

    def decorate(function: DatasetFunction) -> Callable:
        if not rules:
            return function
        if is_databricks(_active_spark()):
            return _databricks_function("expect_all_or_drop")(dict(rules))(function)
        return _wrap(function, lambda df: _local_drop(df, rules))

    return decorate


def expect_all_or_fail(rules: Mapping[str, str]) -> Callable[[DatasetFunction], Callable]:
    """Fail expectations: the first row where a rule is false or NULL stops the update."""

    def decorate(function: DatasetFunction) -> Callable:
        if not rules:
            return function
        if is_databricks(_active_spark()):
            return _databricks_function("expect_all_or_fail")(dict(rules))(function)
        return _wrap(function, lambda df: _local_fail(df, rules))

    return decorate


def cdc_except_columns(spec: TableSpec) -> list[str]:
    """Columns left out of a CDC target: quality helpers, audit columns, the spec's
    `except_columns` (`_warned_rules` stays, so silver shows which rows broke a warn rule)."""
    return [*quality.HELPER_COLUMNS, *AUDIT_COLUMNS, *spec.except_columns]


def track_history_except(spec: TableSpec) -> list[str]:
    """SCD2 columns whose change alone opens no new version: the ordering column (every event
    moves it) and `_warned_rules` (it follows from the other columns)."""
    ordering = spec.sequence_by or spec.snapshot_by
    return [name for name in (ordering, quality.WARNED_RULES) if name]


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
    rows failing a drop rule never reach the target (`silver_<t>_quarantine` keeps them). A fact
    with `sequence_by` is an SCD1 table: the latest event per key wins.

    Databricks: a temporary view `<target>_changes` with `dp.expect_all*`, a streaming table and
    `dp.create_auto_cdc_flow` (incremental). Local: a materialized view computing
    `cdc.scd1`/`cdc.scd2` over the whole source on every run.
    """
    if not spec.sequence_by:
        raise ValueError(f"table {spec.name!r}: CDC needs sequence_by")
    prepare = prepare or (lambda df: quality.check(df, spec))
    scd_type = spec.scd_type or 1
    except_columns = cdc_except_columns(spec)
    history_except = track_history_except(spec) if scd_type == 2 else None

    if uses_auto_cdc(spark):
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
            track_history_except_column_list=history_except,
        )
        return

    scd = cdc.scd2 if scd_type == 2 else cdc.scd1

    @dp.materialized_view(name=target, comment=comment)
    def current_state() -> DataFrame:
        kept = _accepted_for_cdc(prepare(spark.read.table(source)), spec)
        return scd(
            kept,
            spec.keys,
            spec.sequence_by,
            spec.delete_when,
            except_columns,
            track_history_except=history_except or (),
        )


def _accepted_for_cdc(checked: DataFrame, spec: TableSpec) -> DataFrame:
    """Checked rows that pass every drop rule, after the fail rules had their say (local)."""
    kept = _local_drop(checked, quality.expectations(spec, "drop"))
    return quality.fail_fast(kept, spec)


def create_snapshot_table(
    spark: SparkSession, *, target: str, source: str, spec: TableSpec, comment: str
) -> None:
    """Define `target` as the SCD1/SCD2 table of a dimension that lands as full snapshots.

    Each landed snapshot holds the whole table and carries its version in `spec.snapshot_by`;
    versions are applied in ascending order, and a key missing from a newer snapshot is deleted
    (SCD1) or its version closed (SCD2). `__START_AT`/`__END_AT` are snapshot versions (see
    `cdc.snapshot_version`). A row failing a drop rule goes to the quarantine, and its key keeps
    its last accepted row in that snapshot (`cdc.keep_quarantined_members`): one bad value must
    not delete a member. A quarantined row whose key is unknown stops the update.

    Databricks: `dp.create_auto_cdc_from_snapshot_flow` with a function that returns the next
    snapshot after the last one processed, read from the landing files (Auto Loader is for
    streams). Local: a materialized view computing `cdc.from_snapshots` over bronze, i.e. every
    snapshot landed so far. Both apply every snapshot in order, so several snapshots landing
    between two updates, or a full refresh, give the same table.
    """
    if not spec.snapshot_by:
        raise ValueError(f"table {spec.name!r}: a snapshot table needs snapshot_by")
    scd_type = spec.scd_type or 1
    history_except = track_history_except(spec) if scd_type == 2 else None

    def accepted_rows(checked: DataFrame) -> DataFrame:
        version = cdc.snapshot_version(spec.snapshot_by, spec.columns[spec.snapshot_by])
        versioned = frames.with_columns(checked, {cdc.VERSION: version})
        accepted = _accepted_for_cdc(versioned, spec).select(
            *spec.kept_columns, quality.WARNED_RULES, cdc.VERSION
        )
        rejected = versioned.where(F.size(quality.FAILED_RULES) > 0)
        return cdc.keep_quarantined_members(accepted, rejected, spec.keys, spec.name)

    if is_databricks(spark):

        def next_snapshot_and_version(latest_version: int | None):
            snapshots = accepted_rows(
                quality.check(with_audit_columns(read_landing_batch(spark, spec)), spec)
            )
            if latest_version is not None:
                snapshots = snapshots.where(F.col(cdc.VERSION) > F.lit(latest_version))
            version = snapshots.agg(F.min(cdc.VERSION)).first()[0]
            if version is None:
                return None
            rows = snapshots.where(F.col(cdc.VERSION) == F.lit(version))
            return rows.select(*spec.kept_columns, quality.WARNED_RULES), version

        dp.create_streaming_table(target, comment=comment, **table_options(spec.keys))
        _databricks_function("create_auto_cdc_from_snapshot_flow")(
            target=target,
            source=next_snapshot_and_version,
            keys=list(spec.keys),
            stored_as_scd_type=scd_type,
            track_history_except_column_list=history_except,
        )
        return

    @dp.materialized_view(name=target, comment=comment)
    def current_state() -> DataFrame:
        snapshots = accepted_rows(quality.check(spark.read.table(source), spec))
        return cdc.from_snapshots(
            snapshots, spec.keys, scd_type, track_history_except=history_except or ()
        )


def gold_options(schema: GoldSchema, cluster_by: Sequence[str]) -> dict:
    """Keyword arguments for a gold `@dp.materialized_view`: its declared schema, and on
    Databricks its informational key constraints (never `RELY`, see `constraints`) and liquid
    clustering.

    Clustering goes on what people filter and join by (a fact's date key, a dimension's natural
    key), not on hash surrogate keys. Foreign keys name their dimension as
    `<medallion.gold_schema>.dim_<t>` (resources/pipeline.yml sets it for each target).
    """
    spark = _active_spark()
    if not is_databricks(spark):
        return {"schema": schema.ddl(constraints=False)}
    qualifier = _required_conf(spark, GOLD_SCHEMA_CONF)
    return {
        "schema": schema.ddl(constraints=True, qualifier=qualifier),
        "cluster_by": list(cluster_by),
    }


def bronze_options(spark: SparkSession) -> dict:
    """Keyword arguments for a bronze `@dp.table`.

    Kafka keeps messages for its retention period only: a full refresh of a Kafka bronze table
    would reset it and re-read only what the topic still holds, losing the rest for good. So on
    Databricks such a table refuses resets (`pipelines.reset.allowed = false`): a full refresh
    of the pipeline keeps it and recomputes what reads it. To reset one anyway, set the property to
    true in the pipeline code, deploy, refresh it (`make full-refresh TABLES=bronze_<t>`), and set
    it back. Files on a landing volume stay, so file sources allow resets.
    """
    if is_databricks(spark) and spark.conf.get(SOURCE_FORMAT_CONF, "json") == "kafka":
        return {"table_properties": {"pipelines.reset.allowed": "false"}}
    return {}


def gold_table(name: str) -> str:
    """The name a gold dataset is published and read under.

    On Databricks gold goes to its own schema, `<medallion.gold_schema>.<name>` (the one analysts
    may read, see resources/schema.yml); bronze and silver stay in the pipeline's schema. Locally
    every table is in the one catalog database of the run, so the plain name.
    """
    spark = _active_spark()
    if not is_databricks(spark):
        return name
    return f"{_required_conf(spark, GOLD_SCHEMA_CONF)}.{name}"


def gold_reader(spark: SparkSession) -> Callable[[str], DataFrame]:
    """`spark.read.table` for gold datasets named as `gold_table` publishes them."""
    return lambda name: spark.read.table(gold_table(name))


def table_options(cluster_by: Sequence[str]) -> dict:
    """Keyword arguments for `@dp.table`/`@dp.materialized_view`: liquid clustering on Databricks.

    Locally tables are plain parquet directories, so there is nothing to cluster.
    """
    if cluster_by and is_databricks(_active_spark()):
        return {"cluster_by": list(cluster_by)}
    return {}
