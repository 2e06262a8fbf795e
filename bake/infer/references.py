"""References: a column whose values are (mostly) found in another table's single-column key.

Values alone are not enough, since small integer codes (1..7) fit in any small dimension's key:
the column's name must point at the table or its key (`names.reference_affinity`), so two
same-named columns that are not keys (`year` in two tables) are never linked. The containment
rate is measured over every row and reported: orphan codes (a store the store file lacks) are
real data, so a rate of at least MIN_CONTAINMENT is enough.
"""

from __future__ import annotations

from bake.infer.columns import plural
from bake.infer.keys import keyable, per_change_candidates, possible_keys
from bake.infer.model import ColumnFacts, TableFacts
from bake.infer.names import common_prefix, reference_affinity
from bake.infer.read import ident

MIN_CONTAINMENT = 0.95
MAX_ORPHAN_EXAMPLES = 5


def _prefix(table: TableFacts) -> str:
    return common_prefix([column.name for column in table.columns])


def _compatible(column: ColumnFacts, key: ColumnFacts) -> bool:
    integers = ("integer", "decimal")
    if column.kind in integers and key.kind in integers:
        return column.guess.scale == 0 and key.guess.scale == 0
    return column.kind == key.kind == "string"


def plan(tables: list[TableFacts]) -> None:
    """Before the full pass: keep in memory the columns that may reference another table's key
    (keys.plan keeps the keys)."""
    targets = {
        table.name: possible_keys(table) + per_change_candidates(table, table.sequence_by)
        for table in tables
    }
    for table in tables:
        for column in table.columns:
            if not keyable(column):
                continue
            for other in tables:
                if other is table:
                    continue
                for key in targets[other.name]:
                    why = reference_affinity(
                        column.name, _prefix(table), other.name, key, _prefix(other)
                    )
                    if why and _compatible(column, other.column(key)):
                        table.reference_candidates.setdefault(column.name, []).append(
                            (other.name, key, why)
                        )
                        column.keep = True


def _containment(con, table: TableFacts, column: str, other: TableFacts, key: str):
    """(non-NULL rows, rows not found, distinct codes not found, a few of those codes)."""
    source, target = ident(table.memory_table), ident(other.memory_table)
    c, k = ident(column), ident(key)
    present, missing, codes = con.execute(
        f"SELECT count(a.{c}), count(a.{c}) FILTER (WHERE b.{k} IS NULL), "
        f"count(DISTINCT a.{c}) FILTER (WHERE b.{k} IS NULL) "
        f"FROM {source} a LEFT JOIN (SELECT DISTINCT {k} FROM {target}) b ON a.{c} = b.{k}"
    ).fetchone()
    examples = []
    if codes:
        examples = [
            value
            for (value,) in con.execute(
                f"SELECT DISTINCT a.{c} FROM {source} a ANTI JOIN {target} b ON a.{c} = b.{k} "
                f"WHERE a.{c} IS NOT NULL ORDER BY 1 LIMIT {MAX_ORPHAN_EXAMPLES}"
            ).fetchall()
        ]
    return present, missing, codes, examples


def _evidence(table: TableFacts, present, missing, codes, examples, where: str) -> str:
    rate = (present - missing) / present if present else 0.0
    # Never round an incomplete match up to 100.0%.
    shown = f"{rate:.1%}" if not missing or rate < 0.9995 else "99.9%"
    text = f"{shown} of {present:,} values found in {where}"
    if missing:
        listed = ", ".join(str(value) for value in examples)
        more = ", ..." if codes > len(examples) else ""
        text += (
            f"; {plural(missing, 'row')} with {plural(codes, 'code')} not found ({listed}{more})"
        )
    nulls = table.rows - present
    if nulls:
        text += f"; {nulls:,} NULL"
    return text


def find_references(con, tables: list[TableFacts]) -> None:
    """Set each table's `references` (column -> table) and `referenced_by`, with evidence."""
    by_name = {table.name: table for table in tables}
    for table in tables:
        for column, candidates in table.reference_candidates.items():
            if table.keys == [column]:
                continue  # the table's own key: one row per member, not a link
            found = []
            for other_name, key, why in candidates:
                other = by_name[other_name]
                if other.keys != [key]:
                    continue
                present, missing, codes, examples = _containment(con, table, column, other, key)
                rate = (present - missing) / present if present else 0.0
                text = _evidence(
                    table, present, missing, codes, examples, f"{other_name}.{key} ({why})"
                )
                found.append((rate, other_name, text))
            if not found:
                continue
            rate, target, text = max(found, key=lambda item: item[0])
            if rate >= MIN_CONTAINMENT:
                table.references[column] = target
                table.evidence[f"references.{column}"] = text
                by_name[target].referenced_by.append(table.name)
            else:
                table.notes.append(
                    f"{column} is named like a reference, but only {text}: not linked "
                    f"(at least {MIN_CONTAINMENT:.0%} must be found)"
                )


def align_types(tables: list[TableFacts]) -> None:
    """A reference gets its key's integer type: `bill_to_customer` int -> bigint like
    customers.customer_id, so the join compares equal types in both engines."""
    by_name = {table.name: table for table in tables}
    for table in tables:
        if table.files.format == "parquet":
            continue  # parquet columns keep the type written in the files
        for name, target in table.references.items():
            column, key = table.column(name), by_name[target].column(by_name[target].keys[0])
            widths = ("tinyint", "smallint", "int", "bigint")
            if column.spark_type in widths and key.spark_type in widths:
                if widths.index(key.spark_type) > widths.index(column.spark_type):
                    column.widened = f"{key.spark_type} like {target}.{key.name}, its key"
                    column.spark_type = key.spark_type


def break_cycles(tables: list[TableFacts]) -> None:
    """Dimensions that reference each other would form a cycle: drop the link that closes it."""
    by_name = {table.name: table for table in tables}

    def path(start: str, goal: str, seen: set[str]) -> bool:
        if start == goal:
            return True
        seen.add(start)
        return any(
            path(target, goal, seen)
            for target in by_name[start].references.values()
            if target not in seen
        )

    for table in tables:
        for column, target in list(table.references.items()):
            if path(target, table.name, set()):
                del table.references[column]
                by_name[target].referenced_by.remove(table.name)
                evidence = table.evidence.pop(f"references.{column}")
                table.notes.append(
                    f"{column} -> {target} ({evidence}) not linked: it would close a cycle of "
                    "references between dimensions"
                )
