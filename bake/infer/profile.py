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
        typed = f"TRY_CAST({raw} AS DECIMAL(38, {column.guess.scale}))"
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


def _select(table: TableFacts) -> str:
    """The in-memory table's SELECT, over `relation()` with null markers read as NULL."""
    text = table.files.format != "parquet"
    inner, outer = [], []
    for column in table.columns:
        raw = ident(f"raw__{column.name}")
        inner.append(f"{_without_markers(table, column)} AS {raw}")
        name = ident(column.name)
        if text and column.kind not in ("string", "empty"):
            typed, bad = _cast(column, raw)
            outer += [f"{typed} AS {name}", f"{bad} AS {ident(column.name + '__bad')}"]
            if column.kind == "decimal":
                scale = f"length(rtrim({raw})) - strpos({raw}, '.')"
                outer.append(
                    f"CASE WHEN contains({raw}, '.') THEN {scale} ELSE 0 END "
                    f"AS {ident(column.name + '__scale')}"
                )
        elif column.kind in ("string", "empty") and not (column.keep or is_low_cardinality(column)):
            # Free text: only whether it is there matters; its length costs less memory.
            outer.append(f"length({raw}) AS {ident(column.name + '__len')}")
        elif column.kind == "other":
            outer.append(f"{raw} IS NOT NULL AS {ident(column.name + '__len')}")
        else:
            outer.append(f"{raw} AS {name}")
    source = relation(table.files, table.layout)
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source})"


def _aggregates(table: TableFacts) -> list[tuple[ColumnFacts, str, str]]:
    """(column, attribute, aggregate SQL) for the profile query."""
    text = table.files.format != "parquet"
    wanted = []
    for column in table.columns:
        name = ident(column.name)
        stored_as_length = column.kind in ("string", "empty", "other") and not (
            column.keep or is_low_cardinality(column)
        )
        if stored_as_length:
            length = ident(column.name + "__len")
            wanted.append((column, "present", f"count({length})"))
            if column.kind != "other":
                wanted.append((column, "longest", f"max({length})"))
            continue
        wanted.append((column, "present", f"count({name})"))
        if column.kind in ("string", "empty"):
            wanted.append((column, "longest", f"max(length({name}))"))
        if text and column.kind not in ("string", "empty"):
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
        column.bad = column.scale = column.longest = 0
        column.minimum = column.maximum = None
    for (column, attribute, _), value in zip(wanted, row[1:], strict=True):
        setattr(column, attribute, value if value is not None else 0)
    for column in table.columns:
        column.present += column.bad  # a value that does not cast is still there
        if is_low_cardinality(column):
            values = con.execute(
                f"SELECT DISTINCT {ident(column.name)} FROM {memory} "
                f"WHERE {ident(column.name)} IS NOT NULL ORDER BY 1 LIMIT {LOW_CARDINALITY + 1}"
            ).fetchall()
            column.values = [value for (value,) in values]


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
    """Shrink the in-memory table to the columns later stages join on."""
    kept = [ident(column.name) for column in table.columns if column.keep]
    memory = ident(table.memory_table)
    if not kept:
        con.execute(f"DROP TABLE IF EXISTS {memory}")
        return
    con.execute(f"CREATE OR REPLACE TEMP TABLE {memory} AS SELECT {', '.join(kept)} FROM {memory}")
