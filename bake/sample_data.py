"""Write a baked project's deterministic sample landing files, at bake time (post-gen hook).

    python -m bake.sample_data PROJECT_DIR [--seed 7]    # again, while developing the template

Each table gets `sample_data/<table>/part-0001.<ext>` and `part-0002.<ext>`, which `make run-local`
reads, and `tests/e2e/increment/<table>/part-0003.<ext>`, the next file the end-to-end test lands
(new keys, a later update, new facts). The format is the one the local engine
reads (json lines for json and kafka, csv with a header, parquet for parquet and delta). The data is
realistic enough to exercise every rule of the pipeline, on purpose:

- rows that a `drop` rule removes (NULL key, a value that does not cast, an out-of-range or
  NULL value), which land in `silver_<table>_quarantine`;
- rows that break a `warn` rule (kept, counted);
- exact duplicates; for dimensions, several updates per key, an out-of-order event (a later
  file with an older sequence value) and a delete; for facts, a corrected row in the later
  file and a row whose dimension key does not exist (it gets the unknown member, `<dim>_sk = -1`).

No row breaks a `fail` rule: one such row stops the whole update, which is what `fail` is for.
Each folder's `_manifest.json` lists every deliberate row (file, 1-based row number, kind, the
rules it breaks, why), so tests can compute the expected gold tables from the files without Spark.

Rules are read from the table spec. The generator understands simple rules (`col IS [NOT] NULL`,
comparisons with a literal, `BETWEEN`, `IN`, joined with `AND`); it lists other rules under
`unchecked_rules` in the manifest, because it cannot tell whether its rows satisfy them.
The output depends only on the spec and the seed: a spec change (`make apply-spec`) rewrites the
files through the same cruft update as the code, so the team never runs or owns this generator.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

SAMPLE_DIR = "sample_data"  # what `make run-local` reads
INCREMENT_DIR = "tests/e2e/increment"  # the next file per table, landed by the e2e test
EXTENSIONS = {
    "json": "json",
    "kafka": "json",
    "csv": "csv",
    "parquet": "parquet",
    "delta": "parquet",
}
# A value the pipeline's try_cast turns into NULL, per kind of column (json and csv only: parquet
# files are typed, so they cannot carry one).
# Text that does not cast, in order of preference: a table may use the first as a null marker.
UNCASTABLE = {"number": ("n/a", "twelve"), "temporal": ("not-a-date", "someday")}

MEMBERS = 32  # at most, per dimension, when the sample is drawn from the team's files
DIMENSION_START = datetime(2024, 1, 1, 8, 0)  # first version of every dimension row
UPDATE_START = datetime(2024, 2, 1, 9, 30)  # later versions
FACT_START = date(2024, 1, 15)  # facts happen after every dimension row exists
FACT_DAYS = 75
FACT_SEQUENCE_START = datetime(2024, 4, 1)  # fact events (sequence_by) start after the facts' days

FIRST_NAMES = ["Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
LAST_NAMES = ["Silva", "Meyer", "Okafor", "Novak", "Garcia", "Larsen", "Rossi", "Tanaka", "Dubois"]
PRODUCT_WORDS = ["Trail", "Urban", "Classic", "Eco", "Pro", "Mini", "Smart", "Nordic"]
PRODUCT_NOUNS = ["Backpack", "Bottle", "Lamp", "Kettle", "Jacket", "Speaker", "Notebook", "Chair"]
CATEGORIES = ["outdoor", "home", "electronics", "apparel", "office"]
COUNTRIES = ["DE", "FR", "NL", "PT", "US", "JP"]
CITIES = ["Berlin", "Lyon", "Utrecht", "Porto", "Austin", "Osaka"]


# --- column types ---------------------------------------------------------------------------------


def kind_of(spark_type: str) -> str:
    """Map a Spark SQL type string to the kind of Python value this generator makes for it."""
    t = spark_type.strip().lower()
    if t in ("bigint", "long", "int", "integer", "smallint", "short", "tinyint", "byte"):
        return "integer"
    if t.startswith("decimal") or t.startswith("numeric") or t in ("double", "float", "real"):
        return "decimal"
    if t == "date":
        return "date"
    if t.startswith("timestamp"):
        return "timestamp"
    if t in ("boolean", "bool"):
        return "boolean"
    if t == "string" or t.startswith("varchar") or t.startswith("char"):
        return "string"
    return "other"  # arrays, maps, structs: always NULL in sample data


def scale_of(spark_type: str) -> int:
    match = re.search(r"\(\s*\d+\s*,\s*(\d+)\s*\)", spark_type)
    if match:
        return int(match.group(1))
    return 2 if kind_of(spark_type) == "decimal" else 0


class Uncastable(str):
    """A raw value that the pipeline's try_cast turns into NULL (`castable_<column>` fails)."""


# --- rules ---------------------------------------------------------------------------------------

IDENT = r"`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_]*"
LITERAL = r"'(?:[^']|'')*'|-?\d+(?:\.\d+)?|TRUE|FALSE"
ATOM_PATTERNS = [
    ("not_null", re.compile(rf"^({IDENT})\s+IS\s+NOT\s+NULL$", re.I)),
    ("is_null", re.compile(rf"^({IDENT})\s+IS\s+NULL$", re.I)),
    ("between", re.compile(rf"^({IDENT})\s+BETWEEN\s+({LITERAL})\s+AND\s+({LITERAL})$", re.I)),
    ("in", re.compile(rf"^({IDENT})\s+IN\s*\((.+)\)$", re.I)),
    ("compare", re.compile(rf"^({IDENT})\s*(>=|<=|<>|!=|=|>|<)\s*({LITERAL})$", re.I)),
]


@dataclass(frozen=True)
class Atom:
    """One checkable condition on one column (`op`: not_null, is_null, between, in, >, ...)."""

    column: str
    op: str
    values: tuple[Any, ...] = ()


def _ident(text: str) -> str:
    return text[1:-1].replace("``", "`") if text.startswith("`") else text


def _literal(text: str) -> Any:
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    return Decimal(text)


