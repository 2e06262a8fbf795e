"""The spec entry of each inferred table, in the README's field order, and the table order."""

from __future__ import annotations

from bake.infer import changes, roles
from bake.infer.expectations import suggest
from bake.infer.model import TableFacts


def _null_values_evidence(table: TableFacts) -> str:
    parts = []
    for marker in table.null_values:
        where = [column.name for column in table.columns if marker in column.markers]
        parts.append(f"{marker!r} in {', '.join(where) or 'no sampled column'}")
    return "; ".join(parts) + ": read as NULL in every column"


def entry(table: TableFacts) -> dict:
    """The spec entry, in the README's field order; evidence goes to table.evidence."""
    role = roles.infer_role(table)
    change_fields = changes.infer_changes(table)
    result: dict = {"role": role, "keys": list(table.keys)}
    if table.null_values:
        result["null_values"] = list(table.null_values)
        table.evidence["null_values"] = _null_values_evidence(table)
    if table.references:
        result["references"] = dict(table.references)
    except_columns = list(change_fields.get("except_columns", []))
    fact_fields = roles.fact_fields(table, except_columns) if role == "fact" else {}
    result.update({k: v for k, v in fact_fields.items() if k in ("date_column", "date_range")})
    result.update(change_fields)
    result.update({k: v for k, v in fact_fields.items() if k in ("measures", "attributes")})
    result["columns"] = {
        column.name: column.spark_type
        if column.landed == column.name
        else {"type": column.spark_type, "source": column.landed}
        for column in table.columns
    }
    implicit = {*table.keys, *except_columns}
    if "sequence_by" in change_fields:
        implicit.add(table.sequence_by)
    rules, evidence = suggest(table, implicit)
    if rules:
        result["expectations"] = rules
        table.evidence.update({f"expectations.{name}": text for name, text in evidence.items()})
    return result


def order(tables: list[TableFacts], roles_: dict[str, str]) -> list[TableFacts]:
    """Dimensions before facts; a referenced table before the tables that reference it."""
    placed: list[TableFacts] = []
    remaining = sorted(tables, key=lambda t: (roles_[t.name] == "fact", t.name))
    while remaining:
        names = {t.name for t in placed}
        ready = next((t for t in remaining if set(t.references.values()) <= names), remaining[0])
        placed.append(ready)
        remaining.remove(ready)
    return placed


def source(table: TableFacts) -> dict:
    """Where and how a table was read: for tools that copy or sample the team's own files."""
    files = table.files
    source = {
        "path": str(files.path),
        "format": files.format,
        "files": [str(file) for file in files.files],
        "rows": table.rows,
    }
    if files.format == "csv":
        source["dialect"] = dict(table.layout.dialect)
    return source
