"""Bake several table specs and run each generated project's own tests and local pipeline.

- the default answers (three tables): not here, tests/test_install.py runs their whole suite in
  a fresh venv, as a new user does (the fault-injection suite is the tool's:
  tool/tests/test_faults.py);
- a full `tables` spec on csv with an SCD2 dimension keyed by a string (columns landed as
  `Store Code` and `floor-area`, a column named `group`), an SCD2 dimension that lands as full
  snapshots (a member's row quarantined in one of them), a fact with `sequence_by` and
  `delete_when` (composite key, fail/warn/drop rules, BETWEEN/IN rules), a fact without a
  sequence and a fact with no key (an event log with two references to one dimension), null
  markers (`\\N`, `NA`) in the files: the generated end-to-end tests (the pipeline run twice,
  against the oracle, the event-log and metric-view queries);
- a two-table spec (one dimension, one fact) on parquet: one real `medallion run-local` run
  (typed landing files, read with the spec's types);
- not the generated unit tests: they import no table of the bake (every one builds its own specs
  and frames) and the library is the same text in every bake, so tests/test_install.py runs them
  once, with `make test`, in a fresh venv;
- `make check-graph`'s dry run of the Databricks-shaped graph, and that it catches an AUTO CDC
  column list naming a column the change feed does not have.

Every pipeline run needs Java 17+ and takes about a minute; the whole file takes a few minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import run_checked

SNAPSHOTS_AND_TWO_FACTS = {
    "stores": {
        "role": "dimension",
        "keys": ["store_code"],
        "scd_type": 2,
        "sequence_by": "changed_at",
        "columns": {
            "store_code": {"type": "string", "source": "Store Code"},  # a real-world name
            "city": "string",
            "region": "string",
            "group": "string",  # a reserved word
            "floor_area": {"type": "int", "source": "floor-area", "comment": "Square metres."},
            "changed_at": "timestamp",
        },
        "expectations": {
            "valid_store_code": {"expr": "store_code IS NOT NULL", "action": "drop"},
            "known_region": {"expr": "region IN ('north', 'south')", "action": "warn"},
            "has_group": {"expr": "`group` IS NOT NULL", "action": "warn"},
        },
        "null_values": ["\\N"],  # as MySQL dumps write a missing value
    },
    "regions": {
        "role": "dimension",
        "keys": ["region_code"],
        "scd_type": 2,
        "snapshot_by": "extract_date",
        "columns": {"region_code": "string", "manager": "string", "extract_date": "date"},
        "expectations": {
            "has_manager": {"expr": "manager IS NOT NULL", "action": "warn"},
            # A member whose row a snapshot quarantines must keep its row, not be closed.
            "real_manager": {"expr": "manager <> 'vacant'", "action": "drop"},
        },
    },
    "sales": {
        "role": "fact",
        "keys": ["sale_id", "line_no"],
        "sequence_by": "changed_at",
        "delete_when": "status = 'void'",
        "references": {"store_code": "stores", "region_code": "regions"},
        "date_column": "sold_on",
        "date_range": ["2020-01-01", "2030-12-31"],
        "measures": ["units", "revenue"],
        "columns": {
            "sale_id": "bigint",
            "line_no": "int",
            "store_code": "string",
            "region_code": "string",
            "sold_on": "date",
            "units": "int",
            "revenue": "decimal(10,2)",
            "status": "string",
            "changed_at": "timestamp",
        },
        "expectations": {
            "valid_sale_id": {"expr": "sale_id IS NOT NULL", "action": "fail"},
            "positive_units": {"expr": "units > 0", "action": "drop"},
            "plausible_revenue": {"expr": "revenue BETWEEN 0 AND 5000", "action": "warn"},
        },
    },
    "returns": {
        "role": "fact",
        "keys": ["return_id"],
        "references": {"store_code": "stores"},
        "date_column": "returned_on",
        "measures": ["refund"],
        "columns": {
            "return_id": "bigint",
            "store_code": "string",
            "returned_on": "date",
            "refund": "decimal(10,2)",
        },
    },
    "footfall": {
        "role": "fact",
        "keys": [],  # door-counter events: nothing identifies one, and a repeat is a visit
        "references": {"store_code": "stores", "nearest_store": "stores"},  # role-playing
        "date_column": "counted_on",
        "measures": ["visitors"],
        "null_values": ["NA", "n/a"],
        "columns": {
            "store_code": "string",
            "nearest_store": "string",
            "counted_on": "date",
            "visitors": "int",
        },
        "expectations": {"some_visitors": {"expr": "visitors >= 0", "action": "drop"}},
    },
}


def project_env() -> dict[str, str]:
    """The generated project's tests run with this interpreter: every dependency is installed."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(["src", "."])}


def run_project_tests(project: Path, *pytest_args: str) -> str:
    """The project's tests in one process, as `make test-e2e` runs them: the end-to-end files
    share one session fixture (the pipeline's runs), which two workers would each compute."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args]
    return run_checked(command, cwd=project, env=project_env(), timeout=1200)


def run_pipeline_once(project: Path, state: Path) -> str:
    command = [sys.executable, "-m", "medallion", "run-local", "--state-dir", str(state)]
    return run_checked(command, cwd=project, env=project_env(), timeout=900)


def test_full_spec_on_csv_passes_its_end_to_end_tests(bake) -> None:
    project = bake(extra_context={"tables": SNAPSHOTS_AND_TWO_FACTS, "source_format": "csv"})
    output = run_project_tests(project, "-m", "e2e")
    assert " passed" in output and "failed" not in output
    skipped = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    assert not [line for line in skipped if "e2e" in line], "the end-to-end test must run"


def test_two_tables_on_parquet_run_locally(bake, tmp_path) -> None:
    project = bake(extra_context={"table_names": "customers, orders", "source_format": "parquet"})
    summary = run_pipeline_once(project, tmp_path / "state")
    for table in ("customers", "orders"):
        assert f"bronze_{table}" in summary
        assert (tmp_path / "state" / "warehouse" / f"silver_{table}").is_dir()
    assert (tmp_path / "state" / "warehouse" / "dim_date").is_dir()


def test_check_graph_analyzes_the_databricks_shape(bake) -> None:
    """The dry run of the Databricks-shaped graph passes, and Spark's analyzer, not our own
    code, rejects an AUTO CDC column list that names a column the change feed lacks."""
    project = bake(extra_context={"table_names": "customers, orders", "source_format": "parquet"})
    command = [sys.executable, "-m", "medallion", "check-graph"]
    output = run_checked(command, cwd=project, env=project_env(), timeout=600)
    assert "ok  databricks graph analyzed" in output
    flows = next((project / "src").glob("*/flows.py"))
    source = flows.read_text()
    needle = "return [*quality.HELPER_COLUMNS, *AUDIT_COLUMNS, *spec.except_columns]"
    assert needle in source
    flows.write_text(source.replace(needle, needle[:-1] + ', "no_such_column"]'))
    result = subprocess.run(
        command, cwd=project, env=project_env(), capture_output=True, text=True, timeout=600
    )
    assert result.returncode != 0
    assert "ok  local graph analyzed" in result.stdout  # the local graph has no AUTO CDC
    assert "AUTOCDC_COLUMNS_NOT_FOUND_IN_SCHEMA" in result.stdout
    assert "no_such_column" in result.stdout
