"""The full pass: read every row of a table once into memory, typed, and profile each column.

Only this pass reads whole files. It keeps, per column, what later stages need: the typed value
(numbers, dates, timestamps, booleans and the text of key, reference and low-cardinality columns),
a flag for values that do not cast to the type the sample suggested, and the length of other
text. Profiling and the key checks then run on the in-memory table.
"""

from __future__ import annotations

from bake.infer.model import ColumnFacts, TableFacts
from bake.infer.read import ident, literal, read_all, relation

LOW_CARDINALITY = 10  # at most this many distinct values: suggest an accepted-values rule
_INTEGER = r"'\s*[+-]?[0-9]+\s*'"
_DECIMAL = r"'\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*'"

# kind -> (DuckDB type to cast text to, extra test that the text is one Spark's cast accepts).
# DuckDB's casts accept forms Spark's do not: `1_000` and `0x10` as integers, `2024/01/05` as a
# date; the extra tests reject those so that a value counted as castable here is one for Spark.
# (regexp_full_match is cheap here; trim(x, characters) was ten times slower.)
_CASTS = {
    "integer": ("BIGINT", f"NOT regexp_full_match({{raw}}, {_INTEGER})"),
    "double": ("DOUBLE", None),
    "date": ("DATE", "contains({raw}, '/')"),
    "timestamp": ("TIMESTAMPTZ", "contains({raw}, '/')"),
    "timestamp_ntz": ("TIMESTAMP", "contains({raw}, '/')"),
    "boolean": ("BOOLEAN", None),
}


def is_low_cardinality(column: ColumnFacts) -> bool:
    return (
        column.kind == "string"
        and 0 < len(column.sample_values) <= LOW_CARDINALITY
        and column.sample_present >= 2 * LOW_CARDINALITY
    )


def _cast(column: ColumnFacts, raw: str) -> tuple[str, str]:
    """(typed value, bad flag) expressions over the text column `raw`."""
    if column.kind == "decimal":
        # 18 digits fit in 8 bytes of memory, 38 take 16; a value that overflows fails the
        # cast, so the column is widened and read again (engine._profile).
        digits = column.guess.scale + column.guess.integer_digits
        typed = f"TRY_CAST({raw} AS DECIMAL({18 if digits < 18 else 38}, {column.guess.scale}))"
        strict = f"NOT regexp_full_match({raw}, {_DECIMAL})"
    else:
        duck_type, strict = _CASTS[column.kind]
        typed = f"TRY_CAST({raw} AS {duck_type})"
        strict = strict.format(raw=raw) if strict else None
    bad = f"{typed} IS NULL" + (f" OR {strict}" if strict else "")
    return typed, f"({raw} IS NOT NULL AND ({bad}))"


def _without_markers(table: TableFacts, column: ColumnFacts) -> str:
    """The landed column with the table's null markers read as NULL, as the pipeline reads it."""
    landed = ident(column.landed)
    if table.files.format == "parquet" or not table.null_values:
        return landed
    markers = ", ".join(literal(marker) for marker in table.null_values)
    return f"CASE WHEN {landed} IN ({markers}) THEN NULL ELSE {landed} END"


def _storage(column: ColumnFacts) -> str:
    """How the in-memory table holds a column: `typed` (numbers, dates, booleans: cast, with a
    flag for values that do not cast), `text` (key and reference candidates: joined on),
    `hash` (a handful of distinct values: counted), `length` (other text: only its presence and
    length matter), or `flag` (nested parquet types: present or not)."""
    if column.kind == "other":
        return "flag"
    if column.kind not in ("string", "empty"):
        return "typed"
    if column.keep:
        return "text"
    return "hash" if is_low_cardinality(column) else "length"


def _select(table: TableFacts) -> str:
    """The in-memory table's SELECT, over `relation()` with null markers read as NULL."""
    text = table.files.format != "parquet"
    inner, outer = [], []
    for column in table.columns:
        raw = ident(f"raw__{column.name}")
        inner.append(f"{_without_markers(table, column)} AS {raw}")
        name, storage = column.name, _storage(column)
        if storage == "typed" and text:
            typed, bad = _cast(column, raw)
            outer += [f"{typed} AS {ident(name)}", f"{bad} AS {ident(name + '__bad')}"]
            if column.kind == "decimal":
                scale = f"length(rtrim({raw})) - strpos({raw}, '.')"
                outer.append(
                    f"CAST(CASE WHEN contains({raw}, '.') THEN {scale} ELSE 0 END AS SMALLINT) "
                    f"AS {ident(name + '__scale')}"
                )
        elif storage in ("typed", "text"):
            outer.append(f"{raw} AS {ident(name)}")
        elif storage == "hash":  # 8 bytes a row instead of the text
            outer.append(f"CASE WHEN {raw} IS NOT NULL THEN hash({raw}) END AS {ident(name)}")
            outer.append(f"CAST(length({raw}) AS INTEGER) AS {ident(name + '__len')}")
        elif storage == "length":
            outer.append(f"CAST(length({raw}) AS INTEGER) AS {ident(name + '__len')}")
        else:
            outer.append(f"{raw} IS NOT NULL AS {ident(name + '__len')}")
    source = relation(table.files, table.layout)
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source})"


