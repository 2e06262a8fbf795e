"""sources: Auto Loader, Delta and Kafka readers recorded against fakes; the local readers on
real Spark over real files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from types import ModuleType, SimpleNamespace

import pytest
from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame

from {{ cookiecutter.__package_name }} import engine, sources

from .pipeline_doubles import CUSTOMERS, FakeReader

# These tests set pipeline configuration and read local files, which serverless compute does
# not allow; the Databricks branch is tested against a strict fake `dp` instead.
pytestmark = pytest.mark.local_only


@pytest.mark.parametrize(
    ("engine_name", "source_format", "expected"),
    [
        ("databricks", "kafka", {"table_properties": {"pipelines.reset.allowed": "false"}}),
        ("databricks", "json", {}),  # files stay on the volume: a reset can re-read them
        ("local", "kafka", {}),  # locally "kafka" is JSON files
    ],
)
def test_kafka_bronze_refuses_a_reset_on_databricks(
    spark, conf, engine_name, source_format, expected
):
    """A full refresh of a Kafka bronze table would re-read only what the topic still holds."""
    conf(engine=engine_name, source_format=source_format)
    assert sources.bronze_options(spark) == expected


def test_databricks_files_use_auto_loader_with_the_whole_schema(spark, conf):
    """The spec's whole schema, not hints: with hints only, Auto Loader must infer a schema from
    files and fails on an empty landing folder (CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE)."""
    conf(engine="databricks", source_format="csv", landing_path="/Volumes/main/retail/landing/")
    modified = dt.datetime(2024, 1, 2, 3, 4, 5)
    landed = frame(
        spark,
        [("7", ("/Volumes/main/retail/landing/customers/a.csv", modified))],
        "customer_id string, _metadata struct<file_path string, file_modification_time timestamp>",
    )
    reader = FakeReader(landed)
    result = sources.read_landing(SimpleNamespace(conf=spark.conf, readStream=reader), CUSTOMERS)
    assert reader.source == "cloudFiles"
    assert reader.schema_ddl == (
        "`customer_id` STRING, `name` STRING, `updated_at` STRING, `operation` STRING, "
        "`_corrupt_record` STRING"
    )
    assert reader.recorded == {
        "cloudFiles.format": "csv",
        # The documented mode for a given schema: nothing is added, unknown data is rescued.
        "cloudFiles.schemaEvolutionMode": "none",
        "rescuedDataColumn": "_rescued_data",
        "mode": "PERMISSIVE",
        "columnNameOfCorruptRecord": "_corrupt_record",
        "header": "true",
        # Each header is checked against the schema, as the local reader checks it.
        "enforceSchema": "false",
        # RFC 4180: a quote inside a quoted value is doubled.
        "escape": '"',
        # Spark's csv header check ignores case, so Auto Loader must too.
        "readerCaseSensitive": "false",
    }
    assert "cloudFiles.schemaHints" not in reader.recorded
    assert reader.path == "/Volumes/main/retail/landing/customers"
    # The file's path and time come from Auto Loader's file metadata column.
    row = result.first()
    assert row._source_file == "/Volumes/main/retail/landing/customers/a.csv"
    assert row._source_modified_at == modified


def test_databricks_delta_source_skips_change_commits(spark, conf):
    """A plain streaming read stops at the first UPDATE or DELETE upstream; the pipeline docs'
    answer is skipChangeCommits."""
    conf(engine="databricks", source_format="delta", delta_source_schema="main.raw")
    reader = FakeReader(frame(spark, [(1,)], "customer_id bigint"))
    fake_spark = SimpleNamespace(conf=spark.conf, readStream=reader)
    result = sources.read_landing(fake_spark, CUSTOMERS)
    assert reader.recorded == {"skipChangeCommits": "true"}
    assert reader.path == "main.raw.customers"
    row = result.first()
    assert row._source_file == "main.raw.customers"
    assert row._corrupt_record is None and row._source_modified_at is None


def test_a_delta_source_without_a_sequence_stops_naming_the_table(spark, conf):
    conf(engine="databricks", source_format="delta", delta_source_schema="main.raw")
    unordered = dataclasses.replace(CUSTOMERS, sequence_by=None, delete_when=None, scd_type=1)
    fake_spark = SimpleNamespace(conf=spark.conf, readStream=FakeReader(None))
    with pytest.raises(engine.EngineConfigError, match="'customers': a Delta source needs"):
        sources.read_landing(fake_spark, unordered)


@pytest.fixture
def secrets(monkeypatch):
    """`databricks.sdk.runtime.dbutils` with the real `secrets.get(scope, key)` signature."""
    store = {("kafka", "user"): "svc-reader", ("kafka", "password"): 'p"w\\d'}
    requested = []

    def get(scope: str, key: str) -> str:
        requested.append((scope, key))
        return store[(scope, key)]

    module = ModuleType("databricks.sdk.runtime")
    module.dbutils = SimpleNamespace(secrets=SimpleNamespace(get=get))
    monkeypatch.setitem(sys.modules, "databricks.sdk.runtime", module)
    return requested


def test_kafka_reads_sasl_credentials_from_a_secret_scope(spark, conf, secrets):
    conf(
        engine="databricks",
        source_format="kafka",
        kafka_bootstrap_servers="broker:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="PLAIN",
        kafka_secret_scope="kafka",
        kafka_username_key="user",
        kafka_password_key="password",
    )
    options = sources.kafka_options(spark, "customers")
    assert secrets == [("kafka", "user"), ("kafka", "password")]
    assert options == {
        "kafka.bootstrap.servers": "broker:9093",
        "subscribe": "customers",
        "startingOffsets": "earliest",
        "kafka.security.protocol": "SASL_SSL",
        "kafka.sasl.mechanism": "PLAIN",
        "kafka.sasl.jaas.config": (
            "kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule required "
            'username="svc-reader" password="p\\"w\\\\d";'
        ),
    }


def test_kafka_without_security_settings_is_plaintext(spark, conf, secrets):
    conf(engine="databricks", source_format="kafka", kafka_bootstrap_servers="broker:9092")
    assert set(sources.kafka_options(spark, "customers")) == {
        "kafka.bootstrap.servers",
        "subscribe",
        "startingOffsets",
    }
    assert secrets == []


def test_kafka_sasl_without_a_secret_scope_names_the_missing_setting(spark, conf, secrets):
    conf(
        engine="databricks",
        kafka_bootstrap_servers="broker:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
    )
    with pytest.raises(engine.EngineConfigError, match="'medallion.kafka_secret_scope'"):
        sources.kafka_options(spark, "customers")
    conf(kafka_sasl_mechanism="GSSAPI")
    with pytest.raises(engine.EngineConfigError, match="GSSAPI"):
        sources.kafka_options(spark, "customers")


def test_databricks_kafka_parses_the_value_as_strings(spark, conf):
    conf(engine="databricks", source_format="kafka", kafka_bootstrap_servers="broker:9092")
    sent = dt.datetime(2024, 1, 1, 12)
    messages = frame(
        spark,
        [
            (b'{"customer_id": 1, "name": "Ann"}', "customers", 0, 41, sent),
            (b'{"customer_id": 2, "na', "customers", 0, 42, sent),
        ],
        "value binary, topic string, partition int, offset bigint, timestamp timestamp",
    )
    reader = FakeReader(messages)
    actual = sources.read_landing(SimpleNamespace(conf=spark.conf, readStream=reader), CUSTOMERS)
    assert reader.source == "kafka"
    expected = frame(
        spark,
        [
            ("1", "Ann", None, None, None, None, "customers/0/41", sent),
            (None, None, None, None, '{"customer_id": 2, "na', None, "customers/0/42", sent),
        ],
        "customer_id string, name string, updated_at string, operation string, "
        "_corrupt_record string, _rescued_data string, _source_file string, "
        "_source_modified_at timestamp",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def _run_stream(spark, df, name):
    query = df.writeStream.format("memory").queryName(name).trigger(availableNow=True).start()
    query.awaitTermination()
    return spark.table(name)


def test_local_reads_landed_json_files_with_the_text_of_a_broken_line(spark, conf, tmp_path):
    landing = tmp_path / "landing"
    (landing / "customers").mkdir(parents=True)
    lines = [json.dumps({"customer_id": 1, "name": "Ann", "updated_at": "2024-01-01T00:00:00"})]
    lines.append('{"customer_id": 2, "name": ')
    (landing / "customers" / "part-1.json").write_text("\n".join(lines) + "\n")
    conf(source_format="json", landing_path=str(landing))
    stream = sources.read_landing(spark, CUSTOMERS)
    assert stream.isStreaming
    actual = _run_stream(spark, stream, "landing_json")
    expected = frame(
        spark,
        [
            ("1", "Ann", "2024-01-01T00:00:00", None, None, None),
            (None, None, None, None, '{"customer_id": 2, "name": ', None),
        ],
        "customer_id string, name string, updated_at string, operation string, "
        "_corrupt_record string, _rescued_data string",
    )
    assert_df_equality(
        actual.drop("_source_file", "_source_modified_at"),
        expected,
        ignore_row_order=True,
        ignore_nullable=True,
    )
    rows = actual.collect()
    assert all(row._source_file.endswith("/customers/part-1.json") for row in rows)
    assert all(isinstance(row._source_modified_at, dt.datetime) for row in rows)


def test_local_json_rescues_fields_the_spec_does_not_declare(spark, conf, tmp_path):
    """Auto Loader with a schema and `rescuedDataColumn` keeps unknown fields in
    `_rescued_data`; the local reader must keep them the same way, not drop them."""
    (tmp_path / "customers").mkdir()
    lines = [
        json.dumps({"customer_id": 1, "name": "Ann", "loyalty": "gold", "Name": "case"}),
        json.dumps({"customer_id": 2, "name": "Bob"}),
        "",
        "not json",
    ]
    (tmp_path / "customers" / "a.json").write_text("\n".join(lines) + "\n")
    conf(source_format="json", landing_path=str(tmp_path))
    actual = _run_stream(spark, sources.read_landing(spark, CUSTOMERS), "landing_rescue").drop(
        "_source_file", "_source_modified_at"
    )
    expected = frame(
        spark,
        [
            # Names match case-sensitively, so `Name` is an unknown field too.
            ("1", "Ann", None, None, None, '{"loyalty":"gold","Name":"case"}'),
            ("2", "Bob", None, None, None, None),
            (None, None, None, None, "not json", None),
        ],
        "customer_id string, name string, updated_at string, operation string, "
        "_corrupt_record string, _rescued_data string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_local_reads_csv_by_header_and_keeps_a_short_line_as_corrupt(spark, conf, tmp_path):
    (tmp_path / "customers").mkdir()
    (tmp_path / "customers" / "a.csv").write_text(
        "customer_id,name,updated_at,operation\n1,Ann,2024-01-01 00:00:00,INSERT\n2,Bob\n"
        '3,"Carl ""the Great"", Jr.",2024-01-01 00:00:00,INSERT\n'  # RFC 4180 doubled quotes
    )
    conf(source_format="csv", landing_path=str(tmp_path))
    actual = _run_stream(spark, sources.read_landing(spark, CUSTOMERS), "landing_csv").drop(
        "_source_file", "_source_modified_at"
    )
    expected = frame(
        spark,
        [
            ("1", "Ann", "2024-01-01 00:00:00", "INSERT", None, None),
            ("2", "Bob", None, None, "2,Bob", None),
            ("3", 'Carl "the Great", Jr.', "2024-01-01 00:00:00", "INSERT", None, None),
        ],
        "customer_id string, name string, updated_at string, operation string, "
        "_corrupt_record string, _rescued_data string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_local_csv_headers_match_ignoring_case_as_databricks_is_told_to(spark, conf, tmp_path):
    """Auto Loader gets readerCaseSensitive=false for csv (see the Auto Loader test above)."""
    (tmp_path / "customers").mkdir()
    (tmp_path / "customers" / "a.csv").write_text(
        "Customer_ID,Name,updated_at,OPERATION\n1,Ann,2024-01-01 00:00:00,INSERT\n"
    )
    conf(source_format="csv", landing_path=str(tmp_path))
    actual = _run_stream(spark, sources.read_landing(spark, CUSTOMERS), "landing_case")
    assert [(row.customer_id, row.name, row.operation) for row in actual.collect()] == [
        ("1", "Ann", "INSERT")
    ]


@pytest.mark.parametrize(
    "header",
    ["name,customer_id,updated_at,operation", "customer_id,name,updated_at,operation,extra"],
    ids=["reordered", "extra-column"],
)
def test_local_csv_with_other_columns_stops_naming_the_file(spark, conf, tmp_path, header):
    """Auto Loader loads csv columns by header name; a positional reader would shift values
    silently. Locally such a file stops the run and names the file instead."""
    (tmp_path / "customers").mkdir()
    width = len(header.split(","))
    (tmp_path / "customers" / "moved.csv").write_text(f"{header}\n{','.join(['1'] * width)}\n")
    conf(source_format="csv", landing_path=str(tmp_path))
    with pytest.raises(Exception, match=r"FAILED_READ_FILE.*/customers/moved\.csv"):
        _run_stream(spark, sources.read_landing(spark, CUSTOMERS), "landing_moved").collect()