def _split_and(expr: str) -> list[str]:
    """Split on top-level AND, keeping `x BETWEEN a AND b` together."""
    parts: list[str] = []
    for piece in re.split(r"\s+AND\s+", expr.strip(), flags=re.I):
        if parts and re.search(r"\sBETWEEN\s+\S+$", parts[-1], re.I):
            parts[-1] = f"{parts[-1]} AND {piece}"
        else:
            parts.append(piece)
    return parts


def parse_rule(expr: str) -> list[Atom] | None:
    """The atoms of `expr` if this generator understands every one of them, else None."""
    atoms = []
    for part in _split_and(expr):
        part = part.strip()
        while part.startswith("(") and part.endswith(")"):
            part = part[1:-1].strip()
        for op, pattern in ATOM_PATTERNS:
            match = pattern.match(part)
            if match:
                atoms.append(_atom(op, match))
                break
        else:
            return None
    return atoms


def _atom(op: str, match: re.Match[str]) -> Atom:
    column = _ident(match.group(1))
    if op == "compare":
        operator = "<>" if match.group(2) == "!=" else match.group(2)
        return Atom(column, operator, (_literal(match.group(3)),))
    if op == "between":
        return Atom(column, op, (_literal(match.group(2)), _literal(match.group(3))))
    if op == "in":
        return Atom(
            column, op, tuple(_literal(item) for item in re.findall(LITERAL, match.group(2)))
        )
    return Atom(column, op)


def _comparable(value: Any, literal: Any) -> tuple[Any, Any]:
    """Bring a typed value and a rule literal to one Python type, as Spark would compare them."""
    if isinstance(value, bool) or isinstance(literal, bool):
        return value, literal
    if isinstance(value, (int, Decimal, float)):
        return Decimal(str(value)), Decimal(str(literal))
    if isinstance(value, datetime):
        return value, datetime.fromisoformat(str(literal))
    if isinstance(value, date):
        return value, date.fromisoformat(str(literal))
    return str(value), str(literal)


def check_atom(atom: Atom, value: Any) -> bool | None:
    """SQL three-valued logic: None means the result is NULL (which counts as a failure)."""
    if atom.op == "not_null":
        return value is not None
    if atom.op == "is_null":
        return value is None
    if value is None:
        return None
    if atom.op == "between":
        low, high = (_comparable(value, literal)[1] for literal in atom.values)
        value = _comparable(value, atom.values[0])[0]
        return low <= value <= high
    if atom.op == "in":
        return any(_comparable(value, lit)[0] == _comparable(value, lit)[1] for lit in atom.values)
    left, right = _comparable(value, atom.values[0])
    return {
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
        "=": left == right,
        "<>": left != right,
    }[atom.op]


# --- one table's rows -----------------------------------------------------------------------------


@dataclass
class Row:
    """One landing row: typed values (or `Uncastable` strings) plus why it is in the sample."""

    values: dict[str, Any]
    kind: str = "good"
    why: str = ""
    raw_line: str | None = None  # a malformed record, written as this text instead of `values`


