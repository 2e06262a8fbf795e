"""Rows from a team's own files for its sample data (`__source_sample`, issue 21).

    rows = read_source(Path("~/exports/retail"), tables)   # SourceRows: .rows, .masked, .notes

bake/sample_data.py builds the sample files as always (the deliberate hard cases: quarantined rows,
updates, late and duplicate events, an unknown member), but draws its keys and values from these
rows instead of inventing them, so `sample_data/` looks like the team's data and the end-to-end
oracle still knows every deliberate row.

The sample is small and consistent:
- each fact gives its first clean rows, in file order (natural order of file names);
- each dimension gives, first, the members that the sampled rows of the tables referencing it
  point at (a fact row's references are kept), then further members, one row per key;
- a row that does not parse as its spec types is left out: the sample's bad rows are the
  generator's deliberate ones, each listed in `_manifest.json`.

Columns that look personal (e-mail, phone, a person's name, address, birth date, ...) are masked
before anything is written: each value becomes a pseudonym computed from the value alone, so a
masked key still joins across tables (a reference to a masked key column is masked too). What was
masked is printed and listed in the manifest; nothing else of the team's data is changed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

FACT_ROWS = 80  # enough for the generator's 48 sample, 5 increment and bad rows
DIMENSION_ROWS = 48  # the first file's members, their bad rows and the increment's new keys
SCAN_ROWS = 2_000  # rows read per table to find that many clean ones

PERSONAL = re.compile(
    r"e_?mail|phone|mobile|fax|surname|first_?name|last_?name|full_?name|given_?name|"
    r"family_?name|contact_?name|address|street|birth|dob|ssn|social_security|passport|"
    r"iban|tax_?id|national_?id|ip_?addr",
    re.I,
)
PERSON_TABLE = re.compile(
    r"customer|user|person|people|employee|contact|member|patient|client|student|driver", re.I
)
TRUE, FALSE = {"t", "true", "y", "yes", "1"}, {"f", "false", "n", "no", "0"}
INTEGER = re.compile(r"[+-]?\d+")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class SourceRows:
    """Typed rows per table (spec column names), the masked columns, and what was left out."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    masked: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def looks_personal(table: str, column: str, landed: str) -> bool:
    """A column whose values may identify a person: masked in the committed sample."""
    if any(PERSONAL.search(name) for name in (column, landed)):
        return True
    return bool(PERSON_TABLE.search(table)) and re.search(r"(^|_)name$", column) is not None


def masked_columns(tables: tuple[Any, ...]) -> dict[str, set[str]]:
    """Personal-looking columns, and the columns on the other side of a reference to or from
    one (so masked keys still join)."""
    masked = {
        spec.name: {c for c in spec.columns if looks_personal(spec.name, c, spec.source_name(c))}
        for spec in tables
    }
    by_name = {spec.name: spec for spec in tables}
    changed = True
    while changed:
        changed = False
        for spec in tables:
            for column, target in spec.references.items():
                if target not in by_name or not by_name[target].keys:
                    continue
                key = by_name[target].keys[0]
                if (column in masked[spec.name]) != (key in masked[target]):
                    masked[spec.name].add(column)
                    masked[target].add(key)
                    changed = True
    return masked


def pseudonym(value: Any) -> Any:
    """The same value always gives the same pseudonym, of the same type; NULL stays NULL."""
    if value is None:
        return None
    digest = hashlib.sha256(repr(value).encode()).hexdigest()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(digest[:12], 16) % (10 ** max(len(str(abs(value))), 1))
    if isinstance(value, datetime):
        return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if isinstance(value, date):
        return value.replace(month=1, day=1)
    if isinstance(value, Decimal):
        return value  # amounts are not personal; a masked decimal column keeps its values
    text = str(value)
    if "@" in text:
        return f"person-{digest[:10]}@example.invalid"
    if re.fullmatch(r"[\d\s()+./-]{6,}", text):
        digits = iter(str(int(digest, 16)))
        return "".join(next(digits) if ch.isdigit() else ch for ch in text)
    return f"masked-{digest[:10]}"


