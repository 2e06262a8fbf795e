"""End to end: the real local engine on the sample data, checked against plain Python.

The pipeline runs as `python -m tools.run_local` does for `make run-local`, on a copy of
`sample_data/` and with its own state dir, so it never touches `.local/` and can run beside a
manual run. Then one new landing file per table arrives (from `tests/e2e/increment/`) and
the pipeline runs again: bronze must grow by exactly those rows (the streaming tables read only
the new files), and every gold number must match what this file computes from the landing files
and their `_manifest.json` with plain Python (no Spark), using the documented semantics. Last (the
fixture `reruns`, which only the last tests request), a run with nothing new must change nothing,
and a full refresh of the existing tables must rebuild the same tables from all the files.

The semantics:

- a row listed with `failed_rules` is quarantined (counted per rule, a malformed one with its
  text); every other row is accepted, and silver lists the warn rules it breaks;
- dimensions: change events per key in `sequence_by` order (late events fall into place, a delete
  ends the key, a repeated event changes nothing); full snapshots in version order (a key missing
  from a newer snapshot ends there); SCD2 keeps each version, SCD1 the last;
- facts: one row per key, the latest event by `sequence_by` (or, without one, the row of the file
  whose name sorts last in natural order, whatever the files' modification times); each
  reference gets the dimension version in force on the fact's date (the first version also
  covers earlier dates), else -1.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.__package_name }} import tables as TABLES

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
INCREMENT = Path(__file__).resolve().parent / "increment"  # the next landing file per table
SPECS = {spec.name: spec for spec in TABLES.ALL_TABLES}
UNKNOWN = -1


# --- what the landing files say ------------------------------------------------------------------

IDENTIFIER = r"`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_]*"


def kind_of(spark_type: str) -> str:
    """The kind of Python value a Spark SQL type string holds."""
    t = spark_type.strip().lower()
    if t in ("bigint", "long", "int", "integer", "smallint", "short", "tinyint", "byte"):
        return "integer"
    if t.startswith(("decimal", "numeric")) or t in ("double", "float", "real"):
        return "decimal"
    if t == "date" or t.startswith("timestamp"):
        return "date" if t == "date" else "timestamp"
    return "other"


def delete_marker(delete_when: str | None) -> tuple[str, str] | None:
    """(column, value) of a `column = 'value'` delete condition; None for anything else."""
    match = re.match(rf"^\s*({IDENTIFIER})\s*=\s*'((?:[^']|'')*)'\s*$", delete_when or "")
    if not match:
        return None
    column = match.group(1)
    if column.startswith("`"):
        column = column[1:-1].replace("``", "`")
    return column, match.group(2).replace("''", "'")


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
    except (ValueError, ArithmeticError):  # decimal.InvalidOperation is an ArithmeticError
        return None
    return value


@dataclass
class Landed:
    file: str
    row: int
    values: dict[str, Any]
    text: str | None = None  # the line, when the reader cannot parse it
    warned: tuple[str, ...] = ()  # the warn rules it breaks (from the manifest)


def json_record(line: str) -> tuple[dict[str, Any], str | None]:
    try:
        return json.loads(line), None
    except json.JSONDecodeError:
        return {}, line


def natural_key(name: str) -> list[tuple[int, int | str]]:
    """`part-9` before `part-10`: digit runs compare as numbers."""
    return [(0, int(run)) if run.isdigit() else (1, run) for run in re.findall(r"\d+|\D+", name)]


def landed_files(landing: Path, spec: Any) -> list[Path]:
    """The landed files of a table in the order the pipeline applies them: by name, naturally."""
    return sorted((landing / spec.name).iterdir(), key=lambda path: natural_key(path.name))


def landed_rows(landing: Path, spec: Any) -> list[Landed]:
    """Every landed row of a table, in landing order, typed."""
    rows = []
    for path in landed_files(landing, spec):
        if path.suffix == ".json":
            lines = [line for line in path.read_text().splitlines() if line.strip()]
            raw = [json_record(line) for line in lines]
        elif path.suffix == ".csv":
            header, *lines = path.read_text().splitlines()
            records = csv.DictReader([header, *lines])  # a short line leaves fields None
            raw = [
                (record, line if None in record.values() else None)
                for line, record in zip(lines, records, strict=True)
            ]
        else:
            raw = [(record, None) for record in pq.read_table(path).to_pylist()]
        for number, (record, text) in enumerate(raw, start=1):
            typed = {c: parse(record.get(spec.source_name(c)), t) for c, t in spec.columns.items()}
            rows.append(Landed(path.name, number, typed, text))
    return rows


@dataclass
class Expected:
    bronze: int
    quarantined: Counter[str]
    quarantined_rows: int
    malformed_texts: list[str]
    silver: int
    warned: Counter[str]  # silver rows per broken warn rule
    gold: int
    members: dict[Any, list[tuple[Any, Any, Landed]]] | None = None  # key -> versions
    facts: list[dict[str, Any]] | None = None


def key_of(spec: Any, row: Landed) -> tuple[Any, ...]:
    return tuple(row.values[k] for k in spec.keys)


def is_delete(spec: Any, row: Landed) -> bool:
    delete_column, delete_value = delete_marker(spec.delete_when) or (None, None)
    return delete_column is not None and row.values[delete_column] == delete_value


def tracked_columns(spec: Any) -> list[str]:
    """What a new SCD2 version needs a change in: not the keys, the ordering or event columns."""
    untracked = {*spec.keys, spec.sequence_by, spec.snapshot_by, *spec.except_columns}
    return [c for c in spec.columns if c not in untracked]


def versions_of(spec: Any, events: list[tuple[Any, Landed | None]]) -> list[list[Any]]:
    """[start, end, row] per version from (sequence, row) events in sequence order; a None row
    or a delete event ends the live version."""
    versions: list[list[Any]] = []
    deleted = True
    for sequence, row in events:
        if row is None or is_delete(spec, row):
            if not deleted:
                versions[-1][1] = sequence
            deleted = True
            continue
        state = [row.values[c] for c in tracked_columns(spec)]
        if deleted or state != [versions[-1][2].values[c] for c in tracked_columns(spec)]:
            if versions and versions[-1][1] is None:
                versions[-1][1] = sequence
            versions.append([sequence, None, row])
            deleted = False
        else:  # a no-op update: the version stays, its attributes take the latest values
            versions[-1][2] = row
    return versions


def snapshot_version(value: Any) -> int:
    """As cdc.snapshot_version: yyyyMMdd for dates, epoch microseconds for timestamps."""
    if isinstance(value, datetime):
        return int(value.replace(tzinfo=timezone.utc).timestamp() * 1_000_000)
    if isinstance(value, date):
        return int(value.strftime("%Y%m%d"))
    return int(value)


def change_events(
    spec: Any, rows: list[Landed], rejected: list[Landed] = ()
) -> dict[Any, list[tuple[Any, Landed | None]]]:
    """Per key, its events in order: by sequence_by (identical events count once), or one event
    per snapshot, a None where the key is missing from the next snapshot. A key whose row in a
    snapshot was quarantined (`rejected`) is not missing: it has its latest earlier accepted row
    there."""
    if spec.snapshot_by:
        snapshots: dict[int, dict[Any, Landed]] = {}
        for row in rows:
            version = snapshot_version(row.values[spec.snapshot_by])
            snapshots.setdefault(version, {})[key_of(spec, row)] = row
        accepted = {version: dict(members) for version, members in snapshots.items()}
        for row in rejected:
            version, key = snapshot_version(row.values[spec.snapshot_by]), key_of(spec, row)
            members = snapshots.setdefault(version, {})
            earlier = [v for v in accepted if v < version and key in accepted[v]]
            if key not in members and earlier:
                members[key] = accepted[max(earlier)][key]
        order = sorted(snapshots)
        keys = {key for members in snapshots.values() for key in members}
        return {key: [(version, snapshots[version].get(key)) for version in order] for key in keys}
    events: dict[Any, dict[Any, Landed]] = {}
    for row in rows:
        events.setdefault(key_of(spec, row), {})[row.values[spec.sequence_by]] = row
    return {key: sorted(by_sequence.items()) for key, by_sequence in events.items()}


def expected_members(
    spec: Any, rows: list[Landed], rejected: list[Landed] = ()
) -> dict[Any, list[tuple[Any, Any, Landed]]]:
    """Versions per key as (start, end, row); SCD1 and facts keep only the current one.
    `rejected`: the quarantined rows (a snapshot keeps their members, see change_events)."""
    if not spec.sequence_by and not spec.snapshot_by:  # the most recently landed file wins
        latest = {key_of(spec, row): row for row in rows}
        return {key: [(None, None, row)] for key, row in latest.items()}
    members = {}
    for key, events in change_events(spec, rows, rejected).items():
        # A key never seen before its first event starts "deleted": leading gaps are no-ops.
        versions = versions_of(spec, events)
        if spec.scd_type == 2:
            members[key] = [tuple(v) for v in versions]
        elif versions and versions[-1][1] is None:
            members[key] = [tuple(versions[-1])]
    return members


def as_day(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def dated_history(dim_spec: Any) -> bool:
    """Whether facts look up an SCD2 version by date (as star.fact): only when its history is
    sequenced by a date or timestamp; snapshot versions and version numbers have no dates."""
    if dim_spec.scd_type != 2 or not dim_spec.sequence_by:
        return False
    return kind_of(dim_spec.columns[dim_spec.sequence_by]) in ("date", "timestamp")


def lookup(dim_spec: Any, members: dict[Any, list], key: Any, day: date | None) -> Any:
    """The member a fact reference resolves to: (key, start) or None for the unknown member."""
    versions = members.get((key,))
    if not versions:
        return None
    if not dated_history(dim_spec) or day is None:
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
        listed = {(r["file"], r["row"]): r for r in entry["rows"]}
        rows = landed_rows(landing, spec)
        for row in rows:
            row.warned = tuple(listed.get((row.file, row.row), {}).get("warned_rules", ()))
        bad = {place: r["failed_rules"] for place, r in listed.items() if r["failed_rules"]}
        accepted = [r for r in rows if (r.file, r.row) not in bad]
        rejected = [r for r in rows if (r.file, r.row) in bad]
        members = expected_members(spec, accepted, rejected)
        current = [version for versions in members.values() for version in versions]
        common = {
            "bronze": len(rows),
            "quarantined": Counter(rule for failed in bad.values() for rule in failed),
            "quarantined_rows": len(bad),
            "malformed_texts": sorted(r["text"] for r in listed.values() if "text" in r),
            "silver": len(current),
            "warned": Counter(rule for _, _, row in current for rule in row.warned),
        }
        if spec.role == "dimension":
            result[spec.name] = Expected(**common, gold=len(current) + 1, members=members)
            continue
        facts = []
        for _, _, row in current:
            fact = dict(row.values)
            day = as_day(row.values[spec.date_column]) if spec.date_column else None
            for column, dimension in spec.references.items():
                dim_members = result[dimension].members or {}
                reference = lookup(SPECS[dimension], dim_members, row.values[column], day)
                fact[f"__ref_{column}"] = reference
            facts.append(fact)
        result[spec.name] = Expected(**common, gold=len(facts), facts=facts)
    return result


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


def table(state: Path, name: str) -> list[dict[str, Any]]:
    return pq.read_table(state / "warehouse" / name).to_pylist()


def run_pipeline(landing: Path, state: Path, *options: str) -> str:
    command = [sys.executable, "-m", "tools.run_local", "--landing", str(landing)]
    command += ["--state-dir", str(state), *options]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"run_local failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
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
def test_quarantine_keeps_the_text_of_records_that_do_not_parse(
    runs: dict[str, Any], name: str
) -> None:
    quarantine = table(runs["state"], f"silver_{name}_quarantine")
    texts = sorted(
        row["_corrupt_record"] for row in quarantine if "malformed_record" in row["_failed_rules"]
    )
    assert texts == runs["expected"][name].malformed_texts
    # Not in a snapshot: a row whose key is unknown stops the update (tests/unit/test_cdc.py).
    if TABLES.SOURCE_FORMAT in ("json", "csv", "kafka") and not SPECS[name].snapshot_by:
        assert texts, "the sample data has a malformed record for every text format"


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_silver_shows_which_rows_break_a_warn_rule(runs: dict[str, Any], name: str) -> None:
    silver = table(runs["state"], f"silver_{name}")
    actual = Counter(rule for row in silver for rule in row["_warned_rules"])
    assert actual == runs["expected"][name].warned
    for rule in SPECS[name].rules_with("warn"):  # the run summary counts every rule exactly
        count = runs["expected"][name].warned[rule.name]
        assert re.search(rf"silver_{name}\s+{rule.name}\s+{count}\n", runs["summary"])


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
            if scd2 and SPECS[dimension].snapshot_by:
                assert member["__START_AT"] == start, f"{column}={key}"
            elif scd2:
                sequence_type = SPECS[dimension].columns[SPECS[dimension].sequence_by]
                assert parse(member["__START_AT"], sequence_type) == start, f"{column}={key}"
        assert unknown == sum(1 for row in fact.values() if row[sk_column(spec, column)] == UNKNOWN)
    for measure in spec.measures:
        want = sum((row[measure] for row in expected.facts or [] if row[measure] is not None), 0)
        got = sum((row[measure] for row in fact.values() if row[measure] is not None), 0)
        assert Decimal(str(got)) == Decimal(str(want)), measure


def test_snowflaked_dimensions_point_at_current_referenced_members(runs: dict[str, Any]) -> None:
    """Every `<dim>_sk` of a dimension that references another (none in a plain star)."""
    for spec in TABLES.ALL_TABLES:
        if spec.role == "dimension":
            check_snowflake(runs, spec)


def check_snowflake(runs: dict[str, Any], spec: Any) -> None:
    name = spec.name
    dim = table(runs["state"], f"dim_{name}")
    for column, dimension in spec.references.items():
        referenced = table(runs["state"], f"dim_{dimension}")
        key = SPECS[dimension].keys[0]
        sk = f"{dimension}_sk"
        current = {
            row[key]: row[sk]
            for row in referenced
            if row[sk] != UNKNOWN and row.get("__END_AT") is None
        }
        for row in dim:
            expected = current.get(row[column], UNKNOWN) if row[column] is not None else UNKNOWN
            assert row[sk_column(spec, column)] == expected, (name, column, row[column])


@pytest.mark.parametrize("name", [s.name for s in TABLES.ALL_TABLES if s.role == "fact"])
def test_fact_keeps_attributes_and_a_key_per_date(runs: dict[str, Any], name: str) -> None:
    spec, expected = SPECS[name], runs["expected"][name]
    fact = {tuple(row[k] for k in spec.keys): row for row in table(runs["state"], f"fact_{name}")}
    for want in expected.facts or []:
        got = fact[tuple(want[k] for k in spec.keys)]
        for attribute in spec.attributes:
            assert parse(got[attribute], spec.columns[attribute]) == want[attribute], attribute
        for column in spec.date_columns:
            date_key = "date_sk" if column == spec.date_column else f"{column}_sk"
            day = as_day(want[column])
            assert got[date_key] == (int(day.strftime("%Y%m%d")) if day else UNKNOWN), date_key


def test_dim_date_covers_every_fact_date(runs: dict[str, Any]) -> None:
    if not (runs["state"] / "warehouse" / "dim_date").exists():
        pytest.skip("no fact has a date column")
    days = {
        as_day(row[column])
        for spec in TABLES.ALL_TABLES
        if spec.role == "fact"
        for column in spec.date_columns
        for row in runs["expected"][spec.name].facts or []
        if row[column] is not None
    }
    dim_date = table(runs["state"], "dim_date")
    assert len(dim_date) == (max(days) - min(days)).days + 1 + 1  # every day, plus unknown


def test_run_prints_a_summary(runs: dict[str, Any]) -> None:
    summary = runs["summary"]
    for spec in TABLES.ALL_TABLES:
        assert f"bronze_{spec.name}" in summary
    assert "unknown member" in summary
    checks = re.search(r"gold integrity checks: (\d+) of (\d+) hold", summary)
    assert checks and checks.group(1) == checks.group(2), "every integrity check holds"


# --- re-runs: nothing new, then a full refresh (these run last: they change the tables) ---------

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


@pytest.fixture(scope="module")
def reruns(runs: dict[str, Any]) -> dict[str, Any]:
    state, landing = runs["state"], runs["landing"]
    warehouse = state / "warehouse"
    files = {str(path): path.stat().st_mtime_ns for path in warehouse.rglob("*") if path.is_file()}
    before = {name: contents(state, name) for name in table_names()}
    unchanged = run_pipeline(landing, state)
    files_after = {
        str(path): path.stat().st_mtime_ns for path in warehouse.rglob("*") if path.is_file()
    }
    refreshed = run_pipeline(landing, state, "--full-refresh")
    return {
        "unchanged_output": unchanged,
        "files_unchanged": files == files_after,
        "before": before,
        "after": {name: contents(state, name) for name in table_names()},
        "refreshed_output": refreshed,
    }


def test_a_run_with_nothing_new_changes_nothing(reruns: dict[str, Any]) -> None:
    assert "nothing changed since the run that finished" in reruns["unchanged_output"]
    assert "rows per table" in reruns["unchanged_output"]  # the summary, from the tables
    assert reruns["files_unchanged"]


@pytest.mark.parametrize("name", table_names())
def test_a_full_refresh_of_existing_tables_rebuilds_the_same_rows(
    reruns: dict[str, Any], name: str
) -> None:
    """Every table recomputed from all landing files in one run equals what the first run plus
    the incremental one built (bronze: one row per landed row, none read twice)."""
    assert "(full refresh)" in reruns["refreshed_output"]
    assert reruns["after"][name] == reruns["before"][name]
