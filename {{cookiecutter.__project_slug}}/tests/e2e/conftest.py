"""The end-to-end runs every test of this folder reads: the pipeline on a copy of the sample data,
then again after one new landing file per table. One pair of runs per test session."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.__package_name }} import tables as TABLES

from .oracle import expectations
from .runs import run_pipeline, table

ROOT = Path(__file__).resolve().parents[2]
INCREMENT = Path(__file__).resolve().parent / "increment"  # the next landing file per table


# --- landing -------------------------------------------------------------------------------------


def land_with_times_against_names(landing: Path) -> None:
    """Give the landed files modification times in reverse name order, as a parallel upload
    (`databricks fs cp -r`) may: the pipeline must order files by name, never by time."""
    start = time.time() - 3600
    for spec in TABLES.ALL_TABLES:
        for offset, path in enumerate(sorted((landing / spec.name).iterdir(), reverse=True)):
            os.utime(path, (start + offset, start + offset))


def land_increment(landing: Path) -> None:
    """Land the next file of every table (modified now, after the first files) and add its
    deliberate rows to the landing folder's manifest."""
    manifest = json.loads((landing / "_manifest.json").read_text())
    increment = json.loads((INCREMENT / "_manifest.json").read_text())
    for spec in TABLES.ALL_TABLES:
        for path in sorted((INCREMENT / spec.name).iterdir()):
            shutil.copyfile(path, landing / spec.name / path.name)
        entry = manifest["tables"][spec.name]
        entry["files"].update(increment["tables"][spec.name]["files"])
        entry["rows"] += increment["tables"][spec.name]["rows"]
    (landing / "_manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


# --- what the pipeline wrote ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the pipeline, add one landing file per table, run it again."""
    work = tmp_path_factory.mktemp("e2e")
    landing, state = work / "landing", work / "state"
    shutil.copytree(ROOT / "sample_data", landing)
    land_with_times_against_names(landing)
    run_pipeline(landing, state)
    expected_first = expectations(landing)
    first = {
        spec.name: {
            "bronze": table(state, f"bronze_{spec.name}"),
            "expected": expected_first[spec.name],
        }
        for spec in TABLES.ALL_TABLES
    }
    before = {p.name for spec in TABLES.ALL_TABLES for p in (landing / spec.name).iterdir()}
    land_increment(landing)
    new_files = {
        spec.name: [p for p in (landing / spec.name).iterdir() if p.name not in before]
        for spec in TABLES.ALL_TABLES
    }
    summary = run_pipeline(landing, state)
    return {
        "state": state,
        "first": first,
        "new_files": new_files,
        "landing": landing,
        "expected": expectations(landing),
        "summary": summary,
    }