@dataclass
class TablePlan:
    """Everything the generator knows about one table while it writes rows for it."""

    spec: Any
    index: int
    rng: random.Random
    atoms: dict[str, list[Atom]] = field(default_factory=dict)  # rule name -> atoms
    unchecked: list[str] = field(default_factory=list)
    next_key: int = 1
    # column -> keys of the dimension it references (a dimension's snowflake references)
    reference_pool: dict[str, list[Any]] = field(default_factory=dict)
    used_keys: set[tuple[Any, ...]] = field(default_factory=set)  # facts: keys written so far
    # Rows from the team's own files (bake.sample_source): keys and values are drawn from them.
    source: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.source_by_key = {tuple(row[k] for k in self.spec.keys): row for row in self.source}
        for rule in self.spec.rules:
            atoms = parse_rule(rule.expr)
            if atoms is None:
                self.unchecked.append(rule.name)
            else:
                self.atoms[rule.name] = atoms

    @property
    def kinds(self) -> dict[str, str]:
        return {column: kind_of(spark_type) for column, spark_type in self.spec.columns.items()}

    def fail_columns(self) -> set[str]:
        """Columns that a `fail` rule reads: never made NULL, bad or out of range."""
        columns = set()
        for rule in self.spec.rules_with("fail"):
            columns.update(atom.column for atom in self.atoms.get(rule.name, []))
        return columns

    def typed(self, row: dict[str, Any]) -> dict[str, Any]:
        """The values the pipeline sees after try_cast: uncastable values become NULL."""
        return {c: None if isinstance(v, Uncastable) else v for c, v in row.items()}

    def failed_rules(self, record: Row, action: str) -> list[str]:
        """Rules with `action` that this row breaks; for `drop` the implicit rules first, as
        the pipeline's `quality.implicit_rule_names` lists them."""
        row, spec, failed = record.values, self.spec, []
        if action == "drop":
            failed += ["malformed_record"] if record.raw_line is not None else []
            failed += [f"castable_{c}" for c in spec.columns if isinstance(row.get(c), Uncastable)]
            failed += [f"not_null_{c}" for c in spec.not_null_columns if row.get(c) is None]
            if spec.date_range:
                failed += [f"in_date_range_{c}" for c in spec.date_columns if self.outside(row, c)]
        typed = self.typed(row)
        for rule in self.spec.rules_with(action):
            atoms = self.atoms.get(rule.name)
            if atoms is not None and not all(check_atom(a, typed.get(a.column)) for a in atoms):
                failed.append(rule.name)
        return failed

    def outside(self, row: dict[str, Any], column: str) -> bool:
        """Whether the row's date in `column` falls outside the table's `date_range`."""
        value = row.get(column)
        if value is None or isinstance(value, Uncastable):
            return False
        day = value.date() if isinstance(value, datetime) else value
        first, last = (date.fromisoformat(bound) for bound in self.spec.date_range)
        return not first <= day <= last

    @property
    def first_day(self) -> date:
        """The first day of the facts' dates: FACT_START, moved into `date_range` if needed."""
        if not self.spec.date_range:
            return FACT_START
        first, last = (date.fromisoformat(bound) for bound in self.spec.date_range)
        if first <= FACT_START and FACT_START + timedelta(days=FACT_DAYS) <= last:
            return FACT_START
        return first + timedelta(days=min(365, max(0, (last - first).days - FACT_DAYS)))

    # values --------------------------------------------------------------------------------------

    def key_value(self, column: str, number: int) -> Any:
        if self.source:
            if number <= len(self.source):
                return self.source[number - 1][column]
            taken = {row[column] for row in self.source}
            while (value := self._made_key_value(column, number)) in taken:
                number += 1000  # an invented key must not be one of the team's sampled keys
            return value
        return self._made_key_value(column, number)

    def _made_key_value(self, column: str, number: int) -> Any:
        kind = self.kinds[column]
        if kind == "integer":
            return (self.index + 1) * 1000 + number
        if kind == "date":
            return date(2023, 1, 1) + timedelta(days=number)
        if kind == "timestamp":
            return datetime(2023, 1, 1) + timedelta(hours=number)
        if kind == "decimal":
            return Decimal(number).quantize(Decimal(1).scaleb(-scale_of(self.spec.columns[column])))
        return f"{self.spec.name[:3].upper()}-{number:04d}"

    def new_key(self) -> dict[str, Any]:
        number = self.next_key
        self.next_key += 1
        return {column: self.key_value(column, number) for column in self.spec.keys}

    @property
    def members(self) -> int:
        """Dimension members in the first file: more when drawn from the team's rows, so that
        the sampled facts' references find theirs (bake.sample_source.MEMBERS)."""
        return max(12, min(MEMBERS, len(self.source) - 2))

    def source_row(self, number: int) -> dict[str, Any]:
        """The `number`-th (1-based, cycling) row of the team's sample, ready for the generator:
        an operation column never deletes by accident, a fail-rule column stays in bounds."""
        row = dict(self.source[(number - 1) % len(self.source)])
        column, deleting = self.delete_column(), self.delete_value()
        if column and row.get(column) == deleting:
            upserts = [r[column] for r in self.source if r[column] not in (deleting, None)]
            row[column] = upserts[0] if upserts else "UPSERT"
        for bounded in self.fail_columns():
            row[bounded] = self.within_rules(bounded, row.get(bounded))
        return row

    def value(self, column: str, number: int) -> Any:
        """A realistic value for a non-key column, inside the bounds of every rule on it."""
        if self.source:
            return self.source_row(number)[column]
        kind, rng, lower = self.kinds[column], self.rng, column.lower()
        singular = self.spec.name.rstrip("s")
        if kind == "string":
            if "email" in lower:
                value = f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}@example.com".lower()
            elif "name" in lower and any(
                w in singular for w in ("customer", "user", "person", "cust")
            ):
                value = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            elif "name" in lower and "product" in singular:
                value = f"{rng.choice(PRODUCT_WORDS)} {rng.choice(PRODUCT_NOUNS)}"
            elif "name" in lower:
                value = f"{singular.replace('_', ' ').title()} {number}"
            elif any(w in lower for w in ("category", "segment", "type", "group")):
                value = rng.choice(CATEGORIES)
            elif "country" in lower:
                value = rng.choice(COUNTRIES)
            elif "city" in lower:
                value = rng.choice(CITIES)
            elif "status" in lower:
                value = rng.choice(["open", "shipped", "delivered"])
            elif column == self.delete_column():
                value = "UPSERT"
            else:
                value = f"{lower}-{number}"
        elif kind == "integer":
            value = (
                rng.randint(1, 10) if "qty" in lower or "quantity" in lower else rng.randint(1, 100)
            )
        elif kind == "decimal":
            scale = scale_of(self.spec.columns[column])
            value = Decimal(rng.randint(500, 50000)).scaleb(-2).quantize(Decimal(1).scaleb(-scale))
        elif kind == "date":
            value = self.first_day + timedelta(days=rng.randrange(FACT_DAYS))
        elif kind == "timestamp":
            value = datetime.combine(self.first_day, datetime.min.time()) + timedelta(
                minutes=rng.randrange(FACT_DAYS * 24 * 60)
            )
        elif kind == "boolean":
            value = rng.random() < 0.5
        else:
            value = None
        return self.within_rules(column, value)

    def within_rules(self, column: str, value: Any) -> Any:
        """Move `value` into the range that the understood rules on `column` allow."""
        for atoms in self.atoms.values():
            for atom in atoms:
                if atom.column != column or check_atom(atom, value) or value is None:
                    continue
                value = self._satisfying(atom, value)
        return value

    def _satisfying(self, atom: Atom, value: Any) -> Any:
        literal = atom.values[0] if atom.values else None
        if atom.op in ("in", "="):
            return self._as_kind(atom.column, self.rng.choice(atom.values))
        if atom.op == "between":
            return self._as_kind(atom.column, atom.values[0])
        if atom.op == "is_null":
            return None
        step = {">": 1, ">=": 0, "<": -1, "<=": 0}.get(atom.op, 1)
        bound = _comparable(value, literal)[1]
        if isinstance(bound, str):  # the literal keeps >= and <=; one more character > and <>
            return bound + "~" if step > 0 else "" if step < 0 else bound
        if isinstance(bound, datetime):
            return bound + timedelta(seconds=step)
        if isinstance(bound, date):
            return bound + timedelta(days=step)
        return self._as_kind(atom.column, bound + step)

    def _as_kind(self, column: str, literal: Any) -> Any:
        kind = self.kinds[column]
        if kind == "integer":
            return int(literal)
        if kind == "decimal":
            scale = scale_of(self.spec.columns[column])
            return Decimal(str(literal)).quantize(Decimal(1).scaleb(-scale))
        if kind == "date":
            return date.fromisoformat(str(literal))
        if kind == "timestamp":
            return datetime.fromisoformat(str(literal))
        return literal

    def violating(self, atom: Atom, value: Any) -> Any:
        """A value that makes `atom` false or NULL."""
        if atom.op == "not_null":
            return None
        if atom.op == "is_null":
            return value
        if atom.op == "in" or self.kinds[atom.column] not in ("integer", "decimal"):
            return None
        literal = atom.values[-1]
        step = {">": 0, ">=": -1, "<": 0, "<=": 1, "=": 1, "<>": 0, "between": 1}[atom.op]
        return self._as_kind(atom.column, Decimal(str(literal)) + step)

    def delete_column(self) -> str | None:
        marker = delete_marker(self.spec.delete_when)
        return marker[0] if marker else None

    def delete_value(self) -> str | None:
        marker = delete_marker(self.spec.delete_when)
        return marker[1] if marker else None


