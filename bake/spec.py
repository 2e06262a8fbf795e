"""The table spec: turn the answers (names only, or a full `tables` mapping) into one normalized form.

Every template sees the normalized spec, so conventions live here and nowhere else.
"""

from __future__ import annotations

from typing import Any


def singular(name: str) -> str:
    """English-ish singular of a table name: customers -> customer, categories -> category."""
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 1:
        return name[:-1]
    return name


def split_names(table_names: str) -> list[str]:
    return [part.strip() for part in table_names.split(",") if part.strip()]


def _dimension(name: str, scd_type: int) -> dict[str, Any]:
    key = f"{singular(name)}_id"
    return {
        "name": name,
        "singular": singular(name),
        "role": "dimension",
        "keys": [key],
        "scd_type": scd_type,
        "sequence_by": "updated_at",
        "delete_when": "operation = 'DELETE'",
        "columns": {
            key: "bigint",
            "name": "string",
            "category": "string",
            "updated_at": "timestamp",
            "operation": "string",
        },
        "expectations": [
            {"name": f"valid_{key}", "expr": f"{key} IS NOT NULL", "action": "drop"},
            {"name": "has_name", "expr": "name IS NOT NULL", "action": "warn"},
        ],
        "references": {},
        "date_column": None,
        "measures": [],
        "comment": f"{singular(name).capitalize()} records, one row per {key}.",
    }


def _fact(name: str, dimensions: list[str]) -> dict[str, Any]:
    key = f"{singular(name)}_id"
    date_column = f"{singular(name)}_date"
    references = {f"{singular(dim)}_id": dim for dim in dimensions}
    columns = {key: "bigint"}
    columns.update({column: "bigint" for column in references})
    columns.update({date_column: "date", "quantity": "int", "amount": "decimal(12,2)"})
    return {
        "name": name,
        "singular": singular(name),
        "role": "fact",
        "keys": [key],
        "scd_type": None,
        "sequence_by": None,
        "delete_when": None,
        "columns": columns,
        "expectations": [
            {"name": f"valid_{key}", "expr": f"{key} IS NOT NULL", "action": "drop"},
            {"name": "positive_quantity", "expr": "quantity > 0", "action": "drop"},
            {"name": "non_negative_amount", "expr": "amount >= 0", "action": "drop"},
        ],
        "references": references,
        "date_column": date_column,
        "measures": ["quantity", "amount"],
        "comment": f"{singular(name).capitalize()} events, one row per {key}.",
    }


def from_names(names: list[str]) -> list[dict[str, Any]]:
    """Names-only convention: last table is the fact, first an SCD2 dimension, the rest SCD1."""
    if len(names) == 1:
        return [_dimension(names[0], scd_type=1)]
    dimensions = names[:-1]
    tables = [_dimension(name, scd_type=2 if i == 0 else 1) for i, name in enumerate(dimensions)]
    tables.append(_fact(names[-1], dimensions))
    return tables


def normalize(table_names: str, tables: dict[str, Any] | None) -> dict[str, Any]:
    """Return the normalized spec every template renders from (see the README for the format)."""
    # TODO(helper TEMPLATE): full `tables` spec support and validation.
    normalized = from_names(split_names(table_names))
    return {
        "tables": normalized,
        "dimensions": [t["name"] for t in normalized if t["role"] == "dimension"],
        "facts": [t["name"] for t in normalized if t["role"] == "fact"],
        "has_dim_date": any(t["date_column"] for t in normalized),
    }
