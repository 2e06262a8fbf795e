"""expectations: delegated to a strict fake `dp` on Databricks; local stand-ins on real Spark."""

from __future__ import annotations

import pytest
from medallion.testing.arrow_rows import frame
from medallion.testing.fake_dp import DatabricksRejects, StrictFakeDp

from {{ cookiecutter.__package_name }} import engine, expectations, flows, quality
from {{ cookiecutter.__package_name }}.spec import Rule, TableSpec

from .pipeline_doubles import with_audit

# These tests set pipeline configuration and read local files, which serverless compute does
# not allow; the Databricks branch is tested against a strict fake `dp` instead.
pytestmark = pytest.mark.local_only


def test_databricks_expectations_delegate_to_dp(spark, conf, fake_dp):
    conf(engine="databricks")
    rules = {"positive": "x > 0"}

    def dataset():
        return None

    for name in ("expect_all", "expect_all_or_drop", "expect_all_or_fail"):
        assert getattr(expectations, name)(rules)(dataset) is dataset
    assert fake_dp.calls == [
        ("expect_all", rules),
        ("expect_all_or_drop", rules),
        ("expect_all_or_fail", rules),
    ]
    assert flows.table_options(["id"]) == {"cluster_by": ["id"]}


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
        expectations.expect_all_or_drop({"positive": "x > 0"})(lambda: None)


def test_local_expectations(spark, conf):
    conf(engine="local")
    df = frame(spark, [(1,), (-1,), (None,)], "x int")
    rules = {"positive": "x > 0"}
    assert expectations.expect_all(rules)(lambda: df)() is df

    @expectations.expect_all_or_drop(rules)
    def dropped():
        return df

    assert dropped.__name__ == "dropped"
    assert [row.x for row in dropped().collect()] == [1]

    @expectations.expect_all_or_fail(rules)
    def failing():
        return df

    with pytest.raises(Exception, match="expectation positive failed"):
        failing().collect()


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
    no_key = expectations.expect_all_or_fail(fail_rules)(lambda: checked(None, None))
    assert no_key().count() == 1
    # A missing score passes every drop rule and breaks the fail rule: the update stops.
    missing = expectations.expect_all_or_fail(fail_rules)(lambda: checked("1", None))
    with pytest.raises(Exception, match="expectation known_score failed"):
        missing().collect()
