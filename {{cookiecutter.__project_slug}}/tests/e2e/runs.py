"""Running the local pipeline from the tests, and reading what it wrote as Spark reads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from {{ cookiecutter.__package_name }} import tables as TABLES
from medallion import warehouse

ROOT = Path(__file__).resolve().parents[2]


def table(state: Path, name: str) -> list[dict[str, Any]]:
    """The table's committed rows (a cut batch's files are not read, as Spark does not)."""
    rows = warehouse.read_table(state / "warehouse" / name)
    assert rows is not None, f"{name}: no table, or a file of it is not whole"
    return rows.to_pylist()


def run_pipeline(landing: Path, state: Path, *options: str) -> str:
    command = [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
    command += ["--state-dir", str(state), *options]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"run_local failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


RUN_TIME_COLUMNS = {"_ingested_at", "_load_id", "_quarantined_at"}  # differ from run to run


def contents(state: Path, name: str) -> list[tuple]:
    """The table's rows without the columns a run stamps, in a stable order."""
    rows = [
        tuple((k, repr(v)) for k, v in row.items() if k not in RUN_TIME_COLUMNS)
        for row in table(state, name)
    ]
    return sorted(rows)


def table_names() -> list[str]:
    """Every table the pipeline writes."""
    names = ["gold_integrity_checks"]
    for spec in TABLES.ALL_TABLES:
        gold = f"dim_{spec.name}" if spec.role == "dimension" else f"fact_{spec.name}"
        names += [f"bronze_{spec.name}", f"silver_{spec.name}", f"silver_{spec.name}_quarantine"]
        names.append(gold)
        if spec.role == "fact" and spec.date_columns and "dim_date" not in names:
            names.append("dim_date")
    return names