def parse(text: Any, kind: str, scale: int | None) -> tuple[bool, Any]:
    """(parses, value) for one landed value as the pipeline's silver would type it; `scale`
    rounds a decimal column half up, as Spark's cast does (None for double and float: every
    digit kept)."""
    if text is None:
        return True, None
    text = str(text)
    if kind == "string":
        return True, text
    text = text.strip()
    if text == "":
        return True, None
    try:
        if kind == "integer":
            return (True, int(text)) if INTEGER.fullmatch(text) else (False, None)
        if kind == "decimal":
            number = Decimal(text)
            if not number.is_finite():
                return False, None
            return True, number if scale is None else number.quantize(
                Decimal(1).scaleb(-scale), ROUND_HALF_UP
            )
        if kind == "date":
            return (True, date.fromisoformat(text[:10])) if DAY.fullmatch(text) else (False, None)
        if kind == "timestamp":
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            return True, moment
        if kind == "boolean":
            lowered = text.lower()  # the strings Spark's cast to boolean accepts
            return lowered in TRUE | FALSE, lowered in TRUE
    except (ValueError, InvalidOperation, ArithmeticError):
        return False, None
    return True, None  # arrays, maps, structs: the sample leaves them NULL


def _typed_rows(
    spec: Any, records: list[dict[str, Any]], kinds: dict[str, str], scales: dict[str, int | None]
) -> tuple[list[dict[str, Any]], int]:
    """Records (landed names -> text) as typed rows in spec names; and how many did not parse."""
    typed, skipped = [], 0
    markers = set(spec.null_values)
    for record in records:
        row, clean = {}, True
        for column in spec.columns:
            text = record.get(spec.source_name(column))
            if text is not None and str(text) in markers:
                text = None
            ok, value = parse(text, kinds[column], scales[column])
            clean = clean and ok
            row[column] = value
        if clean and all(row[k] is not None for k in spec.keys):
            typed.append(row)
        else:
            skipped += 1
    return typed, skipped


def _one_per_key(spec: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple] = set()
    kept = []
    for row in rows:
        key = tuple(row[k] for k in spec.keys)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _scales(spec: Any) -> dict[str, int | None]:
    from bake.sample_data import scale_of

    return {
        c: scale_of(t) if re.match(r"\s*(decimal|numeric)", t, re.I) else None
        for c, t in spec.columns.items()
    }


def _read_table(con: Any, spec: Any, files: Any, wanted: list[Any]) -> tuple[list[dict], int]:
    """Clean typed rows of one table, one per key: the `wanted` keys first, in that order, then
    the first rows of its files; and how many rows read did not parse."""
    from bake.infer.read import ident, layout, literal, relation
    from bake.sample_data import kind_of

    shape = layout(con, files)
    as_text = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" for c in shape.columns)
    source = f"(SELECT {as_text} FROM {relation(files, shape)})"
    records: list[tuple] = []
    if wanted and spec.keys:
        values = ", ".join(literal(str(v)) for v in dict.fromkeys(wanted))
        where = f"{ident(spec.source_name(spec.keys[0]))} IN ({values})"
        records = con.execute(f"SELECT * FROM {source} WHERE {where}").fetchall()
    cursor = con.execute(f"SELECT * FROM {source} LIMIT {SCAN_ROWS}")
    records += cursor.fetchall()
    names = [d[0] for d in cursor.description]
    kinds = {c: kind_of(t) for c, t in spec.columns.items()}
    landed = [dict(zip(names, record, strict=True)) for record in records]
    typed, skipped = _typed_rows(spec, landed, kinds, _scales(spec))
    if spec.keys:
        typed = _one_per_key(spec, typed)
        order = {value: i for i, value in enumerate(dict.fromkeys(wanted))}
        typed.sort(key=lambda row: order.get(row[spec.keys[0]], len(order)))
    return typed, skipped


