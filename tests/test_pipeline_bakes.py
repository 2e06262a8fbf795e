"""Bake several table specs and run each generated project's own tests and local pipeline.

- the default answers (three tables): the whole generated suite, end-to-end test included;
- a two-table spec (one dimension, one fact) and a full `tables` spec with an SCD2 dimension keyed
  by a string and two facts (composite key, fail/warn/drop rules, BETWEEN/IN rules): the
  generated suite without the end-to-end test, plus one real `tools.run_local` run.

Every pipeline run needs Java 17+ and takes about a minute; the whole file takes a few minutes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import run_checked

SCD2_AND_TWO_FACTS = {
    "stores": {
        "role": "dimension",
        "keys": ["store_code"],
        "scd_type": 2,
        "sequence_by": "changed_at",
        "columns": {
            "store_code": "string",
            "city": "string",
            "region": "string",
            "floor_area": "int",
            "changed_at": "timestamp",
        },
        "expectations": {
            "valid_store_code": {"expr": "store_code IS NOT NULL", "action": "drop"},
            "known_region": {"expr": "region IN ('north', 'south')", "action": "warn"},
        },
    },
    "sales": {
        "role": "fact",
        "keys": ["sale_id", "line_no"],
        "references": {"store_code": "stores"},
        "date_column": "sold_on",
        "measures": ["units", "revenue"],
        "columns": {
            "sale_id": "bigint",
            "line_no": "int",
            "store_code": "string",
            "sold_on": "date",
            "units": "int",
            "revenue": "decimal(10,2)",
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
}


def project_env() -> dict[str, str]:
    """The generated project's tests run with this interpreter: every dependency is installed."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(["src", "."])}


def run_project_tests(project: Path, *pytest_args: str) -> str:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args]
    return run_checked(command, cwd=project, env=project_env(), timeout=1200)


def run_pipeline_once(project: Path, state: Path) -> str:
    command = [sys.executable, "-m", "tools.run_local", "--state-dir", str(state)]
    return run_checked(command, cwd=project, env=project_env(), timeout=900)


def test_default_project_passes_its_whole_suite(bake) -> None:
    project = bake()
    output = run_project_tests(project)
    assert " passed" in output and "failed" not in output
    skipped = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    assert not [line for line in skipped if "e2e" in line], "the end-to-end test must run"


@pytest.mark.parametrize(
    "extra_context",
    [
        pytest.param({"table_names": "customers, orders"}, id="two-tables"),
        pytest.param(
            {"tables": SCD2_AND_TWO_FACTS, "source_format": "csv"}, id="scd2-two-facts-csv"
        ),
    ],
)
def test_other_specs_pass_their_tests_and_run_locally(bake, tmp_path, extra_context) -> None:
    project = bake(extra_context=extra_context)
    output = run_project_tests(project, "-m", "not e2e")
    assert " passed" in output and "failed" not in output
    summary = run_pipeline_once(project, tmp_path / "state")
    tables = ["customers", "orders"] if "table_names" in extra_context else list(SCD2_AND_TWO_FACTS)
    for table in tables:
        assert f"bronze_{table}" in summary
        assert (tmp_path / "state" / "warehouse" / f"silver_{table}").is_dir()
    assert (tmp_path / "state" / "warehouse" / "dim_date").is_dir()
