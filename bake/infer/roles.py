"""Roles: a table referenced by others is a dimension; one that references others and carries
numbers of its own is a fact, with its date column, measures and attributes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bake.infer.columns import number
from bake.infer.model import ColumnFacts, TableFacts
from bake.infer.names import is_calendar_part, is_key_like, is_ordinal_like

# A date beyond these is a sentinel (9999-12-31), not a business date: keep the spec's default.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2099


def _is_measure(table: TableFacts, column: ColumnFacts) -> bool:
    """Numbers to add up: not keys, references, identifiers, ordinals or calendar parts."""
    name = column.name
    return (
        column.numeric
        and name not in table.keys
        and name not in table.references
        and not (is_key_like(name) or is_ordinal_like(name) or is_calendar_part(name))
    )


def infer_role(table: TableFacts) -> str:
    measures = [column.name for column in table.columns if _is_measure(table, column)]
    if table.referenced_by:
        referrers = ", ".join(dict.fromkeys(table.referenced_by))
        table.evidence["role"] = f"dimension: referenced by {referrers}"
        return "dimension"
    if not table.keys:
        table.evidence["role"] = "fact: no key, so not a dimension (an event table)"
        return "fact"
    if table.references and measures:
        table.evidence["role"] = (
            f"fact: references {', '.join(dict.fromkeys(table.references.values()))} and "
            f"carries numbers ({', '.join(measures)})"
        )
        return "fact"
    why = "references nothing" if not table.references else "carries no numbers of its own"
    table.evidence["role"] = f"dimension: no table references it, and it {why}"
    return "dimension"


def _date_column(table: TableFacts) -> ColumnFacts | None:
    """The first date column (else the first timestamp) that is not the change time."""
    dated = [c for c in table.columns if c.dated and c.name != table.sequence_by]
    dates = [c for c in dated if c.kind == "date"]
    return (dates or dated or [None])[0]


def _day(value: date | datetime) -> date:
    """The calendar day of a date or timestamp (in UTC, as both engines' sessions run)."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    return value


def _date_range(table: TableFacts, columns: list[ColumnFacts]) -> list[str] | None:
    seen = [c for c in columns if c.minimum is not None and c.maximum is not None]
    if not seen:
        return None
    first = min(_day(c.minimum) for c in seen)
    last = max(_day(c.maximum) for c in seen)
    if first.year < EARLIEST_YEAR or last.year >= LATEST_YEAR:
        table.notes.append(
            f"dates from {first} to {last}: a sentinel date is likely; date_range keeps the "
            f"default {EARLIEST_YEAR}-01-01 .. {LATEST_YEAR}-12-31 and quarantines dates outside"
        )
        return None
    table.evidence["date_range"] = (
        f"dates seen {first} .. {last} ({', '.join(c.name for c in seen)}): whole years, and one "
        "more for new data"
    )
    return [f"{first.year}-01-01", f"{last.year + 1}-12-31"]


def fact_fields(table: TableFacts, except_columns: list[str]) -> dict[str, object]:
    """date_column, date_range, measures and attributes of a fact."""
    fields: dict[str, object] = {}
    date_column = _date_column(table)
    measures = [c.name for c in table.columns if _is_measure(table, c)]
    taken = {*table.keys, *table.references, *measures, table.sequence_by, *except_columns}
    if date_column is not None:
        fields["date_column"] = date_column.name
        taken.add(date_column.name)
        which = "date column" if date_column.kind == "date" else "timestamp (no date column)"
        seen = ""
        if date_column.minimum is not None:
            seen = f": {number(date_column.minimum)} .. {number(date_column.maximum)}"
        table.evidence["date_column"] = f"the first {which}{seen}"
    attributes = [c.name for c in table.columns if c.name not in taken]
    dated = [date_column] if date_column else []
    dated += [table.column(name) for name in attributes if table.column(name).dated]
    date_range = _date_range(table, dated)
    if date_range:
        fields["date_range"] = date_range
    if measures:
        fields["measures"] = measures
        table.evidence["measures"] = "numeric columns that are not keys, references or codes"
    if attributes:
        fields["attributes"] = attributes
        table.evidence["attributes"] = "the other columns, kept in the fact as they are" + (
            f"; dates among them get their own key into dim_date "
            f"({', '.join(c.name for c in dated[1:])})"
            if len(dated) > 1
            else ""
        )
    return fields
