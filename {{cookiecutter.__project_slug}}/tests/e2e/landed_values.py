"""How the oracle reads a landed value: the pipeline's casts (Spark's), in plain Python."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

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
    if t in ("boolean", "bool"):
        return "boolean"
    return "other"


# The strings Spark's cast to boolean accepts (any case, trimmed); any other string is NULL.
TRUE_TEXT = {"t", "true", "y", "yes", "1"}
FALSE_TEXT = {"f", "false", "n", "no", "0"}


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
        if kind == "boolean" and not isinstance(value, bool):
            text = str(value).strip().lower()
            return True if text in TRUE_TEXT else False if text in FALSE_TEXT else None
    except (ValueError, ArithmeticError):  # decimal.InvalidOperation is an ArithmeticError
        return None
    return value