def _aggregates(table: TableFacts) -> list[tuple[ColumnFacts, str, str]]:
    """(column, attribute, aggregate SQL) for the profile query."""
    text = table.files.format != "parquet"
    wanted = []
    for column in table.columns:
        name, storage = ident(column.name), _storage(column)
        length = ident(column.name + "__len")
        if storage == "flag":
            wanted.append((column, "present", f"count(*) FILTER ({length})"))
        elif storage in ("length", "hash"):
            wanted.append((column, "present", f"count({length})"))
            wanted.append((column, "longest", f"max({length})"))
        else:
            wanted.append((column, "present", f"count({name})"))
        if storage == "text":
            wanted.append((column, "longest", f"max(length({name}))"))
        if storage in ("hash", "text") and is_low_cardinality(column):
            wanted.append((column, "distinct", f"count(DISTINCT {name})"))
        if storage == "typed" and text:
            wanted.append((column, "bad", f"count(*) FILTER ({ident(column.name + '__bad')})"))
        if column.numeric or column.dated:
            wanted.append((column, "minimum", f"min({name})"))
            wanted.append((column, "maximum", f"max({name})"))
        if column.kind == "decimal" and text:
            wanted.append((column, "scale", f"max({ident(column.name + '__scale')})"))
    return wanted


def full_pass(con, table: TableFacts) -> None:
    """Read every row into `table.memory_table` and fill the columns' full-pass facts."""
    select = _select(table)
    memory = ident(table.memory_table)
    con.execute(f"DROP TABLE IF EXISTS {memory}")
    read_all(con, f"CREATE TEMP TABLE {memory} AS {select}", str(table.files.path))
    wanted = _aggregates(table)
    row = con.execute(
        f"SELECT count(*), {', '.join(sql for _, _, sql in wanted)} FROM {memory}"
    ).fetchone()
    table.rows = row[0]
    for column in table.columns:
        column.bad = column.scale = column.longest = column.distinct = 0
        column.minimum = column.maximum = column.values = None
    for (column, attribute, _), value in zip(wanted, row[1:], strict=True):
        setattr(column, attribute, value if value is not None else 0)
    for column in table.columns:
        column.present += column.bad  # a value that does not cast is still there
        if is_low_cardinality(column) and column.distinct <= LOW_CARDINALITY:
            column.values = _distinct_values(con, table, column)


def _distinct_values(con, table: TableFacts, column: ColumnFacts) -> list | None:
    """The distinct values of a low-cardinality column, or None when they are not all known."""
    if _storage(column) == "text":
        found = con.execute(
            f"SELECT DISTINCT {ident(column.name)} FROM {ident(table.memory_table)} "
            f"WHERE {ident(column.name)} IS NOT NULL ORDER BY 1"
        ).fetchall()
        return [value for (value,) in found]
    # Hashed: the sample's values are among the column's, so equal counts mean equal sets.
    if column.distinct == len(column.sample_values):
        return sorted(column.sample_values)
    return None


def bad_examples(con, table: TableFacts, columns: list[ColumnFacts]) -> dict[str, set[str]]:
    """Two values per column (the least and the greatest) that do not cast to its type."""
    parts = []
    for column in columns:
        _, bad = _cast(column, f"({_without_markers(table, column)})")
        raw = ident(column.landed)
        parts += [f"min({raw}) FILTER ({bad})", f"max({raw}) FILTER ({bad})"]
    row = read_all(
        con,
        f"SELECT {', '.join(parts)} FROM {relation(table.files, table.layout)}",
        str(table.files.path),
    ).fetchone()
    examples = {}
    for i, column in enumerate(columns):
        found = {value for value in row[2 * i : 2 * i + 2] if value is not None}
        examples[column.name] = found
    return examples


def keep_only(con, table: TableFacts) -> None:
    """Shrink the in-memory table to the columns the reference checks join on: the table's
    single key and the columns that may reference another table's."""
    joined = set(table.reference_candidates) | set(table.keys if len(table.keys) == 1 else [])
    kept = [ident(column.name) for column in table.columns if column.name in joined]
    memory = ident(table.memory_table)
    if not kept:
        con.execute(f"DROP TABLE IF EXISTS {memory}")
        return
    con.execute(f"CREATE OR REPLACE TEMP TABLE {memory} AS SELECT {', '.join(kept)} FROM {memory}")
