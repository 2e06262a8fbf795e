"""Read landed files with DuckDB (csv dialect sniffing, json lines) and pyarrow (parquet footers).

`layout()` learns a table's columns, `sample()` reads a bounded sample of its rows (the head of up
to `MAX_SAMPLE_FILES` files spread over the table), and `relation()` is the SQL that reads every
row, csv and json columns as text: the pipeline reads them as text too and casts them in silver.
Every problem becomes an `InferError` naming the file. The csv files of a table must share one
header and the parquet files one schema; json files may differ in keys (a key missing from a
record is NULL, as Spark's reader has it), and a table's keys are those of its sampled files.
"""

from __future__ import annotations

import csv
import gzip
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bake.infer.discover import TableFiles
from bake.infer.errors import InferError

SAMPLE_ROWS = 20_000
MAX_SAMPLE_FILES = 8
SPARK_CSV_DEFAULTS = {"delimiter": ",", "quote": '"'}


@dataclass
class Layout:
    """A table's landed columns (in file order) and how to read them."""

    columns: list[str]
    dialect: dict[str, str] = field(default_factory=dict)  # csv: delimiter, quote, escape
    arrow_types: dict[str, Any] = field(default_factory=dict)  # parquet: column -> pyarrow type
    nested: set[str] = field(default_factory=set)  # json: objects and arrays, read as text


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def _files_sql(files: tuple[Path, ...] | list[Path]) -> str:
    return "[" + ", ".join(literal(str(f)) for f in files) + "]"


def _first_problem(exc: Exception) -> str:
    """The reader's explanation: DuckDB's first paragraph without the offending line's text
    (`CSV Error on Line: 2 Invalid unicode ... This file is not utf-8 encoded.`)."""
    paragraph = str(exc).strip().split("\n\n")[0].splitlines()
    text = " ".join(line for line in paragraph if not line.startswith("Original Line:"))
    return text if len(text) <= 300 else text[:297] + "..."


def _check_not_empty(table: TableFiles) -> None:
    for file in table.files:
        if file.stat().st_size == 0:
            raise InferError(
                f"{file}: empty file -- a {table.format} file of table {table.name!r} needs "
                + ("a header line and rows" if table.format == "csv" else "rows")
            )


def _header(file: Path, dialect: dict[str, str]) -> list[str]:
    """The header line of a csv file, split with DuckDB's sniffed dialect."""
    opener = gzip.open if file.name.lower().endswith(".gz") else open
    try:
        with opener(file, "rt", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(
                handle, delimiter=dialect["delimiter"], quotechar=dialect["quote"] or None
            )
            return next(reader, [])
    except UnicodeDecodeError as exc:
        raise InferError(
            f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}) -- save it as UTF-8: "
            "the pipeline reads csv as UTF-8"
        ) from exc


def _csv_layout(con, table: TableFiles) -> Layout:
    first = table.files[0]
    try:
        delimiter, quote, escape, has_header, columns = con.execute(
            "SELECT Delimiter, Quote, Escape, HasHeader, Columns "
            f"FROM sniff_csv({literal(str(first))}, sample_size = 20480)"
        ).fetchone()
    except Exception as exc:  # duckdb.Error: the file is not csv at all
        raise InferError(f"{first}: cannot be read as csv -- {_first_problem(exc)}") from exc
    # "(empty)": the sniffed lines had no quotes or escapes. Read later lines as RFC 4180 csv
    # (a quoted field doubles its quotes), which is also how the sniffer reads by default.
    empty = "(empty)"
    dialect = {
        "delimiter": delimiter,
        "quote": '"' if quote == empty else quote,
        "escape": (quote if quote != empty else '"') if escape == empty else escape,
    }
    if not has_header:
        first_line = _header(first, dialect)
        if len(first_line) != len(columns):
            raise InferError(
                f"{first}: cannot be read as csv -- its lines have different numbers of fields "
                f"(the first has {len(first_line)}, others up to {len(columns)}); every row needs "
                "one field per header column"
            )
        preview = ", ".join(column["name"] for column in columns[:4])
        raise InferError(
            f"{first}: no header line -- its first line reads as data like the others (DuckDB's "
            f"sniffer found types, not names: {preview}); add a first line naming the columns"
        )
    names = _header(first, dialect)
    _check_names(first, names)
    for file in table.files[1:]:
        other = _header(file, dialect)
        if [n.lower() for n in other] != [n.lower() for n in names]:
            raise InferError(
                f"{file}: its columns ({', '.join(other) or 'none'}) differ from {first.name}'s "
                f"({', '.join(names)}) -- every file of table {table.name!r} needs the same header"
            )
    return Layout(names, dialect=dialect)


