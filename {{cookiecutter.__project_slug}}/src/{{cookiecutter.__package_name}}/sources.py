"""Where bronze reads from: the landed records of one table, the same columns on both engines.

Databricks reads files with Auto Loader, a Delta table as a stream, or a Kafka topic; the local
engine reads files from the landing folder in their place (see `engine` for the table).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import engine, frames
from {{ cookiecutter.__package_name }}.ingest import (
    CORRUPT_COLUMN,
    RESCUED_COLUMN,
    SOURCE_COLUMNS,
    TEXT_FORMATS,
    landing_schema,
    with_spec_names,
)
from {{ cookiecutter.__package_name }}.spec import TableSpec

SOURCE_FORMAT_CONF = "medallion.source_format"
LANDING_PATH_CONF = "medallion.landing_path"
DELTA_SOURCE_SCHEMA_CONF = "medallion.delta_source_schema"
KAFKA_SERVERS_CONF = "medallion.kafka_bootstrap_servers"
KAFKA_PROTOCOL_CONF = "medallion.kafka_security_protocol"
KAFKA_MECHANISM_CONF = "medallion.kafka_sasl_mechanism"
KAFKA_SECRET_SCOPE_CONF = "medallion.kafka_secret_scope"
KAFKA_USERNAME_KEY_CONF = "medallion.kafka_username_key"
KAFKA_PASSWORD_KEY_CONF = "medallion.kafka_password_key"

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


def read_landing(spark: SparkSession, spec: TableSpec) -> DataFrame:
    """The landed records of one table as a stream, with the reader's and the source's columns.

    Columns: the spec columns (STRING for json/csv/kafka, typed for parquet/delta, see
    `ingest.landing_schema`), `_rescued_data`, `_corrupt_record`, `_source_file` and
    `_source_modified_at`, on both engines: the schema is the spec's, so no column is ever added;
    a json field the spec does not declare is kept in `_rescued_data`.
    """
    source_format = spark.conf.get(SOURCE_FORMAT_CONF, "json")
    if engine.is_databricks(spark):
        return with_spec_names(_read_databricks(spark, spec, source_format), spec)
    return with_spec_names(_read_local(spark.readStream, spark, spec, source_format), spec)


def read_landing_batch(spark: SparkSession, spec: TableSpec) -> DataFrame:
    """Every landed file of one table, read at once (full snapshots), same columns as above."""
    source_format = spark.conf.get(SOURCE_FORMAT_CONF, "json")
    if source_format not in ("json", "csv", "parquet"):
        raise ValueError(f"table {spec.name!r}: snapshots need json, csv or parquet files")
    # A plain batch read of the landing folder on both engines: Auto Loader is for streams.
    return with_spec_names(_read_local(spark.read, spark, spec, source_format), spec)


def bronze_options(spark: SparkSession) -> dict:
    """Keyword arguments for a bronze `@dp.table`.

    Kafka keeps messages for its retention period only: a full refresh of a Kafka bronze table
    would reset it and re-read only what the topic still holds, losing the rest for good. So on
    Databricks such a table refuses resets (`pipelines.reset.allowed = false`): a full refresh
    of the pipeline keeps it and recomputes what reads it. To reset one anyway, set the property to
    true in the pipeline code, deploy, refresh it (`make full-refresh TABLES=bronze_<t>`), and set
    it back. Files on a landing volume stay, so file sources allow resets.
    """
    if engine.is_databricks(spark) and spark.conf.get(SOURCE_FORMAT_CONF, "json") == "kafka":
        return {"table_properties": {"pipelines.reset.allowed": "false"}}
    return {}


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
    landing = engine.required_conf(spark, LANDING_PATH_CONF).rstrip("/")
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
        raise engine.EngineConfigError(
            f"table {spec.name!r}: a Delta source needs sequence_by (the column that orders a "
            "key's rows); add it in tables.yml and run make apply-spec"
        )
    source_table = f"{engine.required_conf(spark, DELTA_SOURCE_SCHEMA_CONF)}.{spec.name}"
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
        "kafka.bootstrap.servers": engine.required_conf(spark, KAFKA_SERVERS_CONF),
        "subscribe": topic,
        "startingOffsets": "earliest",
    }
    protocol = spark.conf.get(KAFKA_PROTOCOL_CONF, "PLAINTEXT") or "PLAINTEXT"
    if protocol not in ("PLAINTEXT", "SSL", "SASL_SSL", "SASL_PLAINTEXT"):
        raise engine.EngineConfigError(
            f"{KAFKA_PROTOCOL_CONF} is {protocol!r}; use PLAINTEXT, SSL, SASL_SSL or SASL_PLAINTEXT"
        )
    if protocol == "PLAINTEXT":
        return options
    options["kafka.security.protocol"] = protocol
    if not protocol.startswith("SASL"):
        return options
    mechanism = engine.required_conf(spark, KAFKA_MECHANISM_CONF)
    if mechanism not in KAFKA_LOGIN_MODULES:
        raise engine.EngineConfigError(
            f"{KAFKA_MECHANISM_CONF} is {mechanism!r}; use one of {', '.join(KAFKA_LOGIN_MODULES)}"
        )
    scope = engine.required_conf(spark, KAFKA_SECRET_SCOPE_CONF)
    username = secret(scope, engine.required_conf(spark, KAFKA_USERNAME_KEY_CONF))
    password = secret(scope, engine.required_conf(spark, KAFKA_PASSWORD_KEY_CONF))
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
    landing = engine.required_conf(spark, LANDING_PATH_CONF).rstrip("/")
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