def _within_members(
    spec: Any, rows: list[dict[str, Any]], members: dict[str, set[Any]]
) -> list[dict[str, Any]]:
    """The first FACT_ROWS rows whose references fit in MEMBERS - 2 members per dimension
    (shared by every fact): the sample's dimensions then hold every member the sampled facts
    reference, and two more that the generator may delete or change without touching them."""
    from bake.sample_data import MEMBERS

    kept: list[dict[str, Any]] = []
    for row in rows:
        if len(kept) == FACT_ROWS:
            break
        new: dict[str, set[Any]] = {}
        for column, target in spec.references.items():
            if row[column] is not None and row[column] not in members.setdefault(target, set()):
                new.setdefault(target, set()).add(row[column])
        if all(len(members[t]) + len(values) <= MEMBERS - 2 for t, values in new.items()):
            for target, values in new.items():
                members[target] |= values
            kept.append(row)
    return kept


def _mask(result: SourceRows, tables: tuple[Any, ...]) -> None:
    masked = masked_columns(tables)
    for spec in tables:
        columns = sorted(masked[spec.name] & set(spec.columns))
        if not columns or not result.rows.get(spec.name):
            continue
        result.masked[spec.name] = columns
        for row in result.rows[spec.name]:
            row.update({c: pseudonym(row[c]) for c in columns})


def read_source(folder: Path, tables: tuple[Any, ...]) -> SourceRows:
    """The sample rows of every table of `tables` found in `folder` (see the module doc)."""
    import duckdb  # the bake asked for it before anything was written (bake.source_sample)

    from bake.infer.discover import discover
    from bake.sample_data import referenced_first

    found = {table.name: table for table in discover(Path(folder).expanduser())}
    result = SourceRows()
    members: dict[str, set[Any]] = {}  # dimension -> keys the sampled facts reference
    facts = [spec for spec in tables if spec.role == "fact"]
    dimensions = list(reversed(referenced_first([s for s in tables if s.role == "dimension"])))
    with duckdb.connect() as con:
        con.execute("SET threads = 1")  # rows in file order: the same sample on every bake
        for spec in facts + dimensions:  # each table after every table that references it
            files = found.get(spec.name)
            if files is None:
                result.notes.append(f"{spec.name}: no files in {folder}: invented sample rows")
                continue
            wanted = [
                row[column]
                for other in tables
                for column, target in other.references.items()
                if target == spec.name
                for row in result.rows.get(other.name, [])
                if row.get(column) is not None
            ]
            typed, skipped = _read_table(con, spec, files, wanted)
            if spec.role == "fact":
                typed = _within_members(spec, typed, members)
            limit = FACT_ROWS if spec.role == "fact" else DIMENSION_ROWS
            result.rows[spec.name] = typed[:limit]
            if not typed:
                result.notes.append(f"{spec.name}: no clean row in {files.path}: invented rows")
            elif skipped:
                result.notes.append(f"{spec.name}: {skipped} rows read did not parse: not sampled")
    _drop_orphans(result, tables)
    _mask(result, tables)
    return result


def _drop_orphans(result: SourceRows, tables: tuple[Any, ...]) -> None:
    """Leave out the sampled rows that reference a member the sampled dimension lacks (an orphan
    code in the team's files): the generator would have to swap it for another member, and the
    sample would no longer be the team's row. Its own unknown-member row covers the case."""
    by_name = {spec.name: spec for spec in tables}
    for spec in tables:
        rows = result.rows.get(spec.name)
        if not rows:
            continue
        known = {
            target: {row[by_name[target].keys[0]] for row in result.rows[target]}
            for target in set(spec.references.values())
            if result.rows.get(target) and len(by_name[target].keys) == 1
        }
        result.rows[spec.name] = [
            row
            for row in rows
            if all(
                row[column] is None or row[column] in known[target]
                for column, target in spec.references.items()
                if target in known
            )
        ]
