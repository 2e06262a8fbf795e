"""engine: the Databricks branch against a recording fake `dp`, the local branch on real Spark."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import engine, quality
from {{ cookiecutter.__package_name }}.spec import Rule, TableSpec

# These tests set pipeline configuration and read local files, which serverless compute does
# not allow; the Databricks branch is tested against a recording fake `dp` instead.
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
    rules=(
        Rule("valid_customer_id", "customer_id IS NOT NULL", "drop"),
        Rule("has_name", "name IS NOT NULL", "warn"),
    ),
    scd_type=2,
    sequence_by="updated_at",
    delete_when="operation = 'DELETE'",
)


class FakeDp:
    """Records what the pipeline asks of `pyspark.pipelines` (with Databricks' expect_all*)."""

    def __init__(self, with_expectations: bool = True):
        self.calls = []
        self.datasets = {}
        if with_expectations:
            for name in ("expect_all", "expect_all_or_drop", "expect_all_or_fail"):
                setattr(self, name, self._expectation(name))

    def _expectation(self, name):
        def expectation(rules):
            def decorate(function):
                self.calls.append((name, rules))
                return function

            return decorate

        return expectation

    def _dataset(self, kind, **kwargs):
        def decorate(function):
            self.calls.append((kind, kwargs))
            self.datasets[kwargs["name"]] = function

        return decorate

    def temporary_view(self, **kwargs):
        return self._dataset("temporary_view", **kwargs)

    def materialized_view(self, **kwargs):
        return self._dataset("materialized_view", **kwargs)

    def create_streaming_table(self, name, **kwargs):
        self.calls.append(("create_streaming_table", {"name": name, **kwargs}))

    def create_auto_cdc_flow(self, **kwargs):
        self.calls.append(("create_auto_cdc_flow", kwargs))


class FakeReader:
    """A DataStreamReader that records its options and returns a given DataFrame."""

    def __init__(self, result):
        self.result, self.source, self.options, self.path = result, None, {}, None

    def format(self, source):
        self.source = source
        return self

    def option(self, key, value):
        self.options[key] = value
        return self

    def load(self, path=None):
        self.path = path
        return self.result

    def table(self, name):
        self.path = name
        return self.result


@pytest.fixture
def conf(spark):
    """Set pipeline configuration on the test session for one test."""
    keys = []

    def set_conf(**values):
        for key, value in values.items():
            name = f"medallion.{key}"
            spark.conf.set(name, value)
            keys.append(name)

    yield set_conf
    for key in keys:
        spark.conf.unset(key)


@pytest.fixture
def fake_dp(monkeypatch):
    fake = FakeDp()
    monkeypatch.setattr(engine, "dp", fake)
    return fake


def test_engine_defaults_to_local(spark):
    assert not engine.is_databricks(spark)
    assert engine.table_options(["customer_id"]) == {}


def test_databricks_cdc_table_is_a_view_and_an_auto_cdc_flow(spark, conf, fake_dp):
    conf(engine="databricks")
    engine.create_cdc_table(
        spark, target="silver_customers", source="bronze_customers", spec=CUSTOMERS, comment="c"
    )
    kinds = [kind for kind, _ in fake_dp.calls]
    # The spec has no fail rule, so expect_all_or_fail is not applied.
    assert kinds == [
        "expect_all_or_drop",
        "expect_all",
        "temporary_view",
        "create_streaming_table",
        "create_auto_cdc_flow",
    ]
    calls = dict(fake_dp.calls)
    assert calls["expect_all_or_drop"] == quality.expectations(CUSTOMERS, "drop")
    assert calls["expect_all"] == {"has_name": "NOT array_contains(_warned_rules, 'has_name')"}
    assert calls["temporary_view"]["name"] == "silver_customers_changes"
    assert calls["create_streaming_table"] == {
        "name": "silver_customers",
        "comment": "c",
        "cluster_by": ["customer_id"],
    }
    flow = calls["create_auto_cdc_flow"]
    assert str(flow.pop("apply_as_deletes")) == str(F.expr("operation = 'DELETE'"))
    assert flow == {
        "target": "silver_customers",
        "source": "silver_customers_changes",
        "keys": ["customer_id"],
        "sequence_by": "updated_at",
        "except_column_list": [
            "_rescued_data",
            "_failed_rules",
            "_warned_rules",
            "_raw",
            "_ingested_at",
            "_source_file",
            "_load_id",
            "operation",
        ],
        "stored_as_scd_type": 2,
        "track_history_except_column_list": ["updated_at"],
    }


def test_databricks_view_reads_the_source_as_a_stream_and_checks_it(spark, conf, fake_dp):
    conf(engine="databricks")
    bronze = spark.createDataFrame(
        [("1", "Ann", "2024-01-01 00:00:00", "INSERT", None, None, None, None)],
        "customer_id string, name string, updated_at string, operation string, "
        "_rescued_data string, _ingested_at timestamp, _source_file string, _load_id string",
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


def test_databricks_expectations_need_databricks_dp(spark, conf, monkeypatch):
    conf(engine="databricks")
    monkeypatch.setattr(engine, "dp", FakeDp(with_expectations=False))
    with pytest.raises(RuntimeError, match="no expect_all_or_drop"):
        engine.expect_all_or_drop({"positive": "x > 0"})(lambda: None)


def test_databricks_files_use_auto_loader(spark, conf):
    conf(engine="databricks", source_format="csv", landing_path="/Volumes/main/retail/landing/")
    landed = SimpleNamespace(withColumn=lambda name, column: (name, str(column)))
    reader = FakeReader(landed)
    result = engine.read_landing(SimpleNamespace(conf=spark.conf, readStream=reader), CUSTOMERS)
    assert reader.source == "cloudFiles"
    assert reader.options == {
        "cloudFiles.format": "csv",
        "cloudFiles.schemaHints": (
            "`customer_id` STRING, `name` STRING, `updated_at` STRING, `operation` STRING"
        ),
        "cloudFiles.schemaEvolutionMode": "addNewColumns",
        "rescuedDataColumn": "_rescued_data",
        "header": "true",
    }
    assert reader.path == "/Volumes/main/retail/landing/customers"
    assert result == ("_source_file", str(F.col("_metadata.file_path")))


def test_databricks_delta_source_reads_the_source_table(spark, conf):
    conf(engine="databricks", source_format="delta", delta_source_schema="main.raw")
    reader = FakeReader(spark.createDataFrame([(1,)], "customer_id bigint"))
    result = engine.read_landing(SimpleNamespace(conf=spark.conf, readStream=reader), CUSTOMERS)
    assert reader.path == "main.raw.customers"
    assert result.first()._source_file == "main.raw.customers"


def test_databricks_kafka_parses_the_value_as_strings(spark, conf):
    conf(engine="databricks", source_format="kafka", kafka_bootstrap_servers="broker:9092")
    messages = spark.createDataFrame(
        [
            (b'{"customer_id": 1, "name": "Ann"}', "customers", 0, 41),
            (b'{"customer_id": 2, "na', "customers", 0, 42),
        ],
        "value binary, topic string, partition int, offset bigint",
    )
    reader = FakeReader(messages)
    actual = engine.read_landing(SimpleNamespace(conf=spark.conf, readStream=reader), CUSTOMERS)
    assert reader.source == "kafka"
    assert reader.options["kafka.bootstrap.servers"] == "broker:9092"
    assert reader.options["subscribe"] == "customers"
    expected = spark.createDataFrame(
        [
            ("1", "Ann", None, None, None, "customers/0/41"),
            (None, None, None, None, '{"customer_id": 2, "na', "customers/0/42"),
        ],
        "customer_id string, name string, updated_at string, operation string, "
        "_rescued_data string, _source_file string",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def _run_stream(spark, df, name):
    query = df.writeStream.format("memory").queryName(name).trigger(availableNow=True).start()
    query.awaitTermination()
    return spark.table(name)


def test_local_reads_landed_json_files_as_a_stream(spark, conf, tmp_path):
    landing = tmp_path / "landing"
    (landing / "customers").mkdir(parents=True)
    lines = [json.dumps({"customer_id": 1, "name": "Ann", "updated_at": "2024-01-01T00:00:00"})]
    lines.append('{"customer_id": 2, "name": ')
    (landing / "customers" / "part-1.json").write_text("\n".join(lines) + "\n")
    conf(source_format="json", landing_path=str(landing))
    stream = engine.read_landing(spark, CUSTOMERS)
    assert stream.isStreaming
    actual = _run_stream(spark, stream, "landing_json").select(
        "customer_id", "name", "updated_at", "_rescued_data"
    )
    expected = spark.createDataFrame(
        [
            ("1", "Ann", "2024-01-01T00:00:00", None),
            (None, None, None, '{"customer_id": 2, "name": '),
        ],
        "customer_id string, name string, updated_at string, _rescued_data string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    files = {row._source_file for row in spark.table("landing_json").collect()}
    assert len(files) == 1 and files.pop().endswith("/customers/part-1.json")


def test_local_reads_csv_with_a_header(spark, conf, tmp_path):
    (tmp_path / "customers").mkdir()
    (tmp_path / "customers" / "a.csv").write_text(
        "customer_id,name,updated_at,operation\n1,Ann,2024-01-01 00:00:00,INSERT\n"
    )
    conf(source_format="csv", landing_path=str(tmp_path))
    actual = _run_stream(spark, engine.read_landing(spark, CUSTOMERS), "landing_csv").drop(
        "_source_file"
    )
    expected = spark.createDataFrame(
        [("1", "Ann", "2024-01-01 00:00:00", "INSERT", None)],
        "customer_id string, name string, updated_at string, operation string, "
        "_rescued_data string",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_local_expectations(spark):
    df = spark.createDataFrame([(1,), (-1,), (None,)], "x int")
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


def test_local_cdc_table_is_a_materialized_view_of_scd2(spark, fake_dp):
    bronze = spark.createDataFrame(
        [
            ("1", "Ann", "2024-01-01 00:00:00", "INSERT", None, "a.json"),
            ("1", "Anne", "2024-01-03 00:00:00", "UPDATE", None, "b.json"),
            ("1", None, "2024-01-04 00:00:00", "DELETE", None, "b.json"),
            ("x", "Bad", "2024-01-02 00:00:00", "INSERT", None, "b.json"),
            (None, None, None, None, "{oops", "b.json"),
        ],
        "customer_id string, name string, updated_at string, operation string, "
        "_rescued_data string, _source_file string",
    ).withColumns({"_ingested_at": F.current_timestamp(), "_load_id": F.lit("1")})
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
    expected = spark.createDataFrame(
        [
            (1, "Ann", dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 3)),
            (1, "Anne", dt.datetime(2024, 1, 3), dt.datetime(2024, 1, 3), dt.datetime(2024, 1, 4)),
        ],
        "customer_id bigint, name string, updated_at timestamp, "
        "__START_AT timestamp, __END_AT timestamp",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_library_functions_do_not_analyze_dataframes(spark, monkeypatch):
    """Pipeline query functions may not analyze a DataFrame (`df.columns`, `df.schema`, `drop`:
    ATTEMPT_ANALYSIS_IN_PIPELINE_QUERY_FUNCTION), so the library builds plans by name only."""
    from {{ cookiecutter.__package_name }} import cdc, ingest, star

    bronze = spark.createDataFrame(
        [("1", "Ann", "2024-01-01 00:00:00", "INSERT", None, "a.json")],
        "customer_id string, name string, updated_at string, operation string, "
        "_rescued_data string, _source_file string",
    )
    orders = spark.createDataFrame(
        [(1, 1, dt.date(2024, 1, 1))], "order_id bigint, customer_id bigint, order_date date"
    )
    orders_spec = TableSpec(
        name="orders",
        role="fact",
        keys=("order_id",),
        columns={"order_id": "bigint", "customer_id": "bigint", "order_date": "date"},
        references={"customer_id": "customers"},
        date_column="order_date",
    )
    dataframe_class = type(bronze)

    def analysis(*args, **kwargs):
        raise AssertionError("a library function analyzed a DataFrame")

    for name in ("columns", "schema", "dtypes"):
        monkeypatch.setattr(dataframe_class, name, property(analysis))
    monkeypatch.setattr(dataframe_class, "drop", analysis)

    landed = ingest.with_audit_columns(bronze)
    checked = quality.check(landed, CUSTOMERS)
    quality.quarantined(checked, CUSTOMERS)
    silver = quality.accepted(checked, CUSTOMERS)
    quality.dedupe_latest(silver, CUSTOMERS.keys, ["_ingested_at"])
    quality.fail_fast(silver, CUSTOMERS)
    versions = cdc.scd2(silver, CUSTOMERS.keys, "updated_at", "operation = 'DELETE'", ["operation"])
    cdc.scd1(silver, CUSTOMERS.keys, "updated_at", "operation = 'DELETE'", ["operation"])
    customers = star.dimension(versions, CUSTOMERS)
    star.dim_date(orders, "order_date")
    star.fact(orders, orders_spec, {"customers": (CUSTOMERS, customers)})


def test_fail_rules_skip_rows_bound_for_quarantine(spark):
    spec = TableSpec(
        name="t",
        role="fact",
        keys=("id",),
        columns={"id": "bigint"},
        rules=(Rule("known_id", "id IS NOT NULL", "fail"),),
    )

    def checked(raw_id):
        bronze = spark.createDataFrame(
            [(raw_id, None, None, "a.json", "1")],
            "id string, _rescued_data string, _ingested_at timestamp, _source_file string, "
            "_load_id string",
        )
        return quality.check(bronze, spec)

    # "x" does not cast: quarantined as castable_id, the update goes on.
    uncastable = engine.expect_all_or_fail(quality.expectations(spec, "fail"))(lambda: checked("x"))
    assert uncastable().count() == 1
    # A missing id passes every drop rule and breaks the fail rule: the update stops.
    missing = engine.expect_all_or_fail(quality.expectations(spec, "fail"))(lambda: checked(None))
    with pytest.raises(Exception, match="expectation known_id failed"):
        missing().collect()
