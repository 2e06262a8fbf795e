"""Keys: the smallest unique, never-null column or pair of columns.

The search is bounded: single columns first, then single columns together with the change time
of a change feed (a customer has many events, one per `updated_at`), then pairs of likely
columns (identifiers, codes and ordinals such as `l_linenumber`). The sample rules most
candidates out (a value repeated in the sample is repeated in the files); the full data decides
for the rest.
"""

from __future__ import annotations

from itertools import combinations
from math import prod

from bake.infer.model import ColumnFacts, TableFacts
from bake.infer.names import is_key_like, is_ordinal_like
from bake.infer.read import ident

MAX_PAIR_CANDIDATES = 6
MAX_KEY_TEXT = 64  # longer text is prose, not a code


def keyable(column: ColumnFacts) -> bool:
    """An integer, or text that looks like a code (short, no spaces)."""
    if column.kind == "integer" or (column.kind == "decimal" and column.guess.scale == 0):
        return True
    if column.kind != "string" or not column.sample_values:
        return False
    return all(
        isinstance(v, str) and len(v) <= MAX_KEY_TEXT and not any(c.isspace() for c in v)
        for v in column.sample_values
    )


def _preference(column: ColumnFacts, position: int) -> tuple:
    return (not is_key_like(column.name), column.kind != "integer", position)


def _sample_unique(table: TableFacts, names: list[str]) -> bool:
    rows = list(zip(*(table.sample[name] for name in names), strict=True))
    return all(None not in row for row in rows) and len(set(rows)) == len(rows)


def possible_keys(table: TableFacts) -> list[str]:
    """Single columns that may be the key: keyable, never NULL and unique in the sample."""
    ranked = sorted(
        (_preference(column, i), column.name)
        for i, column in enumerate(table.columns)
        if keyable(column) and _sample_unique(table, [column.name])
    )
    return [name for _, name in ranked]


def pair_candidates(table: TableFacts) -> list[str]:
    """Columns a composite key may be made of: identifiers, codes, ordinals and dates."""
    ranked = sorted(
        (_preference(column, i), column.name)
        for i, column in enumerate(table.columns)
        if column.kind == "date"  # a daily table: (store_id, day)
        or keyable(column)
        and (is_key_like(column.name) or is_ordinal_like(column.name))
        and None not in table.sample[column.name]
    )
    return [name for _, name in ranked][:MAX_PAIR_CANDIDATES]


def per_change_candidates(table: TableFacts, sequence: str | None) -> list[str]:
    """Single columns unique per change time in the sample (a change feed's key)."""
    if not sequence:
        return []
    return [
        column.name
        for column in table.columns
        if column.name != sequence
        and keyable(column)
        and is_key_like(column.name)
        and None not in table.sample[column.name]
        and _sample_unique(table, [column.name, sequence])
    ]


def plan(table: TableFacts) -> None:
    """Before the full pass: keep every column a key may be made of in memory as it is (text
    too, not just its length), for the checks over every row."""
    candidates = possible_keys(table) + per_change_candidates(table, table.sequence_by)
    for name in candidates + pair_candidates(table):
        table.column(name).keep = True


def _duplicates(con, table: TableFacts, names: list[str]) -> int:
    columns = ", ".join(ident(name) for name in names)
    return con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {ident(table.memory_table)} "
        f"GROUP BY {columns} HAVING count(*) > 1)"
    ).fetchone()[0]


def _never_null(table: TableFacts, names: list[str]) -> bool:
    return all(
        table.column(name).present == table.rows and not table.column(name).bad for name in names
    )


def find_key(con, table: TableFacts) -> None:
    """Set `table.keys` (empty for an event table) and its evidence."""
    rows = f"{table.rows:,}"
    for name in possible_keys(table):
        if _never_null(table, [name]) and not _duplicates(con, table, [name]):
            table.keys = [name]
            table.evidence["keys"] = f"{rows} rows, unique, never null"
            return
    sequence = table.sequence_by
    for name in per_change_candidates(table, sequence):
        if _never_null(table, [name]) and not _duplicates(con, table, [name, sequence]):
            events = con.execute(
                f"SELECT count(DISTINCT {ident(name)}) FROM {ident(table.memory_table)}"
            ).fetchone()[0]
            table.keys = [name]
            table.evidence["keys"] = (
                f"a change feed: {rows} events of {events:,} keys, unique per "
                f"{sequence}, never null"
            )
            return
    candidates = pair_candidates(table)
    pairs = [
        list(pair)
        for pair in combinations(candidates, 2)
        if _never_null(table, list(pair)) and _sample_unique(table, list(pair))
    ]
    # The tightest pair first: fewest combinations of values, e.g. (l_orderkey, l_linenumber)
    # before (l_orderkey, l_partkey).
    pairs.sort(key=lambda pair: prod(len(table.column(n).sample_values) for n in pair))
    for pair in pairs:
        if not _duplicates(con, table, pair):
            table.keys = pair
            table.evidence["keys"] = (
                f"{rows} rows, ({', '.join(pair)}) unique, never null; no single column is"
            )
            return
    looked_at = ", ".join(dict.fromkeys(possible_keys(table) + candidates)) or "none"
    table.keys = []
    table.evidence["keys"] = (
        f"no key: no column or pair is unique and never null over {rows} rows (candidates: "
        f"{looked_at}); an event table: every row is kept, append-only"
    )
