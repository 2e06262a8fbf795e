"""What the inference learns about each table and column, and the spec it returns.

`ColumnFacts` and `TableFacts` are filled in stages (sample, full pass, keys, references, roles);
`InferredSpec` is the result: the `tables` mapping in the spec format of the template README
("Table spec") plus, for every field it sets, the evidence as one line of text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bake.infer.classify import Guess
from bake.infer.discover import TableFiles
from bake.infer.read import Layout


@dataclass
class ColumnFacts:
    landed: str  # the name in the files
    name: str  # the clean name in the spec
    guess: Guess  # what the sample looks like
    sample_values: set  # distinct non-NULL sample values (markers removed)
    sample_present: int = 0  # non-NULL sample values
    markers: list[str] = field(default_factory=list)  # null markers seen in this column
    spark_type: str | None = None  # decided after the full pass
    widened: str = ""  # why the type is wider than the sample said
    # the full pass over every row
    present: int = 0  # non-NULL values (markers removed)
    bad: int = 0  # values that do not cast to the guessed type
    minimum: Any = None
    maximum: Any = None
    scale: int = 0  # decimals: most digits after the point
    longest: int = 0  # text: most characters
    distinct: int = 0  # low-cardinality text: how many distinct values
    values: list | None = None  # the distinct values of a low-cardinality column
    keep: bool = False  # kept in memory for the key and reference checks

    @property
    def kind(self) -> str:
        return self.guess.kind

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "decimal", "double")

    @property
    def dated(self) -> bool:
        return self.kind in ("date", "timestamp", "timestamp_ntz")


@dataclass
class TableFacts:
    files: TableFiles
    layout: Layout
    columns: list[ColumnFacts]
    null_values: list[str]
    sample_rows: int
    sample: dict[str, list]  # clean column name -> sampled values, markers as None
    memory_table: str  # the DuckDB table that holds the kept columns
    rows: int = 0
    keys: list[str] = field(default_factory=list)
    sequence_by: str | None = None
    possible_keys: list[str] = field(default_factory=list)  # single columns unique in the sample
    reference_candidates: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    referenced_by: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # written above the table

    @property
    def name(self) -> str:
        return self.files.name

    def column(self, name: str) -> ColumnFacts:
        return next(column for column in self.columns if column.name == name)


@dataclass
class InferredSpec:
    """The inferred `tables` mapping (README, "Table spec"), and why.

    `evidence[table]` maps a field path to one line of text: `table` (where it was read from),
    `role`, `keys`, `null_values`, `references.<column>`, `columns.<column>`, `date_column`,
    `date_range`, `sequence_by`, `delete_when`, `except_columns`, `measures`, `attributes`,
    `expectations.<rule>`. `notes[table]` are lines worth reading before using the table.
    """

    folder: Path
    tables: dict[str, dict[str, Any]]
    evidence: dict[str, dict[str, str]]
    notes: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # time spent per table
    # table -> {path, format, files, rows, dialect (csv: delimiter, quote, escape)}
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_yaml(self, tables: list[str] | None = None) -> str:
        from bake.infer.render import render_tables_yml

        return render_tables_yml(self, tables)