def delete_marker(delete_when: str | None) -> tuple[str, str] | None:
    """(column, value) of a `column = 'value'` delete condition; None for anything else."""
    match = re.match(rf"^\s*({IDENT})\s*=\s*'((?:[^']|'')*)'\s*$", delete_when or "")
    return (_ident(match.group(1)), match.group(2).replace("''", "'")) if match else None


# --- datasets ------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """The rows of one table per landing file number, and what facts need to know about them."""

    plan: TablePlan
    files: dict[int, list[Row]] = field(default_factory=dict)
    usable_keys: list[dict[str, Any]] = field(default_factory=list)  # keys facts may reference
    event_days: dict[Any, set[date]] = field(default_factory=dict)  # key -> days with a CDC event
    skipped: list[str] = field(default_factory=list)
    snapshot_members: dict[int, dict[str, Any]] = field(default_factory=dict)  # in the last one

    def add(self, file_number: int, row: Row) -> None:
        self.files.setdefault(file_number, []).append(row)

    def insert(self, file_number: int, row: Row) -> None:
        """Add a row at a random place in the file, so bad rows sit between good ones."""
        rows = self.files.setdefault(file_number, [])
        rows.insert(self.plan.rng.randrange(len(rows) + 1), row)


def sequence_value(plan: TablePlan, moment: datetime) -> Any:
    kind = plan.kinds[plan.spec.sequence_by]
    if kind == "date":
        return moment.date()
    if kind == "integer":
        return int((moment - datetime(2024, 1, 1)).total_seconds() // 60)
    return moment


def full_row(plan: TablePlan, key: dict[str, Any], number: int) -> dict[str, Any]:
    if plan.source:
        return full_source_row(plan, key, number)
    row = {column: plan.value(column, number) for column in plan.spec.columns}
    row.update({column: plan.rng.choice(pool) for column, pool in plan.reference_pool.items()})
    row.update(key)
    return row


def full_source_row(plan: TablePlan, key: dict[str, Any], number: int) -> dict[str, Any]:
    """The team's row of this key (or the `number`-th one, for an invented key), its
    references kept where the referenced member is in the sample."""
    found = plan.source_by_key.get(tuple(key.values())) if key else None
    index = plan.source.index(found) + 1 if found is not None else number
    row = plan.source_row(index)
    for column, pool in plan.reference_pool.items():
        if row.get(column) not in pool:
            row[column] = plan.rng.choice(pool)
    row.update(key)
    return row


def changeable_column(plan: TablePlan) -> str | None:
    """The attribute that a dimension update changes (a new SCD2 version needs a real change)."""
    spec = plan.spec
    fixed = {*spec.keys, spec.sequence_by, spec.snapshot_by, plan.delete_column()}
    fixed |= plan.fail_columns() | set(spec.references)
    candidates = [c for c in spec.columns if c not in fixed and plan.kinds[c] != "other"]
    preferred = [c for c in candidates if "name" in c.lower() or "category" in c.lower()]
    return (preferred or candidates or [None])[0]


def changed(
    plan: TablePlan, row: dict[str, Any], column: str | None, number: int
) -> dict[str, Any]:
    new = dict(row)
    if column is not None:
        for attempt in range(20):
            new[column] = plan.value(column, number * 31 + attempt)
            if new[column] != row[column]:
                break
    return new


def build_dimension(plan: TablePlan, file_format: str) -> Dataset:
    spec, data = plan.spec, Dataset(plan)
    if spec.snapshot_by:
        return build_snapshot_dimension(plan, file_format)
    sequenced = spec.sequence_by is not None and plan.kinds[spec.sequence_by] != "other"
    current: dict[int, dict[str, Any]] = {}
    for i in range(plan.members):
        key = plan.new_key()
        row = full_row(plan, key, i + 1)
        if sequenced:
            row[spec.sequence_by] = sequence_value(plan, DIMENSION_START + timedelta(hours=7 * i))
        current[i] = row
        data.add(1, Row(row))
    deleted = set()
    if sequenced:
        column = changeable_column(plan)
        stamp = {i: DIMENSION_START for i in current}

        def update(i: int, file_number: int, moment: datetime, kind: str, why: str) -> Row:
            row = changed(plan, current[i], column, int(moment.timestamp()) // 60)
            row[spec.sequence_by] = sequence_value(plan, moment)
            if kind != "out_of_order":
                current[i] = row
            stamp[i] = max(stamp[i], moment)
            new = Row(row, kind, why)
            data.add(file_number, new)
            return new

        update(0, 1, UPDATE_START, "update", "second version of this key")
        update(0, 1, UPDATE_START + timedelta(days=19), "update", "third version of this key")
        update(1, 1, UPDATE_START + timedelta(days=4), "update", "second version of this key")
        update(
            0,
            2,
            UPDATE_START + timedelta(days=9, hours=3),
            "out_of_order",
            "arrives after a newer event for the same key: older sequence value",
        )
        duplicated = update(1, 2, UPDATE_START + timedelta(days=24), "update", "third version")
        data.add(2, Row(dict(duplicated.values), "duplicate", "exact copy of the previous row"))
        update(2, 2, UPDATE_START + timedelta(days=14), "update", "second version of this key")
        if plan.delete_column() is not None:
            gone = len(current) - 1
            row = dict(current[gone])
            row[spec.sequence_by] = sequence_value(plan, datetime(2024, 3, 2, 12, 0))
            row[plan.delete_column()] = plan.delete_value()
            data.add(2, Row(row, "delete", f"delete event: {spec.delete_when}"))
            deleted.add(gone)
        for rows in data.files.values():
            for row in rows:
                value = row.values[spec.sequence_by]
                day = value.date() if isinstance(value, datetime) else value
                if isinstance(day, date):
                    data.event_days.setdefault(key_of(spec, row.values), set()).add(day)
    else:
        data.add(2, Row(dict(current[1]), "duplicate", "exact copy of a row in part-0001"))
    for i in range(plan.members, plan.members + 2):  # keys first seen in the second file
        row = full_row(plan, plan.new_key(), i + 1)
        if sequenced:
            row[spec.sequence_by] = sequence_value(
                plan, DIMENSION_START + timedelta(days=2, hours=i)
            )
        current[i] = row
        data.add(2, Row(row))
    data.usable_keys = [
        {k: current[i][k] for k in spec.keys} for i in sorted(current) if i not in deleted
    ]
    add_bad_rows(plan, data, file_format, lambda n, _file: full_row(plan, plan.new_key(), n))
    return data


def snapshot_value(plan: TablePlan, number: int) -> Any:
    """The version of the `number`-th snapshot (1-based, one a fortnight) in the type of
    `snapshot_by`."""
    moment = datetime(2024, 1, 1) + timedelta(days=14 * (number - 1))
    kind = plan.kinds[plan.spec.snapshot_by]
    if kind == "date":
        return moment.date()
    if kind == "timestamp":
        return moment
    return number


def build_snapshot_dimension(plan: TablePlan, file_format: str) -> Dataset:
    """One full snapshot per file: the second drops a member, changes one and adds two."""
    spec, data = plan.spec, Dataset(plan)
    first = plan.members
    members = {i: full_row(plan, plan.new_key(), i + 1) for i in range(first)}
    for values in members.values():
        data.add(1, Row({**values, spec.snapshot_by: snapshot_value(plan, 1)}))
    del members[first - 1]
    column = changeable_column(plan)
    members[0] = changed(plan, members[0], column, 5151)
    for i in (first, first + 1):
        members[i] = full_row(plan, plan.new_key(), i + 1)
    why = {0: "changed since the first snapshot", first: "new member", first + 1: "new member"}
    # A member whose row in the second snapshot is quarantined keeps its first-snapshot row: one
    # bad value must not close it (cdc.keep_quarantined_members).
    typing = _uncastable(plan, _key_like(plan)) if file_format != "parquet" else []
    spoil = next(iter(typing + _drop_breakers(plan)), None)
    for i, values in members.items():
        row = Row({**values, spec.snapshot_by: snapshot_value(plan, 2)})
        if why.get(i):
            row.kind, row.why = "snapshot_change", why[i]
        if i == 1 and spoil is not None:
            row = spoil(dict(row.values))
            row.why += "; the member keeps its row of the first snapshot, it is not closed"
        data.add(2, row)
    if spoil is None:
        data.skipped.append(
            "quarantined snapshot member: no rule or type can spoil a non-key value"
        )
    data.snapshot_members = members
    data.usable_keys = [{k: members[i][k] for k in spec.keys} for i in sorted(members)]

    def good_row(n: int, file_number: int) -> dict[str, Any]:
        return {
            **full_row(plan, plan.new_key(), n),
            spec.snapshot_by: snapshot_value(plan, file_number),
        }

    # Rows of new members only, whose key and version are known: a snapshot row whose key is
    # unknown stops the update (it cannot say which member it lacks; tests/unit cover that).
    add_bad_rows(plan, data, file_format, good_row, known_keys_only=True)
    return data


def _key_like(plan: TablePlan) -> set[str]:
    """Columns that place a row: its keys and its ordering column."""
    spec = plan.spec
    return {*spec.keys, *(c for c in (spec.sequence_by, spec.snapshot_by) if c)}


def _drop_breakers(plan: TablePlan) -> list[Callable[[dict[str, Any]], Row]]:
    """A change per understood drop rule on a column that does not place the row."""
    breakers = []
    for rule in plan.spec.rules_with("drop"):
        atoms = plan.atoms.get(rule.name, [])
        atom = next((a for a in atoms if a.column not in _key_like(plan)), None)
        if atom is not None:
            breakers.append(_breaking(plan, rule, atom))
    return breakers


def key_of(spec: Any, values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values[k] for k in spec.keys)


def build_fact(plan: TablePlan, dims: dict[str, Dataset], file_format: str) -> Dataset:
    spec, data = plan.spec, Dataset(plan)
    for number in range(1, 49):
        data.add(1 if number <= 38 else 2, Row(fact_row(plan, dims, number)))
    first, second = data.files[1], data.files[2]
    sequenced = spec.sequence_by is not None and plan.kinds[spec.sequence_by] != "other"
    if spec.keys:
        correction = corrected(plan, first[2].values, 977)
        if sequenced:
            correction[spec.sequence_by] = sequence_value(
                plan, FACT_SEQUENCE_START + timedelta(days=90)
            )
            why = f"same key as an earlier row, later {spec.sequence_by}: the correction wins"
        else:
            why = "same key as an earlier row: the file whose name sorts later wins"
        data.add(2, Row(correction, "correction", why))
        why = "exact copy of a row in the same file"
    else:
        why = "exact copy of a row in the same file: with no key, both are events and both count"
    data.add(2, Row(dict(second[0].values), "duplicate", why))
    if sequenced:
        stale = corrected(plan, first[5].values, 991)
        stale[spec.sequence_by] = sequence_value(plan, FACT_SEQUENCE_START - timedelta(days=1))
        why = f"arrives later with an older {spec.sequence_by}: the earlier event stands"
        data.add(2, Row(stale, "out_of_order", why))
        if plan.delete_column() is not None:
            gone = dict(first[7].values)
            gone[spec.sequence_by] = sequence_value(plan, FACT_SEQUENCE_START + timedelta(days=95))
            gone[plan.delete_column()] = plan.delete_value()
            data.add(2, Row(gone, "delete", f"delete event: {spec.delete_when}"))
    if spec.references:
        column, dimension = next(iter(spec.references.items()))
        row = fact_row(plan, dims, 49)
        dim_plan = dims[dimension].plan
        row[column] = dim_plan.key_value(dim_plan.spec.keys[0], 999)
        data.add(2, Row(row, "unknown_member", f"{column} matches no {dimension} row: inferred"))
    # Bad fact rows point at real members: each shows its rule, not also an unknown member.
    add_bad_rows(plan, data, file_format, lambda n, _file: fact_row(plan, dims, n))
    return data


def corrected(plan: TablePlan, values: dict[str, Any], number: int) -> dict[str, Any]:
    """A copy of a fact row with different measures (a correction of it)."""
    row = dict(values)
    for measure in plan.spec.measures:
        if measure not in plan.spec.keys and plan.kinds[measure] in ("integer", "decimal"):
            row[measure] = changed(plan, row, measure, number)[measure]
    return row


def fact_row(plan: TablePlan, dims: dict[str, Dataset], number: int) -> dict[str, Any]:
    spec = plan.spec
    row = full_row(plan, plan.new_key(), number)
    # A key made of references (partsupp: part and supplier) is drawn until it is new: a repeated
    # key is a correction, and the sample writes those on purpose only.
    for _ in range(100):
        busy: set[date] = set()
        for column, dimension in spec.references.items():
            if plan.source and row[column] is None and column not in spec.keys:
                continue  # the team's NULL reference stays NULL: gold gives it the -1 member
            usable = dims[dimension].usable_keys
            # The team's own reference, when its member is in the sample: the sample stays theirs.
            kept = [k for k in usable if plan.source and next(iter(k.values())) == row[column]]
            key = kept[0] if kept else plan.rng.choice(usable)
            row[column] = next(iter(key.values()))
            busy |= dims[dimension].event_days.get(tuple(key.values()), set())
        if not spec.keys or key_of(spec, row) not in plan.used_keys:
            break
    plan.used_keys.add(key_of(spec, row))
    if spec.date_column and plan.kinds[spec.date_column] in ("date", "timestamp"):
        # A fact on the day its dimension row changes would depend on the time of day: avoid it.
        for attempt in range(50):
            if plan.source:  # the row's own date first, then other rows' dates
                value = (
                    row[spec.date_column]
                    if attempt == 0
                    else plan.value(spec.date_column, number + 7 * attempt)
                )
                if value is None:
                    break
            else:
                value = plan.value(spec.date_column, number)
            if (value.date() if isinstance(value, datetime) else value) not in busy:
                break
        row[spec.date_column] = value
    if spec.sequence_by and plan.kinds[spec.sequence_by] != "other":
        row[spec.sequence_by] = sequence_value(plan, FACT_SEQUENCE_START + timedelta(hours=number))
    if plan.delete_column() is not None:
        row[plan.delete_column()] = "UPSERT"
    return row


def add_bad_rows(
    plan: TablePlan,
    data: Dataset,
    file_format: str,
    good_row: Callable[[int, int], dict[str, Any]],
    known_keys_only: bool = False,
) -> None:
    """One row per understood drop and warn rule, per implicit rule (a missing key or ordering
    value, a date outside `date_range`), per kind of uncastable value and a malformed line
    (json/csv). `good_row(number, file_number)` makes a clean row for that file.
    `known_keys_only`: leave out the rows whose key or ordering value would be unknown (a
    missing or uncastable one, a malformed line)."""
    spec, fail_columns = plan.spec, plan.fail_columns()
    file_numbers = sorted(data.files)

    def add(n: int, change: Callable[[dict[str, Any]], Row]) -> None:
        file_number = file_numbers[n % len(file_numbers)]
        data.insert(file_number, change(good_row(900 + n, file_number)))

    bad: list[Callable[[dict[str, Any]], Row]] = []
    for rule in [*spec.rules_with("drop"), *spec.rules_with("warn")]:
        atoms = plan.atoms.get(rule.name, [])
        atom = next((a for a in atoms if a.column not in fail_columns), None)
        if atom is None:
            data.skipped.append(f"{rule.name}: not understood or only on fail-rule columns")
            continue
        bad.append(_breaking(plan, rule, atom))
    if not known_keys_only:
        bad += [_without(column) for column in spec.not_null_columns]
    if (
        spec.date_column
        and spec.date_range
        and plan.kinds[spec.date_column] in ("date", "timestamp")
    ):
        bad.append(_far_future(plan))
    if file_format != "parquet":
        placing = _key_like(plan) if known_keys_only else set()
        bad += _uncastable(plan, fail_columns | placing)
        if not known_keys_only:
            bad.append(_malformed(plan, file_format))
    for n, change in enumerate(bad):
        add(n, change)


def _breaking(plan: TablePlan, rule: Any, atom: Atom) -> Callable[[dict[str, Any]], Row]:
    def change(row: dict[str, Any]) -> Row:
        row[atom.column] = plan.violating(atom, row.get(atom.column))
        return Row(row, rule.action, f"breaks {rule.action} rule {rule.name}: {rule.expr}")

    return change


def _without(column: str) -> Callable[[dict[str, Any]], Row]:
    def change(row: dict[str, Any]) -> Row:
        row[column] = None
        return Row(row, "missing", f"no {column}: a key or ordering value is required")

    return change


def _far_future(plan: TablePlan) -> Callable[[dict[str, Any]], Row]:
    column = plan.spec.date_column
    far = date(9999, 12, 31)

    def change(row: dict[str, Any]) -> Row:
        row[column] = far if plan.kinds[column] == "date" else datetime.combine(far, time())
        return Row(row, "out_of_range", f"{column} 9999-12-31 is outside {plan.spec.date_range}")

    return change


def _uncastable(plan: TablePlan, fail_columns: set[str]) -> list[Callable[[dict[str, Any]], Row]]:
    spec, kinds = plan.spec, plan.kinds
    usable = [c for c in spec.columns if c not in fail_columns]
    numbers = [c for c in usable if kinds[c] in ("integer", "decimal")]
    temporals = [c for c in usable if kinds[c] in ("date", "timestamp")]
    # Prefer a measure, then a plain attribute, over a reference or a key: the row then shows
    # the typing rule on its own.
    preference = (list(spec.measures), [c for c in numbers if c not in spec.keys], numbers)
    ranked = [c for group in preference for c in group if c in numbers]
    changes = []
    for columns, candidates in (
        (ranked[:1], UNCASTABLE["number"]),
        (temporals[:1], UNCASTABLE["temporal"]),
    ):
        raw = next((text for text in candidates if text not in spec.null_values), None)
        if raw is None:
            continue  # every candidate is a null marker of this table
        for column in columns:

            def change(row: dict[str, Any], column: str = column, raw: str = raw) -> Row:
                row[column] = Uncastable(raw)
                why = f"{column} = {raw!r} does not cast to {spec.columns[column]}"
                return Row(row, "uncastable", why)

            changes.append(change)
    return changes


def _malformed(plan: TablePlan, file_format: str) -> Callable[[dict[str, Any]], Row]:
    """A record the reader cannot parse: a json line cut short, a csv line with one field."""
    columns = list(plan.spec.columns)

    def change(row: dict[str, Any]) -> Row:
        first = columns[0]
        if file_format == "json":
            text = json.dumps({plan.spec.source_name(c): text_value(row.get(c)) for c in columns})
            line = text[: text.index(",") if "," in text else -1]  # no closing brace
            values: dict[str, Any] = dict.fromkeys(columns)
        else:
            line = str(text_value(row[first]))
            values = {**dict.fromkeys(columns), first: row[first]}
        return Row(values, "malformed", "a record the reader cannot parse", raw_line=line)

    return change


def build_increment(
    plan: TablePlan, data: Dataset, dims: dict[str, Dataset], file_number: int
) -> list[Row]:
    """Clean rows for the next landing file: new keys, one later dimension update, new facts;
    for a snapshot table the next full snapshot (one member changed, two new)."""
    spec = plan.spec
    if spec.role == "fact":
        return [Row(fact_row(plan, dims, 60 + n), "increment") for n in range(5)]
    if spec.snapshot_by:
        members = dict(data.snapshot_members)
        members[3] = changed(plan, members[3], changeable_column(plan), 4242)
        members.update({100 + n: full_row(plan, plan.new_key(), 70 + n) for n in range(2)})
        version = snapshot_value(plan, file_number)
        return [
            Row({**values, spec.snapshot_by: version}, "increment") for values in members.values()
        ]
    rows = []
    for n in range(2):
        row = full_row(plan, plan.new_key(), 70 + n)
        if spec.sequence_by in plan.kinds and plan.kinds[spec.sequence_by] != "other":
            moment = DIMENSION_START + timedelta(days=3, hours=n)
            row[spec.sequence_by] = sequence_value(plan, moment)
        rows.append(Row(row, "increment"))
    if spec.sequence_by in plan.kinds and plan.kinds[spec.sequence_by] != "other":
        # After every fact date, so it adds a version without changing any existing fact's lookup.
        key = data.usable_keys[3]
        latest = [
            r.values for rows_ in data.files.values() for r in rows_ if key_matches(spec, r, key)
        ]
        row = changed(plan, latest[-1], changeable_column(plan), 4242)
        row[spec.sequence_by] = sequence_value(plan, datetime(2024, 4, 10, 10, 0))
        rows.append(Row(row, "increment", "a later version of an existing key"))
    return rows


def key_matches(spec: Any, row: Row, key: dict[str, Any]) -> bool:
    return all(row.values.get(k) == v for k, v in key.items())


def referenced_first(dimensions: list[Any]) -> list[Any]:
    """Dimensions ordered so that each comes after the dimensions it references."""
    ordered: list[Any] = []
    pending = list(dimensions)
    while pending:
        ready = [s for s in pending if set(s.references.values()) <= {o.name for o in ordered}]
        ordered += ready or pending  # the spec check refuses cycles; never loop forever
        pending = [s for s in pending if s not in ordered]
    return ordered


def build(
    tables: tuple[Any, ...],
    source_format: str,
    seed: int,
    source: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Dataset]:
    """Every table's sample rows, dimensions first because facts reference their keys; with
    `source` (bake.sample_source), drawn from the team's rows."""
    source = source or {}
    rng = random.Random(seed)
    file_format = EXTENSIONS[source_format]
    datasets: dict[str, Dataset] = {}
    index_of = {spec.name: index for index, spec in enumerate(tables)}
    for spec in referenced_first([spec for spec in tables if spec.role == "dimension"]):
        plan = TablePlan(spec, index_of[spec.name], rng, source=source.get(spec.name, []))
        plan.reference_pool = {
            column: [
                key[datasets[dimension].plan.spec.keys[0]]
                for key in datasets[dimension].usable_keys
            ]
            for column, dimension in spec.references.items()
        }
        datasets[spec.name] = build_dimension(plan, file_format)
    for index, spec in enumerate(tables):
        if spec.role == "fact":
            plan = TablePlan(spec, index, rng, source=source.get(spec.name, []))
            datasets[spec.name] = build_fact(plan, datasets, file_format)
    return {spec.name: datasets[spec.name] for spec in tables}


# --- files ---------------------------------------------------------------------------------------


def text_value(value: Any, missing: str | None = None) -> Any:
    """How a value appears in json and csv files (decimals as strings, to keep every digit);
    `missing` is the table's null marker, written for a missing value."""
    if value is None:
        return missing
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def write_file(path: Path, spec: Any, rows: list[Row], source_format: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(spec.columns)
    landed = {c: spec.source_name(c) for c in columns}  # the names the files use
    # A table with null markers gets them where a value is missing, as its real files would.
    missing = spec.null_values[0] if spec.null_values else None
    if EXTENSIONS[source_format] == "json":
        lines = [
            r.raw_line
            if r.raw_line is not None
            else json.dumps({landed[c]: text_value(r.values.get(c), missing) for c in columns})
            for r in rows
        ]
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    elif EXTENSIONS[source_format] == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([landed[c] for c in columns])
        for row in rows:
            if row.raw_line is not None:
                buffer.write(row.raw_line + "\n")
                continue
            values = [text_value(row.values.get(c), missing) for c in columns]
            writer.writerow(
                ["" if v is None else str(v).lower() if v in (True, False) else v for v in values]
            )
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        write_parquet(path, spec, rows)


def write_parquet(path: Path, spec: Any, rows: list[Row]) -> None:
    import pyarrow as pa  # only parquet and delta samples need it
    import pyarrow.parquet as pq

    def arrow_type(spark_type: str) -> pa.DataType:
        t = spark_type.strip().lower()
        simple = {
            "bigint": pa.int64(),
            "long": pa.int64(),
            "int": pa.int32(),
            "integer": pa.int32(),
            "smallint": pa.int16(),
            "short": pa.int16(),
            "tinyint": pa.int8(),
            "byte": pa.int8(),
            "double": pa.float64(),
            "float": pa.float32(),
            "real": pa.float32(),
            "boolean": pa.bool_(),
            "date": pa.date32(),
            "timestamp": pa.timestamp("us", tz="UTC"),
            "timestamp_ntz": pa.timestamp("us"),
        }
        if t in simple:
            return simple[t]
        match = re.match(r"(?:decimal|numeric)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)", t)
        if match:
            return pa.decimal128(int(match.group(1)), int(match.group(2)))
        if t in ("decimal", "numeric"):
            return pa.decimal128(10, 0)
        return pa.string()

    schema = pa.schema([(spec.source_name(c), arrow_type(t)) for c, t in spec.columns.items()])
    columns = {c: [r.values.get(c) for r in rows] for c in spec.columns}
    for column, spark_type in spec.columns.items():
        if kind_of(spark_type) in ("string", "other"):
            columns[column] = [None if v is None else str(v) for v in columns[column]]
        elif spark_type.strip().lower() == "timestamp":
            columns[column] = [
                None if v is None else v.replace(tzinfo=timezone.utc) for v in columns[column]
            ]
    landed = {spec.source_name(c): values for c, values in columns.items()}
    pq.write_table(pa.table(landed, schema=schema), path)


def manifest_rows(plan: TablePlan, name: str, rows: list[Row]) -> list[dict[str, Any]]:
    """The deliberate rows of one file, with every rule each one breaks."""
    entries = []
    for number, row in enumerate(rows, start=1):
        failed = plan.failed_rules(row, "drop")
        warned = plan.failed_rules(row, "warn")
        if row.kind == "good" and not failed and not warned:
            continue
        # Fail rules only judge rows that pass every drop rule (see quality.expectations).
        if not failed and plan.failed_rules(row, "fail"):
            raise SystemExit(f"{plan.spec.name}: sample row {number} of {name} breaks a fail rule")
        entry = {
            "file": name,
            "row": number,
            "kind": row.kind,
            "failed_rules": failed,
            "warned_rules": warned,
            "why": row.why,
        }
        if row.raw_line is not None:
            entry["text"] = row.raw_line
        entries.append(entry)
    return entries


def write_tables(
    out: Path, datasets: dict[str, Dataset], source_format: str, manifest: dict[str, Any]
) -> None:
    extension = EXTENSIONS[source_format]
    for name, data in datasets.items():
        entry = manifest["tables"].setdefault(
            name,
            {
                "role": data.plan.spec.role,
                "files": {},
                "rows": [],
                "unchecked_rules": data.plan.unchecked,
                "skipped": data.skipped,
            },
        )
        for number, rows in sorted(data.files.items()):
            file_name = f"part-{number:04d}.{extension}"
            write_file(out / name / file_name, data.plan.spec, rows, source_format)
            entry["files"][file_name] = len(rows)
            entry["rows"] += manifest_rows(data.plan, file_name, rows)


def load_tables(project: Path, package: str) -> Any:
    """Import the project's `<package>.tables` from its `src/` (plain Python, no Spark needed)."""
    sys.path.insert(0, str(project / "src"))
    return importlib.import_module(f"{package}.tables")


def new_manifest(seed: int, source_format: str) -> dict[str, Any]:
    return {
        "generator": "dlt-medallion template, bake/sample_data.py",
        "seed": seed,
        "source_format": source_format,
        "row_numbers": "1-based, in file order, header excluded",
        "tables": {},
    }


def write(
    sample_dir: Path,
    increment_dir: Path,
    tables: tuple[Any, ...],
    source_format: str,
    seed: int = 7,
    source: Any = None,
) -> dict[str, Any]:
    """Write two files per table to `sample_dir` and the next file per table (new keys, a later
    update, new facts) to `increment_dir`, each folder with its `_manifest.json`; return the first
    manifest. Written once, when the project is baked; a spec change writes them again.
    `source` (bake.sample_source.SourceRows): draw keys and values from the team's rows."""
    datasets = build(tables, source_format, seed, source.rows if source else None)
    manifest = new_manifest(seed, source_format)
    if source is not None:
        manifest["drawn_from_team_files"] = {
            "tables": sorted(source.rows),
            "masked_columns": source.masked,
            "notes": source.notes,
        }
    write_tables(sample_dir, datasets, source_format, manifest)
    next_file = 1 + max(number for data in datasets.values() for number in data.files)
    for data in datasets.values():
        data.files = {next_file: build_increment(data.plan, data, datasets, next_file)}
    increment = new_manifest(seed, source_format)
    write_tables(increment_dir, datasets, source_format, increment)
    for folder, content in ((sample_dir, manifest), (increment_dir, increment)):
        text = json.dumps(content, indent=2) + "\n"
        (folder / "_manifest.json").write_text(text, encoding="utf-8")
    return manifest


def write_project(
    project: Path, package: str, seed: int = 7, source_folder: Path | None = None
) -> None:
    """A baked project's `sample_data/` and `tests/e2e/increment/`, from its `tables.py`; with
    `source_folder`, drawn from the team's files there (bake.sample_source)."""
    tables = load_tables(project, package)
    source = None
    if source_folder is not None:
        from bake.sample_source import read_source  # needs duckdb, as the inference did

        source = read_source(source_folder, tables.ALL_TABLES)
        for table, columns in source.masked.items():
            print(f"sample data: {table}: masked {', '.join(columns)} (they look personal)")
        for note in source.notes:
            print(f"sample data: {note}")
    write(
        project / SAMPLE_DIR,
        project / INCREMENT_DIR,
        tables.ALL_TABLES,
        tables.SOURCE_FORMAT,
        seed,
        source,
    )


def main(argv: list[str] | None = None) -> int:
    """Write a baked project's sample data again (for template development)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="the baked project's folder")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    package = next(p.parent.name for p in (args.project / "src").glob("*/tables.py"))
    write_project(args.project, package, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
