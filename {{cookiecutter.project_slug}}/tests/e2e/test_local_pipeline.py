"""End to end: the real local engine on the sample data, twice, checked against plain Python.

The pipeline runs as `python -m tools.run_local` does for `make run-local`, on a copy of
`sample_data/` and with its own state dir, so it never touches `.local/` and can run beside a
manual run. Then one new landing file per table arrives (`generate_sample_data --increment`) and
the pipeline runs again: bronze must grow by exactly those rows (the streaming tables read only
the new files), and every gold number must match what this file computes from the landing files
and `_manifest.json` with plain Python (no Spark), using the documented semantics:

- a row listed with `failed_rules` is quarantined (counted per rule); every other row is accepted;
- dimensions: change events per key in `sequence_by` order (late events fall into place, a delete
  ends the key, a repeated event changes nothing); SCD2 keeps each version, SCD1 the last;
- facts: one row per key, the latest landed file wins; each reference gets the dimension version
  in force on the fact's date (the first version also covers earlier dates), else -1.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tools import generate_sample_data
from tools.generate_sample_data import delete_marker, kind_of

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TABLES = generate_sample_data.load_tables()
SPECS = {spec.name: spec for spec in TABLES.ALL_TABLES}
UNKNOWN = -1


# --- what the landing files say ------------------------------------------------------------------


def parse(value: Any, spark_type: str) -> Any:
    """A landed value as the pipeline types it (None when it does not cast)."""
    if value is None or value == "":
        return None
    kind = kind_of(spark_type)
    try:
        if kind == "integer":
            return int(value)
        if kind == "decimal":
            return Decimal(str(value))
        if kind == "date":
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        if kind == "timestamp":
            if isinstance(value, datetime):
                return value.replace(tzinfo=None)
            return datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return value


@dataclass
class Landed:
    file: str
    row: int
    values: dict[str, Any]


def landed_rows(landing: Path, spec: Any) -> list[Landed]:
    """Every landed row of a table in file order, typed."""
    rows = []
    for path in sorted((landing / spec.name).iterdir()):
        if path.suffix == ".json":
            raw = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        elif path.suffix == ".csv":
            with path.open(newline="") as handle:
                raw = list(csv.DictReader(handle))
        else:
            raw = pq.read_table(path).to_pylist()
        for number, record in enumerate(raw, start=1):
            typed = {c: parse(record.get(c), t) for c, t in spec.columns.items()}
            rows.append(Landed(path.name, number, typed))
    return rows


@dataclass
class Expected:
    bronze: int
    quarantined: Counter[str]
    quarantined_rows: int
    silver: int
    gold: int
    members: dict[Any, list[tuple[Any, Any, dict[str, Any]]]] | None = None  # key -> versions
    facts: list[dict[str, Any]] | None = None


def expected_dimension(spec: Any, rows: list[Landed]) -> tuple[int, dict[Any, list]]:
    """Versions per key: (start, end, values); SCD1 keeps only the current one."""
    if not spec.sequence_by:  # latest landed file wins per key
        latest = {tuple(r.values[k] for k in spec.keys): r.values for r in rows}
        return len(latest), {key: [(None, None, values)] for key, values in latest.items()}
    # Columns the delete condition reads describe the event, not the member (as in cdc.py).
    change = [
        c for c in spec.columns if spec.delete_when and re.search(rf"\b{c}\b", spec.delete_when)
    ]
    delete_column, delete_value = delete_marker(spec.delete_when) or (None, None)
    tracked = [c for c in spec.columns if c not in spec.keys and c != spec.sequence_by]
    tracked = [c for c in tracked if c not in change]
    events: dict[Any, dict[Any, dict[str, Any]]] = {}
    for row in rows:  # identical events (same key and sequence) count once
        key = tuple(row.values[k] for k in spec.keys)
        events.setdefault(key, {})[row.values[spec.sequence_by]] = row.values
    members = {}
    for key, by_sequence in events.items():
        versions: list[list[Any]] = []
        deleted = True
        for sequence in sorted(by_sequence):
            values = by_sequence[sequence]
            is_delete = delete_column is not None and values[delete_column] == delete_value
            state = [values[c] for c in tracked]
            if is_delete:
                if not deleted:
                    versions[-1][1] = sequence
                deleted = True
            elif deleted or state != [versions[-1][2][c] for c in tracked]:
                if versions and versions[-1][1] is None:
                    versions[-1][1] = sequence
                versions.append([sequence, None, values])
                deleted = False
            else:  # a no-op update: the version stays, its attributes take the latest values
                versions[-1][2] = values
        if spec.scd_type == 2:
            members[key] = [tuple(v) for v in versions]
        elif not deleted:
            members[key] = [tuple(versions[-1])]
    return sum(len(v) for v in members.values()), members


def as_day(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def lookup(dim_spec: Any, members: dict[Any, list], key: Any, day: date | None) -> Any:
    """The member a fact reference resolves to: (key, start) or None for the unknown member."""
    versions = members.get((key,))
    if not versions:
        return None
    if dim_spec.scd_type != 2 or day is None:
        current = [v for v in versions if v[1] is None]
        return ((key,), current[-1][0]) if current else None
    for index, (start, end, _) in enumerate(versions):
        begins = index == 0 or as_day(start) <= day
        if begins and (end is None or day < as_day(end)):
            return ((key,), start)
    return None


def sk_column(spec: Any, column: str) -> str:
    dimension = spec.references[column]
    if list(spec.references.values()).count(dimension) > 1:
        return f"{column}_sk"
    return f"{dimension}_sk"


def expectations(landing: Path) -> dict[str, Expected]:
    manifest = json.loads((landing / "_manifest.json").read_text())
    result: dict[str, Expected] = {}
    for spec in TABLES.ALL_TABLES:
        entry = manifest["tables"][spec.name]
        bad = {(r["file"], r["row"]): r["failed_rules"] for r in entry["rows"] if r["failed_rules"]}
        rows = landed_rows(landing, spec)
        accepted = [r for r in rows if (r.file, r.row) not in bad]
        rules: Counter[str] = Counter(rule for failed in bad.values() for rule in failed)
        common = {"bronze": len(rows), "quarantined": rules, "quarantined_rows": len(bad)}
        if spec.role == "dimension":
            count, members = expected_dimension(spec, accepted)
            result[spec.name] = Expected(**common, silver=count, gold=count + 1, members=members)
        else:
            latest = {tuple(r.values[k] for k in spec.keys): r.values for r in accepted}
            facts = []
            for values in latest.values():
                fact = dict(values)
                day = as_day(values[spec.date_column]) if spec.date_column else None
                for column, dimension in spec.references.items():
                    members = result[dimension].members or {}
                    fact[f"__ref_{column}"] = lookup(SPECS[dimension], members, values[column], day)
                facts.append(fact)
            result[spec.name] = Expected(
                **common, silver=len(latest), gold=len(latest), facts=facts
            )
    return result


# --- what the pipeline wrote ---------------------------------------------------------------------


def table(state: Path, name: str) -> list[dict[str, Any]]:
    return pq.read_table(state / "warehouse" / name).to_pylist()


def run_pipeline(landing: Path, state: Path) -> str:
    command = [sys.executable, "-m", "tools.run_local", "--landing", str(landing)]
    command += ["--state-dir", str(state)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"run_local failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the pipeline, add one landing file per table, run it again."""
    work = tmp_path_factory.mktemp("e2e")
    landing, state = work / "landing", work / "state"
    if (ROOT / "sample_data" / "_manifest.json").exists():
        shutil.copytree(ROOT / "sample_data", landing)
    else:  # parquet samples are written on first use
        generate_sample_data.generate(landing, TABLES.SOURCE_FORMAT)
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
    generate_sample_data.generate(landing, TABLES.SOURCE_FORMAT, increment=True)
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


