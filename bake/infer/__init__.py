"""Infer a table spec from landed files (csv, json lines, parquet): issue 21, "Bring your own data".

    from bake.infer import infer_folder, merge_into, render_tables_yml
    inferred = infer_folder(Path("landing"))          # InferredSpec: .tables, .evidence, .notes
    text = render_tables_yml(inferred)                 # tables.yml, evidence as comments
    merged = merge_into(Path("tables.yml").read_text(), inferred, tables=["orders"])

The result is the `tables` mapping of the template README ("Table spec"): role, keys,
references, date_column, date_range, sequence_by, delete_when, except_columns, measures,
attributes, columns (`{type, source}` where the landed name is not an identifier) and suggested
expectations (all `warn`), plus two fields of issue 21: `null_values` (the null markers found,
read as NULL in every column of the table) and `keys: []` (a fact with no key: an event log).
Every field has its evidence, one line each (`InferredSpec.evidence`), written as a YAML
comment beside it.

Reading needs duckdb and pyarrow; they are imported only when `infer_folder` runs, so `bake` (and
rendering or merging an inferred spec) still imports with only cookiecutter installed.
`python -m bake.infer FOLDER` prints the inferred tables.yml.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bake.infer.errors import InferError
from bake.infer.merge import Merged, merge_into
from bake.infer.render import render_tables_yml

if TYPE_CHECKING:
    from collections.abc import Callable

    from bake.infer.model import InferredSpec

__all__ = ["InferError", "Merged", "infer_folder", "merge_into", "render_tables_yml"]


def infer_folder(
    folder: Path, tables: list[str] | None = None, progress: Callable[[str], object] = print
) -> InferredSpec:
    """See `bake.infer.engine.infer_folder` (imported here lazily: it needs duckdb)."""
    from bake.infer.engine import infer_folder as infer

    return infer(folder, tables, progress)
