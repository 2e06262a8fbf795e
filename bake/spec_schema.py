"""The JSON Schema of `tables.yml`, generated from the spec's own definitions (bake/spec.py).

Editors check `tables.yml` against it as a team types (the project's `tables.schema.json`, written
by the bake). It is built here from the same constants bake/spec.py validates with (fields,
roles, actions, the fact-only and dimension-only fields, reserved rule names, limits), so the two
cannot drift: a field the validator accepts and the schema lacks is impossible by construction,
and `tests/test_spec.py` checks both against the same specs. What a schema cannot express (columns
named by keys must be declared, references must point at a single-key dimension, types must parse)
stays with bake/spec.py, and the schema's description says so.
"""

from __future__ import annotations

import json
from typing import Any

from bake import spec

ISO_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ONE_LINE = "^[^\\n\\r]*$"


def _ref(name: str, description: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"$ref": f"#/$defs/{name}"}
    return {**node, "description": description} if description else node


def _columns_mapping() -> dict[str, Any]:
    typed = {
        "type": "object",
        "additionalProperties": False,
        "required": ["type"],
        "properties": {
            "type": {"type": "string", "minLength": 1},
            "source": {
                "type": "string",
                "minLength": 1,
                "pattern": "^[^`\\n\\r]+$",
                "description": "the column's name in the landed files (Created At, e-mail); "
                "bronze renames it",
            },
            "comment": {
                "type": "string",
                "pattern": ONE_LINE,
                "description": "documents the column in gold",
            },
        },
    }
    assert tuple(typed["properties"]) == spec.COLUMN_KEYS
    return {
        "type": "object",
        "minProperties": 1,
        "propertyNames": _ref("column"),
        "additionalProperties": {"oneOf": [{"type": "string", "minLength": 1}, typed]},
        "description": "column -> Spark SQL type (bigint, string, date, decimal(12,2), "
        "array<string>, ...) or {type, source, comment}",
    }


def _expectations() -> dict[str, Any]:
    reserved = "|".join([f"{spec.IMPLICIT_RULE}$", *spec.IMPLICIT_RULE_PREFIXES])
    return {
        "type": "object",
        "propertyNames": {**_ref("identifier"), "not": {"pattern": f"^({reserved})"}},
        "additionalProperties": {
            "oneOf": [
                _ref("expression"),
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["expr"],
                    "properties": {
                        "expr": _ref("expression"),
                        "action": {"enum": list(spec.ACTIONS), "default": "drop"},
                    },
                },
            ]
        },
    }


def _null_values() -> dict[str, Any]:
    marker = {"type": "string", "minLength": 1, "maxLength": spec.MAX_NULL_VALUE}
    return {
        "oneOf": [marker, {"type": "array", "items": marker, "uniqueItems": True}],
        "description": "markers the files write for a missing value (NA, N/A, \\N): silver reads "
        "them as NULL in every column, on both engines",
    }


def _fields() -> dict[str, Any]:
    """Every field of a table entry, in bake/spec.py's order."""
    fields = {
        "role": {"enum": list(spec.ROLES), "default": "dimension"},
        "keys": _ref(
            "columns",
            "the business key column(s); a fact with no natural key (an event log) says keys: [] "
            "and keeps every landed row",
        ),
        "scd_type": {"enum": [1, 2], "default": 1},
        "sequence_by": _ref(
            "column", "column that orders the change events of a key (dimensions and facts)"
        ),
        "snapshot_by": _ref(
            "column",
            "dimensions landing as full snapshots: the column holding each snapshot's version "
            "(integer, date or timestamp)",
        ),
        "delete_when": _ref(
            "expression", "SQL boolean: the event deletes its key (needs sequence_by)"
        ),
        "except_columns": _ref(
            "columns",
            "columns that describe the change event (an operation marker), left out of silver "
            "and gold",
        ),
        "columns": _columns_mapping(),
        "null_values": _null_values(),
        "expectations": _expectations(),
        "references": {
            "type": "object",
            "propertyNames": _ref("column"),
            "additionalProperties": _ref("identifier"),
            "description": "column -> dimension table (joined on its single key): a fact's star, "
            "a dimension's snowflake",
        },
        "date_column": _ref("column"),
        "date_range": {
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "items": {"type": "string", "pattern": ISO_DATE},
            "description": "[first, last] ISO dates the fact's date must fall in (else "
            "quarantined as in_date_range_<column>); bounds dim_date. Default "
            f"[{', '.join(spec.DEFAULT_DATE_RANGE)}]",
        },
        "measures": _ref("columns"),
        "attributes": _ref(
            "columns",
            "fact columns kept in gold as they are; date attributes get <column>_sk into dim_date",
        ),
        "comment": {"type": "string", "pattern": ONE_LINE},
    }
    if tuple(fields) != spec.ENTRY_KEYS:  # a new field needs its schema here
        missing = sorted(set(spec.ENTRY_KEYS) - set(fields))
        extra = sorted(set(fields) - set(spec.ENTRY_KEYS))
        raise ValueError(f"the schema lacks {missing} and has {extra} beyond spec.ENTRY_KEYS")
    return fields


def _role_rules() -> list[dict[str, Any]]:
    """A fact has no dimension-only field, a dimension no fact-only field and at least one key;
    declared columns need declared keys."""

    def required_any(names: tuple[str, ...]) -> dict[str, Any]:
        return {"anyOf": [{"required": [name]} for name in names]}

    return [
        {
            "if": {"required": ["role"], "properties": {"role": {"const": "fact"}}},
            "then": {"not": required_any(spec.DIMENSION_ONLY)},
            "else": {
                "not": required_any(spec.FACT_ONLY),
                "properties": {"keys": {"minItems": 1}},
            },
        },
        {"if": {"required": ["columns"]}, "then": {"required": ["keys"]}},
    ]


def schema() -> dict[str, Any]:
    identifier = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "maxLength": 255}
    column = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$", "maxLength": 255}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dlt-medallion table spec",
        "description": "tables.yml: table name -> how to build it. The bake (and make apply-spec) "
        "also checks what a schema cannot express: columns named by keys, sequence_by, "
        "date_column, measures and references must be declared; references must point at a "
        "single-key dimension; column types must parse as Spark SQL types; expressions must be "
        "one balanced line.",
        "type": "object",
        "propertyNames": _ref("identifier"),
        "additionalProperties": _ref("table"),
        "$defs": {
            "identifier": identifier,
            "column": column,
            "columns": {"type": "array", "items": _ref("column"), "uniqueItems": True},
            "expression": {"type": "string", "minLength": 1, "pattern": "^[^;\\n\\r]+$"},
            "table": {
                "type": ["object", "null"],
                "additionalProperties": False,
                "properties": _fields(),
                "allOf": _role_rules(),
            },
        },
    }


def text() -> str:
    """The schema as the project's `tables.schema.json` holds it."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
