"""tests/integration/staging_counts.py against the local SQL warehouse, with names from the fake
CLI's `bundle summary`: the counting query, its answer and the comparison with the oracle."""

from __future__ import annotations

import pytest

from . import baked, fake_databricks

ROOT = baked.PROJECT
# The project's own code under test, and its oracle (its tests/ folder).
staging = baked.project_module("integration.staging_counts")
expectations = baked.project_module("e2e.oracle").expectations
count_query, count_rows, deployed_tables = (
    staging.count_query,
    staging.count_rows,
    staging.deployed_tables,
)
expected_counts, mismatches = staging.expected_counts, staging.mismatches

pytest.importorskip("databricks.sdk", reason="databricks-sdk is in the local dependency group")


def staging_summary() -> dict:
    config = fake_databricks.load_bundle(ROOT)
    return fake_databricks.resolved_config(config, "staging", config["targets"]["staging"])


def test_tables_are_read_where_staging_publishes_them():
    tables = deployed_tables(staging_summary())
    catalog = staging_summary()["variables"]["catalog"]["value"]
    schema = staging_summary()["variables"]["schema"]["value"]
    some_dimension = next(name for name in tables if name.startswith("dim_"))
    assert tables[some_dimension] == f"`{catalog}`.`staging_{schema}_gold`.`{some_dimension}`"
    some_bronze = next(name for name in tables if name.startswith("bronze_"))
    assert tables[some_bronze] == f"`{catalog}`.`staging_{schema}`.`{some_bronze}`"


def test_counts_that_match_the_oracle_pass_and_one_off_is_named(workspace):
    expected = expected_counts(expectations(ROOT / "sample_data"))
    tables = deployed_tables(staging_summary())
    warehouse = workspace(rows={"UNION ALL": (["dataset", "row_count"], sorted(expected.items()))})
    from databricks.sdk import WorkspaceClient

    client = WorkspaceClient(profile="local")
    actual = count_rows(client, "wh-1", tables)
    assert mismatches(expected, actual) == []
    [request] = warehouse.received
    assert request["statement"] == count_query(tables)
    assert request["statement"].count("COUNT(*)") == len(expected)

    wrong = dict(expected)
    name = next(iter(wrong))
    wrong[name] += 1
    assert mismatches(wrong, actual) == [
        f"{name}: {expected[name]} rows, the oracle expects {expected[name] + 1}"
    ]
    assert mismatches({**expected, "dim_ghost": 1}, actual)[-1] == (
        "dim_ghost: missing rows, the oracle expects 1"
    )
