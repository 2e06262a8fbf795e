"""First look at a table: clean column names, null markers and types from a bounded sample."""

from __future__ import annotations

from bake.infer import arrow_types
from bake.infer.classify import MARKERS, Guess, classify, split_markers
from bake.infer.discover import TableFiles
from bake.infer.errors import InferError
from bake.infer.model import ColumnFacts, TableFacts
from bake.infer.names import clean, unique
from bake.infer.read import Layout


def _parquet_columns(table: TableFiles, layout: Layout, raw: dict[str, list], names: list[str]):
    columns = []
    for landed, name in zip(layout.columns, names, strict=True):
        try:
            spark = arrow_types.spark_type(layout.arrow_types[landed])
        except ValueError as exc:
            raise InferError(
                f"{table.files[0]}: column {landed!r} cannot be typed -- {exc}; write it as a "
                "number, text, boolean, date, timestamp, decimal, list, map or struct"
            ) from exc
        values = [value for value in raw[landed] if value is not None]
        hashable = {v for v in values if not isinstance(v, (list, dict))}
        scale = getattr(layout.arrow_types[landed], "scale", 0)  # decimals: not a code unless 0
        guess = Guess(arrow_types.kind(spark), len(hashable), scale=scale)
        column = ColumnFacts(landed, name, guess, hashable)
        column.sample_present = len(values)
        column.spark_type = spark
        columns.append(column)
    return columns


def _text_columns(layout: Layout, raw: dict[str, list], names: list[str]):
    """Column facts of csv/json text columns, and the table's null markers."""
    seen_markers: set[str] = set()
    for landed in layout.columns:
        _, present = split_markers({value for value in raw[landed] if value is not None})
        seen_markers.update(present)
    # One list per table, as the reader options take it: a marker is NULL in every column.
    null_values = [marker for marker in MARKERS if marker in seen_markers]
    columns = []
    for landed, name in zip(layout.columns, names, strict=True):
        values = [value for value in raw[landed] if value is not None and value not in null_values]
        distinct = set(values)
        if landed in layout.nested:
            guess = Guess("string", len(distinct), note="nested JSON, kept as its text")
        else:
            guess = classify(distinct)
        markers = [m for m in null_values if m in raw[landed]]  # NULL here, as in every column
        column = ColumnFacts(landed, name, guess, distinct, len(values), markers)
        columns.append(column)
    return columns, null_values


def first_look(table: TableFiles, layout: Layout, raw: dict[str, list], memory: str) -> TableFacts:
    names = unique([clean(landed, "column", i) for i, landed in enumerate(layout.columns, 1)])
    if table.format == "parquet":
        columns, null_values = _parquet_columns(table, layout, raw, names), []
    else:
        columns, null_values = _text_columns(layout, raw, names)
    rows = len(next(iter(raw.values())))
    markers = set(null_values)
    sample = {
        column.name: [
            None if value is None or (isinstance(value, str) and value in markers) else value
            for value in raw[column.landed]
        ]
        for column in columns
    }
    return TableFacts(table, layout, columns, null_values, rows, sample, memory)
