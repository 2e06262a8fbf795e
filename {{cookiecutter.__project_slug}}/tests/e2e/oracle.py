"""The oracle of the end-to-end test: the tables the pipeline must write, computed from the landing
files and their `_manifest.json` in plain Python (no Spark), using the documented semantics.
tests/e2e/test_local_pipeline.py checks a local run against it; tests/integration checks staging.

The semantics:

- a row listed with `failed_rules` is quarantined (counted per rule, a malformed one with its
  text); every other row is accepted, and silver lists the warn rules it breaks;
- dimensions: change events per key in `sequence_by` order (late events fall into place, a delete
  ends the key, a repeated event changes nothing); full snapshots in version order (a key missing
  from a newer snapshot ends there, a key whose row there is quarantined keeps its last accepted
  row); SCD2 keeps each version, SCD1 the last;
- a value equal to one of the table's `null_values` markers is NULL;
- facts: one row per key, the latest event by `sequence_by` (or, without one, the row of the file
  whose name sorts last in natural order, whatever the files' modification times); a fact with
  no key (`keys: []`) keeps every accepted row, duplicates included; each
  reference gets the dimension version in force on the fact's date (the first version also
  covers earlier dates); a key no dimension row has is an inferred member of that dimension (its
  key kept, attributes unknown); a NULL reference is -1.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from {{ cookiecutter.__package_name }} import tables as TABLES

from .landed_values import delete_marker, kind_of, parse

SPECS = {spec.name: spec for spec in TABLES.ALL_TABLES}
UNKNOWN = -1


# --- what the landing files say ------------------------------------------------------------------


@dataclass
class Landed:
    file: str
    row: int
    values: dict[str, Any]
    text: str | None = None  # the line, when the reader cannot parse it
    warned: tuple[str, ...] = ()  # the warn rules it breaks (from the manifest)


def unmarked(spec: Any, value: Any) -> Any:
    """None for one of the table's null markers (`null_values`), else the value."""
    return None if isinstance(value, str) and value in spec.null_values else value


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
            typed = {
                c: parse(unmarked(spec, record.get(spec.source_name(c))), t)
                for c, t in spec.columns.items()
            }
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
    inferred: set[tuple] = field(default_factory=set)  # keys of inferred members
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
        return int(value.replace(tzinfo=UTC).timestamp() * 1_000_000)
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
    if not spec.keys:  # an event log: every accepted row is a fact of its own
        return {(number,): [(None, None, row)] for number, row in enumerate(rows)}
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


def lookup(
    dim_spec: Any, members: dict[Any, list], inferred: set[tuple], key: Any, day: date | None
) -> Any:
    """The member a fact reference resolves to: (key, start), (key, None) for an inferred
    member, None for the unknown member (a NULL key, or a key closed before the fact's day)."""
    versions = members.get((key,))
    if not versions:
        return ((key,), None) if (key,) in inferred else None
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


def inferred_keys(name: str, members: dict[str, dict], current: dict[str, list]) -> set[tuple]:
    """Keys of dimension `name` that some silver row references and no member has (none of its
    versions: a key whose versions were all closed still has them): star.dimension's inferred
    members."""
    known = {key for key, versions in members[name].items() if versions}
    referenced = {
        (row.values[column],)
        for spec in TABLES.ALL_TABLES
        for column, target in spec.references.items()
        if target == name
        for _, _, row in current[spec.name]
        if row.values[column] is not None
    }
    return referenced - known


def expectations(landing: Path) -> dict[str, Expected]:
    manifest = json.loads((landing / "_manifest.json").read_text())
    common, members, current = {}, {}, {}
    for spec in TABLES.ALL_TABLES:
        entry = manifest["tables"][spec.name]
        listed = {(r["file"], r["row"]): r for r in entry["rows"]}
        rows = landed_rows(landing, spec)
        for row in rows:
            row.warned = tuple(listed.get((row.file, row.row), {}).get("warned_rules", ()))
        bad = {place: r["failed_rules"] for place, r in listed.items() if r["failed_rules"]}
        accepted = [r for r in rows if (r.file, r.row) not in bad]
        rejected = [r for r in rows if (r.file, r.row) in bad]
        members[spec.name] = expected_members(spec, accepted, rejected)
        current[spec.name] = [v for versions in members[spec.name].values() for v in versions]
        common[spec.name] = {
            "bronze": len(rows),
            "quarantined": Counter(rule for failed in bad.values() for rule in failed),
            "quarantined_rows": len(bad),
            "malformed_texts": sorted(r["text"] for r in listed.values() if "text" in r),
            "silver": len(current[spec.name]),
            "warned": Counter(rule for _, _, row in current[spec.name] for rule in row.warned),
        }
    result: dict[str, Expected] = {}
    for spec in TABLES.ALL_TABLES:
        if spec.role == "dimension":
            inferred = inferred_keys(spec.name, members, current)
            result[spec.name] = Expected(
                **common[spec.name],
                gold=len(current[spec.name]) + len(inferred) + 1,
                members=members[spec.name],
                inferred=inferred,
            )
    for spec in TABLES.ALL_TABLES:
        if spec.role == "dimension":
            continue
        facts = []
        for _, _, row in current[spec.name]:
            fact = dict(row.values)
            day = as_day(row.values[spec.date_column]) if spec.date_column else None
            for column, dimension in spec.references.items():
                dim = result[dimension]
                fact[f"__ref_{column}"] = lookup(
                    SPECS[dimension], dim.members or {}, dim.inferred, row.values[column], day
                )
            facts.append(fact)
        result[spec.name] = Expected(**common[spec.name], gold=len(facts), facts=facts)
    return result