# --- the checks ----------------------------------------------------------------------------------

TABLE_NAMES = [spec.name for spec in TABLES.ALL_TABLES]


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_first_run_matches_the_sample_data(runs: dict[str, Any], name: str) -> None:
    first = runs["first"][name]
    assert len(first["bronze"]) == first["expected"].bronze


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_second_run_reads_only_the_new_file(runs: dict[str, Any], name: str) -> None:
    bronze = table(runs["state"], f"bronze_{name}")
    new_rows = (
        len(landed_rows(runs["landing"], SPECS[name])) - runs["first"][name]["expected"].bronze
    )
    assert len(runs["new_files"][name]) == 1
    assert new_rows > 0
    # Re-reading old files would duplicate their rows; only the new file's rows may be added,
    # all in one new load.
    assert len(bronze) == runs["first"][name]["expected"].bronze + new_rows
    old_loads = {row["_load_id"] for row in runs["first"][name]["bronze"]}
    new_loads = Counter(row["_load_id"] for row in bronze if row["_load_id"] not in old_loads)
    assert list(new_loads.values()) == [new_rows]
    new_file = runs["new_files"][name][0].name
    assert all(
        row["_source_file"].endswith(new_file) for row in bronze if row["_load_id"] in new_loads
    )


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_quarantine_holds_every_dropped_row_with_its_rules(runs: dict[str, Any], name: str) -> None:
    expected = runs["expected"][name]
    quarantine = table(runs["state"], f"silver_{name}_quarantine")
    assert len(quarantine) == expected.quarantined_rows
    assert (
        Counter(rule for row in quarantine for rule in row["_failed_rules"]) == expected.quarantined
    )


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_silver_and_gold_row_counts(runs: dict[str, Any], name: str) -> None:
    expected = runs["expected"][name]
    prefix = "dim" if SPECS[name].role == "dimension" else "fact"
    assert len(table(runs["state"], f"silver_{name}")) == expected.silver
    assert len(table(runs["state"], f"{prefix}_{name}")) == expected.gold


