"""flows: CDC and snapshot tables and gold options, the Databricks shape against a strict fake
`dp`, the local materialized views on real Spark."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from types import SimpleNamespace

import pytest
from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame
from medallion.testing.fake_dp import StrictFakeDp
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import engine, flows, quality
from {{ cookiecutter.__package_name }}.spec import Rule, TableSpec

from .pipeline_doubles import CUSTOMERS, READER_SCHEMA, FakeReader, with_audit

# These tests set pipeline configuration and read local files, which serverless compute does
# not allow; the Databricks branch is tested against a strict fake `dp` instead.
pytestmark = pytest.mark.local_only


def test_databricks_cdc_table_is_a_view_and_an_auto_cdc_flow(spark, conf, fake_dp):
    conf(engine="databricks")
    flows.create_cdc_table(
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
    flows.create_cdc_table(
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
    flows.create_cdc_table(
        fake_spark, target="silver_customers", source="bronze_customers", spec=CUSTOMERS, comment=""
    )
    changes = fake_dp.datasets["silver_customers_changes"]()
    assert reader.path == "bronze_customers"
    assert changes.columns[-3:] == ["_failed_rules", "_warned_rules", "_raw"]


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
    flows.create_cdc_table(
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
    monkeypatch.setattr(flows, "dp", local_dp)
    flows.create_cdc_table(
        spark, target="silver_customers", source="bronze_customers", spec=CUSTOMERS, comment="c"
    )
    assert local_dp.kinds() == ["temporary_view", "create_streaming_table", "create_auto_cdc_flow"]
    assert local_dp.call("create_streaming_table") == {"name": "silver_customers", "comment": "c"}


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
    flows.create_snapshot_table(
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
    flows.create_snapshot_table(
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
    flows.create_snapshot_table(
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


def test_gold_is_published_to_the_gold_schema_on_databricks(spark, conf):
    conf(engine="databricks", gold_schema="main.dev_ann_sales_gold")
    assert flows.gold_table("dim_customers") == "main.dev_ann_sales_gold.dim_customers"
    read = SimpleNamespace(table=lambda name: f"read {name}")
    assert flows.gold_reader(SimpleNamespace(read=read))("dim_date") == (
        "read main.dev_ann_sales_gold.dim_date"
    )
    conf(engine="local")
    assert flows.gold_table("dim_customers") == "dim_customers"  # one database locally


def test_local_engine_has_no_clustering(spark, conf):
    conf(engine="local")
    assert not engine.is_databricks(spark)
    assert flows.table_options(["customer_id"]) == {}
