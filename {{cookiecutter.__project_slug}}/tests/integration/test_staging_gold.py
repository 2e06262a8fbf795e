"""The deployed target (staging in CI) holds the rows the oracle expects of sample_data/.

Run by `make test-staging TARGET=staging` after `make land` and `make run`: it reads the deployed
names with `databricks bundle summary -o json`, counts every bronze, silver, quarantine and gold
table through a SQL warehouse (WAREHOUSE_ID, else the target's var.warehouse_id), and compares
with tests/e2e/oracle.py's expectations of the same files, computed in plain Python. Marked
`integration`: `make test` deselects it (it needs a workspace); the medallion tool's tests/test_staging_counts.py
tests the counting offline.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from e2e.oracle import expectations

from medallion.admin_grants import bundle_variables

from .staging_counts import count_rows, deployed_tables, expected_counts, mismatches

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_every_table_holds_the_rows_the_oracle_expects():
    target = os.environ.get("BUNDLE_TARGET", "staging")
    profile = os.environ.get("BUNDLE_PROFILE", "")
    argv = ["databricks", "bundle", "summary", "--output", "json", "--target", target]
    summary = json.loads(
        subprocess.run(
            argv + (["--profile", profile] if profile else []),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    warehouse = os.environ.get("WAREHOUSE_ID") or bundle_variables(target).get("warehouse_id")
    assert warehouse, f"set WAREHOUSE_ID or var.warehouse_id of target {target}"
    from databricks.sdk import WorkspaceClient

    client = WorkspaceClient(profile=profile or None)
    actual = count_rows(client, warehouse, deployed_tables(summary))
    assert mismatches(expected_counts(expectations(ROOT / "sample_data")), actual) == []
