"""engine: the Databricks branch against a strict fake `dp`, the local branch on real Spark."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from types import ModuleType, SimpleNamespace

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import engine, quality
from {{ cookiecutter.__package_name }}.spec import Rule, TableSpec

from .arrow_rows import frame
from .fake_dp import DatabricksRejects, StrictFakeDp

# These tests set pipeline configuration and read local files, which serverless compute does
# not allow; the Databricks branch is tested against a strict fake `dp` instead.
pytestmark = pytest.mark.local_only

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


@pytest.fixture
def conf(spark):
    """Set pipeline configuration on the test session for one test (`local` engine unless
    given), and unset it afterwards."""
    keys = []

    def set_conf(**values):
        values.setdefault("engine", "local")
        for key, value in values.items():
            name = f"medallion.{key}"
            spark.conf.set(name, value)
            keys.append(name)

    yield set_conf
    for key in keys:
        spark.conf.unset(key)


@pytest.fixture
def fake_dp(monkeypatch):
    fake = StrictFakeDp()
    monkeypatch.setattr(engine, "dp", fake)
    return fake


def with_audit(df):
    return df.withColumns(
        {
            "_ingested_at": F.current_timestamp(),
            "_source_modified_at": F.current_timestamp(),
            "_load_id": F.lit("1"),
        }
    )


# --- which engine ---------------------------------------------------------------------------


def test_a_missing_engine_setting_fails_loudly(spark, monkeypatch):
    """A pipeline created outside the bundle has no medallion.engine: it must not quietly run
    the local branch on Databricks."""
    monkeypatch.delenv(engine.RUNTIME_ENV, raising=False)
    spark.conf.unset(engine.ENGINE_CONF)
    with pytest.raises(engine.EngineConfigError, match="'medallion.engine' is not set"):
        engine.is_databricks(spark)


def test_a_local_setting_on_a_databricks_runtime_fails_loudly(spark, conf, monkeypatch):
    conf(engine="local")
    monkeypatch.setenv(engine.RUNTIME_ENV, "client.4.9")
    with pytest.raises(engine.EngineConfigError, match="this is a Databricks runtime"):
        engine.is_databricks(spark)


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
    assert engine.bronze_options(spark) == expected


def test_gold_is_published_to_the_gold_schema_on_databricks(spark, conf):
    conf(engine="databricks", gold_schema="main.dev_ann_sales_gold")
    assert engine.gold_table("dim_customers") == "main.dev_ann_sales_gold.dim_customers"
    read = SimpleNamespace(table=lambda name: f"read {name}")
    assert engine.gold_reader(SimpleNamespace(read=read))("dim_date") == (
        "read main.dev_ann_sales_gold.dim_date"
    )
    conf(engine="local")
    assert engine.gold_table("dim_customers") == "dim_customers"  # one database locally


def test_an_unknown_engine_is_refused(spark, conf):
    conf(engine="databricks-ish")
    with pytest.raises(engine.EngineConfigError, match="use one of databricks, local"):
        engine.is_databricks(spark)


def test_local_engine_has_no_clustering(spark, conf):
    conf(engine="local")
    assert not engine.is_databricks(spark)
    assert engine.table_options(["customer_id"]) == {}


# --- Databricks: CDC and expectations --------------------------------------------------------


def test_databricks_cdc_table_is_a_view_and_an_auto_cdc_flow(spark, conf, fake_dp):
    conf(engine="databricks")
    engine.create_cdc_table(
        spark, target="silver_customers", source="bronze_customers", spec=CUSTOMERS, comment="c"
    )
    # The spec has no fail rule, so expect_all_or_fail is not applied.
    assert fake_dp.kinds() == [
        "expect_all_or_drop",
        "expect_all",
        "temporary_view",
        "create_streaming_table",
        "create_auto_cdc_flow",
    ]
    assert fake_dp.call("expect_all_or_drop") == quality.expectations(CUSTOMERS, "drop")
    assert "not_null_customer_id" in fake_dp.call("expect_all_or_drop")
    assert "not_null_updated_at" in fake_dp.call("expect_all_or_drop")
    assert fake_dp.call("expect_all") == {
        "has_name": "NOT array_contains(_warned_rules, 'has_name')"
    }
    assert fake_dp.call("temporary_view")["name"] == "silver_customers_changes"
    assert fake_dp.call("create_streaming_table") == {
        "name": "silver_customers",
        "comment": "c",
        "cluster_by": ["customer_id"],
    }
    flow = fake_dp.call("create_auto_cdc_flow")
    assert str(flow["apply_as_deletes"]) == str(F.expr("operation = 'DELETE'"))
    assert {k: flow[k] for k in ("target", "source", "keys", "sequence_by")} == {
        "target": "silver_customers",
        "source": "silver_customers_changes",
        "keys": ["customer_id"],
        "sequence_by": "updated_at",
    }
    # Helpers and audit columns stay out; _warned_rules stays in silver; only the named event
    # column (operation) is left out.
    assert flow["except_column_list"] == [
        "_rescued_data",
        "_corrupt_record",
        "_failed_rules",
        "_raw",
        "_ingested_at",
        "_source_file",
        "_source_modified_at",
        "_load_id",
        "operation",
    ]
    assert flow["stored_as_scd_type"] == 2
    assert flow["track_history_except_column_list"] == ["updated_at", "_warned_rules"]


def test_databricks_fact_with_a_sequence_is_an_scd1_auto_cdc_flow(spark, conf, fake_dp):
    conf(engine="databricks")
    orders = TableSpec(
        name="orders",
        role="fact",
        keys=("order_id",),
        columns={"order_id": "bigint", "amount": "int", "updated_at": "timestamp"},
        sequence_by="updated_at",
    )
    engine.create_cdc_table(
        spark, target="silver_orders", source="bronze_orders", spec=orders, comment="o"
    )
    flow = fake_dp.call("create_auto_cdc_flow")
    assert flow["stored_as_scd_type"] == 1
    assert flow["track_history_except_column_list"] is None
    assert flow["apply_as_deletes"] is None


def test_databricks_view_reads_the_source_as_a_stream_and_checks_it(spark, conf, fake_dp):
    conf(engine="databricks")
    bronze = with_audit(
        frame(
            spark, [("1", "Ann", "2024-01-01 00:00:00", "INSERT", None, None, None)], READER_SCHEMA
        )
    )
    reader = FakeReader(bronze)
    fake_spark = SimpleNamespace(conf=spark.conf, readStream=reader)
    engine.create_cdc_table(
        fake_spark, target="silver_customers", source="bronze_customers", spec=CUSTOMERS, comment=""
    )
    changes = fake_dp.datasets["silver_customers_changes"]()
    assert reader.path == "bronze_customers"
    assert changes.columns[-3:] == ["_failed_rules", "_warned_rules", "_raw"]


def test_databricks_expectations_delegate_to_dp(spark, conf, fake_dp):
    conf(engine="databricks")
    rules = {"positive": "x > 0"}

    def dataset():
        return None

    for name in ("expect_all", "expect_all_or_drop", "expect_all_or_fail"):
        assert getattr(engine, name)(rules)(dataset) is dataset
    assert fake_dp.calls == [
        ("expect_all", rules),
        ("expect_all_or_drop", rules),
        ("expect_all_or_fail", rules),
    ]
    assert engine.table_options(["id"]) == {"cluster_by": ["id"]}


def test_the_fake_dp_rejects_what_databricks_rejects(fake_dp):
    """The fake is only worth something if it is strict: these calls fail on Databricks."""
    with pytest.raises(DatabricksRejects, match="unexpected keyword"):
        fake_dp.create_auto_cdc_flow(
            target="t", source="s", keys=["k"], sequence_by="v", except_columns=["x"]
        )
    with pytest.raises(DatabricksRejects, match="not both"):
        fake_dp.create_auto_cdc_flow(
            target="t", source="s", keys=["k"], sequence_by="v", column_list=["a"],
            except_column_list=["b"],
        )  # fmt: skip
    with pytest.raises(DatabricksRejects, match="missing a required argument"):
        fake_dp.create_auto_cdc_flow(target="t", source="s", keys=["k"])
    with pytest.raises(DatabricksRejects, match="dict"):
        fake_dp.expect_all_or_drop(["x > 0"])
    with pytest.raises(DatabricksRejects, match="below the dataset decorator"):
        fake_dp.expect_all({"p": "x > 0"})(None)
    with pytest.raises(DatabricksRejects, match="unexpected keyword"):
        fake_dp.materialized_view(name="t", clustering=["k"])
    with pytest.raises(DatabricksRejects, match="unexpected keyword"):
        fake_dp.create_auto_cdc_from_snapshot_flow(
            target="t", source="s", keys=["k"], sequence_by="v"
        )


def test_databricks_expectations_need_databricks_dp(spark, conf, monkeypatch):
    conf(engine="databricks")
    monkeypatch.setattr(engine, "dp", StrictFakeDp(databricks=False))
    with pytest.raises(engine.EngineConfigError, match="no expect_all_or_drop"):
        engine.expect_all_or_drop({"positive": "x > 0"})(lambda: None)


# --- Databricks: sources ---------------------------------------------------------------------


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
    result = engine.read_landing(SimpleNamespace(conf=spark.conf, readStream=reader), CUSTOMERS)
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
    result = engine.read_landing(fake_spark, CUSTOMERS)
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
        engine.read_landing(fake_spark, unordered)


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
    options = engine.kafka_options(spark, "customers")
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
    assert set(engine.kafka_options(spark, "customers")) == {
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
        engine.kafka_options(spark, "customers")
    conf(kafka_sasl_mechanism="GSSAPI")
    with pytest.raises(engine.EngineConfigError, match="GSSAPI"):
        engine.kafka_options(spark, "customers")


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
    actual = engine.read_landing(SimpleNamespace(conf=spark.conf, readStream=reader), CUSTOMERS)
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


# --- local: sources --------------------------------------------------------------------------


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
    stream = engine.read_landing(spark, CUSTOMERS)
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
    actual = _run_stream(spark, engine.read_landing(spark, CUSTOMERS), "landing_rescue").drop(
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
    actual = _run_stream(spark, engine.read_landing(spark, CUSTOMERS), "landing_csv").drop(
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
    actual = _run_stream(spark, engine.read_landing(spark, CUSTOMERS), "landing_case")
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
        _run_stream(spark, engine.read_landing(spark, CUSTOMERS), "landing_moved").collect()


# --- local: expectations and CDC ---------------------------------------------------------------


def test_local_expectations(spark, conf):
    conf(engine="local")
    df = frame(spark, [(1,), (-1,), (None,)], "x int")
    rules = {"positive": "x > 0"}
    assert engine.expect_all(rules)(lambda: df)() is df

    @engine.expect_all_or_drop(rules)
    def dropped():
        return df

    assert dropped.__name__ == "dropped"
    assert [row.x for row in dropped().collect()] == [1]

    @engine.expect_all_or_fail(rules)
    def failing():
        return df

    with pytest.raises(Exception, match="expectation positive failed"):
        failing().collect()


def test_local_cdc_table_is_a_materialized_view_of_scd2(spark, conf, fake_dp):
    conf(engine="local")
    bronze = with_audit(
        frame(
            spark,
            [
                ("1", "Ann", "2024-01-01 00:00:00", "INSERT", None, None, "a.json"),
                ("1", "Anne", "2024-01-03 00:00:00", "UPDATE", None, None, "b.json"),
                ("1", "Anne", "2024-01-05 00:00:00", "UPDATE", None, None, "b.json"),
                ("1", None, "2024-01-06 00:00:00", "DELETE", None, None, "b.json"),
                ("x", "Bad", "2024-01-02 00:00:00", "INSERT", None, None, "b.json"),
                ("2", "No time", None, "INSERT", None, None, "b.json"),
                (None, None, None, None, None, "{oops", "b.json"),
            ],
            READER_SCHEMA,
        )
    )
    tables = {"bronze_customers": bronze}
    fake_spark = SimpleNamespace(conf=spark.conf, read=SimpleNamespace(table=tables.__getitem__))
    engine.create_cdc_table(
        fake_spark,
        target="silver_customers",
        source="bronze_customers",
        spec=CUSTOMERS,
        comment="c",
    )
    assert fake_dp.calls == [("materialized_view", {"name": "silver_customers", "comment": "c"})]
    actual = fake_dp.datasets["silver_customers"]()
    # The update at 01-05 changes nothing but updated_at: no new version (the version takes the
    # newer updated_at). The delete closes it. _warned_rules stays; operation does not.
    day = dt.datetime
    expected = frame(
        spark,
        [
            (1, "Ann", day(2024, 1, 1), [], day(2024, 1, 1), day(2024, 1, 3)),
            (1, "Anne", day(2024, 1, 5), [], day(2024, 1, 3), day(2024, 1, 6)),
        ],
        "customer_id bigint, name string, updated_at timestamp, _warned_rules array<string>, "
        "__START_AT timestamp, __END_AT timestamp",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_local_databricks_graph_builds_auto_cdc_flows(spark, conf, monkeypatch):
    """`medallion.graph: databricks` gives the dry run the Databricks shape with local
    expectations (Databricks' expect_all* do not exist locally)."""
    conf(engine="local", graph="databricks")
    local_dp = StrictFakeDp(databricks=False)
    monkeypatch.setattr(engine, "dp", local_dp)
    engine.create_cdc_table(
        spark, target="silver_customers", source="bronze_customers", spec=CUSTOMERS, comment="c"
    )
    assert local_dp.kinds() == ["temporary_view", "create_streaming_table", "create_auto_cdc_flow"]
    assert local_dp.call("create_streaming_table") == {"name": "silver_customers", "comment": "c"}


# --- snapshots -------------------------------------------------------------------------------

PRODUCTS = TableSpec(
    name="products",
    role="dimension",
    keys=("product_id",),
    columns={"product_id": "bigint", "name": "string", "extract_date": "date"},
    scd_type=2,
    snapshot_by="extract_date",
)


CHECKED = dataclasses.replace(PRODUCTS, rules=(Rule("not_broken", "name <> 'broken'"),))


def _land_snapshots(root, days):
    (root / "products").mkdir(parents=True)
    for day, rows in days.items():
        lines = [json.dumps({"product_id": k, "name": n, "extract_date": day}) for k, n in rows]
        (root / "products" / f"{day}.json").write_text("\n".join(lines) + "\n")


def test_databricks_snapshot_function_returns_each_snapshot_in_version_order(
    spark, conf, fake_dp, tmp_path
):
    _land_snapshots(
        tmp_path,
        {
            "2024-01-02": [(1, "Lamp"), (2, "Desk")],
            "2024-01-01": [(1, "Lamp"), (2, "Desk"), (3, "Chair")],
            "2024-01-03": [(1, "Lamp XL"), (2, "broken")],
        },
    )
    conf(engine="databricks", source_format="json", landing_path=str(tmp_path))
    engine.create_snapshot_table(
        spark, target="silver_products", source="bronze_products", spec=CHECKED, comment="p"
    )
    assert fake_dp.kinds() == ["create_streaming_table", "create_auto_cdc_from_snapshot_flow"]
    flow = fake_dp.call("create_auto_cdc_from_snapshot_flow")
    assert flow["keys"] == ["product_id"] and flow["stored_as_scd_type"] == 2
    assert flow["track_history_except_column_list"] == ["extract_date", "_warned_rules"]
    next_snapshot = fake_dp.snapshot_sources["silver_products"]
    schema = "product_id bigint, name string, _warned_rules array<string>"
    seen, version = [], None
    while (answer := next_snapshot(version)) is not None:
        snapshot, version = answer
        seen.append(version)
        expected_rows = {
            20240101: [(1, "Lamp", []), (2, "Desk", []), (3, "Chair", [])],
            20240102: [(1, "Lamp", []), (2, "Desk", [])],
            # Desk's row is quarantined: it keeps its last accepted row instead of being closed.
            20240103: [(1, "Lamp XL", []), (2, "Desk", [])],
        }[version]
        expected = frame(spark, expected_rows, schema)
        assert_df_equality(snapshot, expected, ignore_row_order=True, ignore_nullable=True)
    assert seen == [20240101, 20240102, 20240103]


def test_a_snapshot_row_without_a_key_stops_the_update_naming_the_file(
    spark, conf, fake_dp, tmp_path
):
    _land_snapshots(tmp_path, {"2024-01-01": [(1, "Lamp"), (None, "who?")]})
    conf(engine="databricks", source_format="json", landing_path=str(tmp_path))
    engine.create_snapshot_table(
        spark, target="silver_products", source="bronze_products", spec=PRODUCTS, comment="p"
    )
    next_snapshot = fake_dp.snapshot_sources["silver_products"]
    with pytest.raises(Exception, match=r"snapshot row of products failed not_null_product_id.*"
                       r"/products/2024-01-01\.json"):  # fmt: skip
        next_snapshot(None)


def test_local_snapshot_table_closes_members_missing_from_a_newer_snapshot(spark, conf, fake_dp):
    conf(engine="local")
    bronze = with_audit(
        frame(
            spark,
            [
                ("1", "Lamp", "2024-01-01", None, None, "a.json"),
                ("2", "Desk", "2024-01-01", None, None, "a.json"),
                ("3", "Chair", "2024-01-01", None, None, "a.json"),
                ("1", "Lamp", "2024-01-02", None, None, "b.json"),
                ("3", "broken", "2024-01-02", None, None, "b.json"),
                ("1", "Lamp XL", "2024-01-03", None, None, "c.json"),
                ("2", "Desk", "2024-01-03", None, None, "c.json"),
                ("3", "Chair", "2024-01-03", None, None, "c.json"),
            ],
            "product_id string, name string, extract_date string, _rescued_data string, "
            "_corrupt_record string, _source_file string",
        )
    )
    tables = {"bronze_products": bronze}
    fake_spark = SimpleNamespace(conf=spark.conf, read=SimpleNamespace(table=tables.__getitem__))
    engine.create_snapshot_table(
        fake_spark, target="silver_products", source="bronze_products", spec=CHECKED, comment="p"
    )
    actual = fake_dp.datasets["silver_products"]()
    expected = frame(
        spark,
        [
            (1, "Lamp", [], 20240101, 20240103),
            (1, "Lamp XL", [], 20240103, None),
            (2, "Desk", [], 20240101, 20240102),  # missing from the 01-02 snapshot
            (2, "Desk", [], 20240103, None),  # back in the 01-03 one
            (3, "Chair", [], 20240101, None),  # quarantined on 01-02: neither closed nor changed
        ],
        "product_id bigint, name string, _warned_rules array<string>, __START_AT bigint, "
        "__END_AT bigint",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


# --- plans --------------------------------------------------------------------------------------


def test_library_functions_do_not_analyze_dataframes(spark, monkeypatch):
    """Pipeline query functions may not analyze a DataFrame (`df.columns`, `df.schema`, `drop`:
    ATTEMPT_ANALYSIS_IN_PIPELINE_QUERY_FUNCTION), so the library builds plans by name only."""
    from {{ cookiecutter.__package_name }} import cdc, ingest, star

    landed = frame(
        spark,
        [("1", "Ann", "2024-01-01 00:00:00", "INSERT", None, None, "a.json", None)],
        f"{READER_SCHEMA}, _source_modified_at timestamp",
    )
    orders = frame(
        spark, [(1, 1, dt.date(2024, 1, 1))], "order_id bigint, customer_id bigint, order_date date"
    )
    orders_spec = TableSpec(
        name="orders",
        role="fact",
        keys=("order_id",),
        columns={"order_id": "bigint", "customer_id": "bigint", "order_date": "date"},
        references={"customer_id": "customers"},
        date_column="order_date",
    )
    dataframe_class = type(landed)

    def analysis(*args, **kwargs):
        raise AssertionError("a library function analyzed a DataFrame")

    for name in ("columns", "schema", "dtypes"):
        monkeypatch.setattr(dataframe_class, name, property(analysis))
    monkeypatch.setattr(dataframe_class, "drop", analysis)

    bronze = ingest.with_audit_columns(landed)
    checked = quality.check(bronze, CUSTOMERS)
    quality.quarantined(checked, CUSTOMERS)
    silver = quality.accepted(checked, CUSTOMERS)
    quality.dedupe_latest(silver, CUSTOMERS.keys, ["_source_modified_at"])
    quality.fail_fast(silver, CUSTOMERS)
    history = ["updated_at"]
    deletes = "operation = 'DELETE'"
    versions = cdc.scd2(checked, CUSTOMERS.keys, "updated_at", deletes, ["operation"], history)
    cdc.scd1(checked, CUSTOMERS.keys, "updated_at", deletes, ["operation"])
    snapshots = silver.withColumn(cdc.VERSION, cdc.snapshot_version("updated_at", "timestamp"))
    cdc.from_snapshots(snapshots, CUSTOMERS.keys, 2, history)
    customers = star.dimension(versions, CUSTOMERS)
    star.dim_date(orders, "order_date", ("2000-01-01", "2099-12-31"))
    star.fact(orders, orders_spec, {"customers": (CUSTOMERS, customers)})


def test_fail_rules_skip_rows_bound_for_quarantine(spark, conf):
    conf(engine="local")
    spec = TableSpec(
        name="t",
        role="fact",
        keys=("id",),
        columns={"id": "bigint", "score": "int"},
        rules=(Rule("known_score", "score IS NOT NULL", "fail"),),
    )

    def checked(raw_id, raw_score):
        bronze = frame(
            spark,
            [(raw_id, raw_score, None, None, "a.json")],
            "id string, score string, _rescued_data string, _corrupt_record string, "
            "_source_file string",
        )
        return quality.check(with_audit(bronze), spec)

    fail_rules = quality.expectations(spec, "fail")
    # The key is missing: quarantined as not_null_id, the update goes on.
    no_key = engine.expect_all_or_fail(fail_rules)(lambda: checked(None, None))
    assert no_key().count() == 1
    # A missing score passes every drop rule and breaks the fail rule: the update stops.
    missing = engine.expect_all_or_fail(fail_rules)(lambda: checked("1", None))
    with pytest.raises(Exception, match="expectation known_score failed"):
        missing().collect()