@pytest.mark.parametrize("name", [s.name for s in TABLES.ALL_TABLES if s.role == "dimension"])
def test_dimension_members_and_unknown_row(runs: dict[str, Any], name: str) -> None:
    spec, expected = SPECS[name], runs["expected"][name]
    dim = table(runs["state"], f"dim_{name}")
    unknown = [row for row in dim if row[f"{name}_sk"] == UNKNOWN]
    assert len(unknown) == 1
    members = Counter(tuple(row[k] for k in spec.keys) for row in dim if row not in unknown)
    assert members == Counter({key: len(v) for key, v in (expected.members or {}).items()})
    assert len({row[f"{name}_sk"] for row in dim}) == len(dim), "surrogate keys must be unique"


@pytest.mark.parametrize("name", [s.name for s in TABLES.ALL_TABLES if s.role == "fact"])
def test_fact_lookups_unknown_members_and_measures(runs: dict[str, Any], name: str) -> None:
    spec, expected = SPECS[name], runs["expected"][name]
    fact = {tuple(row[k] for k in spec.keys): row for row in table(runs["state"], f"fact_{name}")}
    assert len(fact) == len(expected.facts or [])
    dims = {d: table(runs["state"], f"dim_{d}") for d in set(spec.references.values())}
    for column, dimension in spec.references.items():
        by_sk = {row[f"{dimension}_sk"]: row for row in dims[dimension]}
        scd2 = SPECS[dimension].scd_type == 2
        unknown = 0
        for want in expected.facts or []:
            got = fact[tuple(want[k] for k in spec.keys)]
            sk = got[sk_column(spec, column)]
            member = by_sk[sk]
            ref = want[f"__ref_{column}"]
            if ref is None:
                unknown += 1
                assert sk == UNKNOWN, f"{column}={want[column]} should be unknown"
                continue
            key, start = ref
            assert tuple(member[k] for k in SPECS[dimension].keys) == key
            if scd2:
                sequence_type = SPECS[dimension].columns[SPECS[dimension].sequence_by]
                assert parse(member["__START_AT"], sequence_type) == start, f"{column}={key}"
        assert unknown == sum(1 for row in fact.values() if row[sk_column(spec, column)] == UNKNOWN)
    for measure in spec.measures:
        want = sum((row[measure] for row in expected.facts or [] if row[measure] is not None), 0)
        got = sum((row[measure] for row in fact.values() if row[measure] is not None), 0)
        assert Decimal(str(got)) == Decimal(str(want)), measure


def test_dim_date_covers_every_fact_date(runs: dict[str, Any]) -> None:
    if not (runs["state"] / "warehouse" / "dim_date").exists():
        pytest.skip("no fact has a date column")
    days = {
        as_day(row[spec.date_column])
        for spec in TABLES.ALL_TABLES
        if spec.role == "fact" and spec.date_column
        for row in runs["expected"][spec.name].facts or []
        if row[spec.date_column] is not None
    }
    dim_date = table(runs["state"], "dim_date")
    assert len(dim_date) == (max(days) - min(days)).days + 1 + 1  # every day, plus unknown


def test_run_prints_a_summary(runs: dict[str, Any]) -> None:
    summary = runs["summary"]
    for spec in TABLES.ALL_TABLES:
        assert f"bronze_{spec.name}" in summary
    assert "unknown member" in summary
