"""Change feeds: the column that orders a key's events (`sequence_by`) and the operation column
that marks deletes (`delete_when`)."""

from __future__ import annotations

from bake.infer.model import ColumnFacts, TableFacts
from bake.infer.names import is_change_time, is_operation

_OPERATIONS = {"I", "U", "D", "INSERT", "UPDATE", "DELETE", "UPSERT", "DELETED", "MERGE"}
_DELETES = {"D", "DELETE", "DELETED"}


def sequence_candidate(table: TableFacts) -> str | None:
    """A date or timestamp column named like a change time (`updated_at`, `modified`), timestamps
    first. Chosen before the full pass: the key search needs it for change feeds."""
    ranked = sorted(
        (column.kind == "date", i, column.name)
        for i, column in enumerate(table.columns)
        if column.dated and is_change_time(column.name)
    )
    return ranked[0][2] if ranked else None


def confirm_sequence(table: TableFacts) -> None:
    """Keep `sequence_by` only when it is never NULL (a NULL one is quarantined)."""
    name = table.sequence_by
    if not name:
        return
    column = table.column(name)
    nulls = table.rows - column.present + column.bad
    if nulls:
        table.sequence_by = None
        table.notes.append(
            f"{name} looks like a change time but is NULL in {nulls:,} rows: not used as "
            "sequence_by (those rows would be quarantined)"
        )
        return
    table.evidence["sequence_by"] = (
        f"a {column.kind} named like a change time, never null: it orders each key's events"
    )


def _operation_values(column: ColumnFacts) -> list[str]:
    values = column.values if column.values is not None else sorted(column.sample_values)
    return [str(value) for value in values]


def operation_column(table: TableFacts) -> ColumnFacts | None:
    """A text column whose values are I/U/D or INSERT/UPDATE/DELETE (any case)."""
    for column in table.columns:
        if column.kind != "string" or not column.sample_values:
            continue
        values = {value.strip().upper() for value in _operation_values(column)}
        if not values <= _OPERATIONS:
            continue
        # Named like one (`op`, `operation`), or two kinds of operation one of which deletes;
        # a `grade` column whose only value is D is no operation column.
        if is_operation(column.name) or (values & _DELETES and len(values) > 1):
            return column
    return None


def infer_changes(table: TableFacts) -> dict[str, object]:
    """sequence_by, delete_when and except_columns of a table with a key."""
    fields: dict[str, object] = {}
    if not table.keys:
        if table.sequence_by:
            table.notes.append(
                f"{table.sequence_by} looks like a change time, but without a key there is "
                "nothing to order: every row is kept"
            )
        return fields
    if table.sequence_by:
        fields["sequence_by"] = table.sequence_by
    operation = operation_column(table)
    if operation is None:
        return fields
    values = _operation_values(operation)
    deletes = [value for value in values if value.strip().upper() in _DELETES]
    if not deletes:  # none landed yet: follow the values' own convention
        one_letter = all(len(value.strip()) == 1 for value in values)
        word = "D" if one_letter else "DELETE"
        deletes = [word.lower() if all(v.islower() for v in values) else word]
    if not table.sequence_by:
        table.notes.append(
            f"{operation.name} has change operations ({', '.join(values)}) but no change-time "
            "column orders them: no delete_when (it needs sequence_by)"
        )
        return fields
    column = f"`{operation.name}`"
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in deletes)
    fields["delete_when"] = (
        f"{column} IN ({quoted})" if len(deletes) > 1 else f"{column} = {quoted}"
    )
    fields["except_columns"] = [operation.name]
    table.evidence["delete_when"] = (
        f"{operation.name} has values {', '.join(values)}: {' or '.join(deletes)} deletes the key"
    )
    table.evidence["except_columns"] = f"{operation.name} describes the change event, not the row"
    return fields
