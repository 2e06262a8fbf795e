"""Each column's final Spark type, once the full pass has seen every value, and why."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from bake.infer.classify import decimal_type, integer_type
from bake.infer.model import ColumnFacts, TableFacts
from bake.infer.names import is_key_like


def plural(count: int, noun: str) -> str:
    """1 row, 2 rows, 1,500 rows."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def number(value) -> str:
    """A count or a value seen: 1234567 -> 1,234,567 (but 2024 stays 2024); dates as ISO."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (float, Decimal)):
        return f"{value:,}" if abs(value) < 1e15 else str(value)
    return str(value)


def _integer_digits(column: ColumnFacts) -> int:
    largest = max(abs(column.minimum or 0), abs(column.maximum or 0))
    return len(str(int(largest))) if largest >= 1 else 0


def decide_type(column: ColumnFacts, identifier: bool) -> str:
    """The Spark type of a text column, from the sample's kind and the full pass's range."""
    kind = column.kind
    if kind == "integer":
        return integer_type(column.minimum or 0, column.maximum or 0, identifier)
    if kind == "decimal":
        return decimal_type(_integer_digits(column), max(column.scale, column.guess.scale))
    if kind in ("empty", "string"):
        return "string"
    return kind  # boolean, double, date, timestamp, timestamp_ntz


def decide_types(table: TableFacts) -> None:
    """Every text column's Spark type (parquet columns have theirs)."""
    for column in table.columns:
        if column.spark_type is None or table.files.format != "parquet":
            identifier = is_key_like(column.name) or table.keys == [column.name]
            column.spark_type = decide_type(column, identifier)


def describe(table: TableFacts) -> None:
    """Every column's evidence, once types are final."""
    for column in table.columns:
        table.evidence[f"columns.{column.name}"] = column_evidence(table, column)


def _range(column: ColumnFacts, separator: str = "") -> str:
    if column.minimum is None or column.maximum is None:
        return ""
    return f"{separator} {number(column.minimum)} .. {number(column.maximum)}"


def column_evidence(table: TableFacts, column: ColumnFacts) -> str:
    kind, spark = column.kind, column.spark_type
    if kind == "integer":
        why = f"integers{_range(column)}"
        if spark == "bigint" and is_key_like(column.name):
            why += " (an identifier: bigint leaves room to grow)"
    elif kind == "decimal":
        digits, scale = _integer_digits(column), max(column.scale, column.guess.scale)
        before = f"up to {digits} digits before the point" if digits else "all below 1"
        why = f"fixed-point, {scale} decimals, {before}{_range(column, ',')}"
    elif kind == "double":
        why = f"floating point{_range(column)}"
    elif kind == "date":
        why = f"ISO dates{_range(column)}"
    elif kind == "timestamp":
        why = f"ISO timestamps with UTC offsets{_range(column)} (UTC)"
    elif kind == "timestamp_ntz":
        why = f"ISO timestamps without a UTC offset (wall-clock time){_range(column)}"
    elif kind == "boolean":
        why = "true/false"
    elif kind == "empty":
        why = "no value in the sample: text"
    else:
        why = column.guess.note or "text"
        if column.longest:
            why += f" up to {plural(column.longest, 'character')}"
    if column.widened:
        why += f"; {column.widened}"
    nulls = table.rows - column.present
    why += "; never null" if not nulls else f"; {nulls:,} NULL of {table.rows:,}"
    if column.markers:
        why += f" (null markers here: {', '.join(repr(m) for m in column.markers)})"
    return f"{spark}: {why}" if kind != "other" else f"{spark}: as written in the parquet files"