def _check_names(file: Path, names: list[str]) -> None:
    if not names:
        raise InferError(f"{file}: no header line -- add a first line naming the columns")
    seen: dict[str, str] = {}
    for position, name in enumerate(names, 1):
        if not name.strip():
            raise InferError(f"{file}: column {position} has no name -- name it in the header")
        if name.lower() in seen:
            raise InferError(
                f"{file}: two columns named {seen[name.lower()]!r} and {name!r} -- column names "
                "must differ (ignoring case): the pipeline matches them ignoring case"
            )
        seen[name.lower()] = name


def _json_layout(con, table: TableFiles) -> Layout:
    files = _spread(table.files)
    try:
        described = con.execute(
            f"DESCRIBE SELECT * FROM read_json_auto({_files_sql(files)}, "
            "format = 'newline_delimited', records = true, union_by_name = true)"
        ).fetchall()
    except Exception as exc:
        raise InferError(
            f"{table.path}: cannot be read as JSON lines (one object per line, as the pipeline "
            f"reads them) -- {_first_problem(exc)}"
        ) from exc
    names = [row[0] for row in described]
    _check_names(table.files[0], names)
    nested_types = ("STRUCT", "MAP", "JSON")  # and lists, `BIGINT[]`
    nested = {
        name
        for name, type_, *_ in described
        if type_.endswith("]") or type_.startswith(nested_types)
    }
    return Layout(names, nested=nested)


def _parquet_layout(table: TableFiles) -> Layout:
    import pyarrow.parquet as pq

    schemas = []
    for file in table.files:
        try:
            schemas.append((file, pq.read_schema(file)))
        except Exception as exc:  # pyarrow.ArrowInvalid and OSError: not a parquet file
            raise InferError(f"{file}: cannot be read as parquet -- {exc}") from exc
    first_file, first = schemas[0]
    for file, schema in schemas[1:]:
        if not schema.equals(first):
            theirs = ", ".join(f"{f.name} {f.type}" for f in schema)
            ours = ", ".join(f"{f.name} {f.type}" for f in first)
            raise InferError(
                f"{file}: its columns ({theirs}) differ from {first_file.name}'s ({ours}) -- "
                f"every file of table {table.name!r} needs the same columns and types"
            )
    names = list(first.names)
    _check_names(first_file, names)
    return Layout(names, arrow_types={f.name: f.type for f in first})


def layout(con, table: TableFiles) -> Layout:
    _check_not_empty(table)
    if table.format == "csv":
        return _csv_layout(con, table)
    if table.format == "json":
        return _json_layout(con, table)
    return _parquet_layout(table)


def relation(table: TableFiles, layout: Layout, files: list[Path] | None = None) -> str:
    """SQL for the rows of `files` (default: every file): csv and json columns as text."""
    files_sql = _files_sql(files or table.files)
    if table.format == "parquet":
        columns = ", ".join(ident(name) for name in layout.columns)
        return f"(SELECT {columns} FROM read_parquet({files_sql}))"
    struct = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in layout.columns) + "}"
    if table.format == "json":
        return f"read_json({files_sql}, format = 'newline_delimited', columns = {struct})"
    dialect = layout.dialect
    return (
        f"read_csv({files_sql}, auto_detect = false, header = true, "
        f"delim = {literal(dialect['delimiter'])}, quote = {literal(dialect['quote'])}, "
        f"escape = {literal(dialect['escape'])}, columns = {struct}, strict_mode = true)"
    )


def _spread(files: tuple[Path, ...]) -> list[Path]:
    """Up to MAX_SAMPLE_FILES files, first and last included, evenly spread."""
    if len(files) <= MAX_SAMPLE_FILES:
        return list(files)
    step = (len(files) - 1) / (MAX_SAMPLE_FILES - 1)
    return [files[round(i * step)] for i in range(MAX_SAMPLE_FILES)]


def sample(con, table: TableFiles, layout: Layout) -> dict[str, list]:
    """Column -> values of up to SAMPLE_ROWS rows (text for csv and json; None for NULL)."""
    files = _spread(table.files)
    per_file = math.ceil(SAMPLE_ROWS / len(files))
    rows: list[tuple] = []
    for file in files:
        try:
            rows += con.execute(
                f"SELECT * FROM {relation(table, layout, [file])} LIMIT {per_file}"
            ).fetchall()
        except Exception as exc:
            raise InferError(
                f"{file}: cannot be read as {table.format} -- {_first_problem(exc)}"
            ) from exc
    if not rows:
        raise InferError(
            f"{table.path}: no rows -- table {table.name!r} has "
            + ("only a header" if table.format == "csv" else "no records")
            + "; land at least one row to infer its columns"
        )
    return {name: [row[i] for row in rows] for i, name in enumerate(layout.columns)}


def read_all(con, sql: str, where: str) -> Any:
    """Run a query over landed files; a reader error names the table's folder or file."""
    try:
        return con.execute(sql)
    except Exception as exc:
        raise InferError(f"{where}: cannot be read -- {_first_problem(exc)}") from exc
