"""`infer_unity_catalog`: the spec of the tables of a Unity Catalog schema, from their metadata.

Read with the Databricks SDK: `tables.list` names the tables (paginated), `tables.get` gives each
one's columns and constraints (the list API returns no constraints). Nothing is profiled: no row
is read, so what the spec says comes from the catalog alone, each with its evidence:
- columns and types: `type_text` in Spark's canonical form; a name that is not clean gets a clean
  one and `source:`;
- keys: the PRIMARY KEY constraint; a table without one has no key (kept as an event table);
- references: FOREIGN KEY constraints on one column to the primary key of another table of the
  schema (a key of several columns, or a table elsewhere, is left out with a note);
- role: a table referenced by another is a dimension; one that references others and has numbers
  of its own (not keys, references or calendar parts) is a fact, with its first date (else
  timestamp) column as date column and those numbers as measures;
- sequence_by: a timestamp column named like a change time (`updated_at`); a Delta source needs
  one per table, so a table without it gets a note.
Null markers, ranges and suggested expectations need the data: none are inferred here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bake.infer import names
from bake.infer.errors import InferError
from bake.infer.model import InferredSpec
from bake.spark_types import canonical, is_numeric

PREFIX = "uc:"
_SCHEMA = re.compile(r"([^.`\s]+)\.([^.`\s]+)")


def parse_source(text: str) -> tuple[str, str] | None:
    """(catalog, schema) of `uc:<catalog>.<schema>`; None for anything not starting `uc:`."""
    if not text.startswith(PREFIX):
        return None
    match = _SCHEMA.fullmatch(text[len(PREFIX) :])
    if not match:
        raise InferError(f"{text!r}: name a schema as uc:<catalog>.<schema> (no quotes or spaces)")
    return match.group(1), match.group(2)


def _constraints(info: Any) -> tuple[Any, list[Any]]:
    """The PRIMARY KEY constraint (or None) and the FOREIGN KEY constraints of a table."""
    primary, foreign = None, []
    for constraint in info.table_constraints or []:
        primary = constraint.primary_key_constraint or primary
        if constraint.foreign_key_constraint:
            foreign.append(constraint.foreign_key_constraint)
    return primary, foreign


def _spark_type(full_name: str, column: Any) -> str:
    try:
        return canonical(column.type_text or "")
    except ValueError as error:
        raise InferError(
            f"{full_name}.{column.name}: type {column.type_text!r} is not one the pipeline can "
            f"declare ({error}); cast it in a view, or leave the table out with --tables"
        ) from None


class _Table:
    """One catalog table, as the spec will name it."""

    def __init__(self, info: Any) -> None:
        self.info = info
        self.full_name = info.full_name
        self.name = names.clean_table_name(info.name)
        landed = [c.name for c in sorted(info.columns or [], key=lambda c: c.position or 0)]
        if not landed:
            raise InferError(f"{self.full_name}: the catalog lists no columns for it")
        clean = names.unique([names.clean(n, "column", i) for i, n in enumerate(landed)])
        self.clean = dict(zip(landed, clean, strict=True))
        by_name = {c.name: c for c in info.columns}
        self.types = {self.clean[n]: _spark_type(self.full_name, by_name[n]) for n in landed}
        self.primary, self.foreign = _constraints(info)
        primary_columns = self.primary.child_columns or [] if self.primary else []
        unknown = [n for n in primary_columns if n not in self.clean]
        if unknown:
            raise InferError(f"{self.full_name}: its primary key names unknown columns {unknown}")
        self.keys = [self.clean[n] for n in primary_columns]
        self.references: dict[str, str] = {}
        self.referenced_by: list[str] = []
        self.evidence: dict[str, str] = {}
        self.notes: list[str] = []


def _link(tables: dict[str, _Table]) -> None:
    by_full_name = {table.full_name.lower(): table for table in tables.values()}
    for table in tables.values():
        for foreign in table.foreign:
            target = by_full_name.get((foreign.parent_table or "").lower())
            link = (
                f"FOREIGN KEY {foreign.name}: {', '.join(foreign.child_columns or [])} -> "
                f"{foreign.parent_table}({', '.join(foreign.parent_columns or [])})"
            )
            if target is None or len(foreign.child_columns or []) != 1:
                why = "another schema" if target is None else "a key of several columns"
                table.notes.append(f"{link}: not a reference here ({why})")
                continue
            if [target.clean.get(c) for c in foreign.parent_columns or []] != target.keys:
                table.notes.append(f"{link}: not a reference here (not {target.name}'s key)")
                continue
            column = table.clean[foreign.child_columns[0]]
            table.references[column] = target.name
            table.evidence[f"references.{column}"] = link
            target.referenced_by.append(table.name)


def _measures(table: _Table) -> list[str]:
    return [
        column
        for column, spark_type in table.types.items()
        if is_numeric(spark_type) or spark_type.startswith("decimal")
        if column not in table.keys and column not in table.references
        if not (names.is_key_like(column) or names.is_ordinal_like(column))
        if not names.is_calendar_part(column)
    ]


def _entry(table: _Table) -> dict[str, Any]:
    where = f"{table.full_name} ({table.info.table_type or 'table'}, Unity Catalog)"
    table.evidence["table"] = f"{where}: from its metadata, no row read"
    sequence = next(
        (
            column
            for column, spark_type in table.types.items()
            if spark_type.startswith("timestamp") and names.is_change_time(column)
        ),
        None,
    )
    measures = _measures(table)
    if table.referenced_by:
        role = "dimension"
        table.evidence["role"] = f"dimension: referenced by {', '.join(table.referenced_by)}"
    elif table.references and measures:
        role = "fact"
        table.evidence["role"] = f"fact: has foreign keys and numbers ({', '.join(measures)})"
    elif not table.keys:
        role = "fact"
        table.evidence["role"] = "fact: no primary key, so not a dimension (an event table)"
    else:
        role = "dimension"
        table.evidence["role"] = "dimension: no table references it"
    table.evidence["keys"] = (
        f"PRIMARY KEY {table.primary.name}" if table.keys else "no PRIMARY KEY constraint"
    )
    entry: dict[str, Any] = {"role": role, "keys": list(table.keys)}
    if table.references:
        entry["references"] = dict(table.references)
    if role == "fact":
        dated = [c for c, t in table.types.items() if t in ("date", "timestamp", "timestamp_ntz")]
        dated = [c for c in dated if c != sequence]
        dates = [c for c in dated if table.types[c] == "date"]
        if dated:
            entry["date_column"] = (dates or dated)[0]
    if sequence:
        entry["sequence_by"] = sequence
        table.evidence["sequence_by"] = f"a {table.types[sequence]} named like a change time"
    else:
        table.notes.append(
            "no sequence_by: a Delta source needs the column that orders a key's rows"
        )
    if role == "fact":
        entry["measures"] = measures
        used = {*table.keys, *table.references, *measures, entry.get("date_column"), sequence}
        entry["attributes"] = [c for c in table.types if c not in used]
    entry["columns"] = {
        clean: table.types[clean]
        if landed == clean
        else {"type": table.types[clean], "source": landed}
        for landed, clean in table.clean.items()
    }
    for landed, clean in table.clean.items():
        column = next(c for c in table.info.columns if c.name == landed)
        nullable = "NOT NULL" if column.nullable is False else "nullable"
        table.evidence[f"columns.{clean}"] = f"{column.type_text}, {nullable}" + (
            f": {column.comment}" if column.comment else ""
        )
    return entry


def infer_unity_catalog(
    catalog: str,
    schema: str,
    tables: list[str] | None = None,
    client: Any = None,
    progress: Callable[[str], object] = print,
) -> InferredSpec:
    """The spec of the tables of `catalog.schema` (or of the named ones). `client`: a
    `WorkspaceClient` (default: one from the environment or ~/.databrickscfg)."""
    from databricks.sdk.errors import DatabricksError

    if client is None:
        from databricks.sdk import WorkspaceClient

        client = WorkspaceClient()
    source = f"{catalog}.{schema}"
    try:
        listed = list(client.tables.list(catalog_name=catalog, schema_name=schema, max_results=0))
        found = {}
        for listed_table in sorted(listed, key=lambda t: t.name):
            table = _Table(client.tables.get(listed_table.full_name))
            found[table.name] = table
    except DatabricksError as error:
        raise InferError(f"Unity Catalog schema {source}: {error}") from None
    if not found:
        raise InferError(f"Unity Catalog schema {source}: it has no tables")
    named = list(found) if tables is None else [names.clean_table_name(t) for t in tables]
    unknown = [name for name in named if name not in found]
    if unknown:
        raise InferError(
            f"Unity Catalog schema {source} has no table {', '.join(unknown)}; "
            f"it has {', '.join(found)}"
        )
    progress(f"infer: {len(found)} tables in Unity Catalog schema {source} (metadata only)")
    _link(found)
    entries = {name: _entry(table) for name, table in found.items()}
    dimensions = [n for n in found if entries[n]["role"] == "dimension"]
    ordered = dimensions + [n for n in found if n not in dimensions]
    ordered = [name for name in ordered if name in named]
    return InferredSpec(
        folder=Path(f"{PREFIX}{source}"),
        tables={name: entries[name] for name in ordered},
        evidence={name: found[name].evidence for name in ordered},
        notes={name: found[name].notes for name in ordered if found[name].notes},
        sources={name: {"path": found[name].full_name, "format": "delta"} for name in ordered},
    )
