"""`infer_folder`: landed files in, an inferred `tables` spec out, with the evidence for it.

Stages, each in its own module: discover the tables, take a bounded sample of each (names,
null markers, types), plan which columns may be keys or references, read every row once into
memory (profile), fix the types the full data contradicts, find keys, references and roles,
then write the spec entries (assemble.py).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bake.infer import assemble, changes, keys, profile, read, references, sampling
from bake.infer.classify import MARKERS, classify
from bake.infer.columns import decide_types, describe, plural
from bake.infer.discover import TableFiles, discover, layout_note, select
from bake.infer.errors import InferError
from bake.infer.model import InferredSpec, TableFacts

MAX_PASSES = 4  # full passes per table while the full data contradicts the sample's types
LARGE = 64 * 2**20  # tables of this many bytes get a line before their full pass


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""


def _memory_limit() -> int:
    """A quarter of this machine's memory, between 512 MB and 4 GB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows): assume 8 GB
        total = 8 * 2**30
    return min(4 * 2**30, max(512 * 2**20, total // 4))


def _connect(workdir: str):
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = false")  # nothing here depends on row order
    con.execute(f"SET temp_directory = {read.literal(workdir)}")  # spill here, not in the cwd
    # DuckDB takes 80% of the memory by default; the in-memory copy of a big table spills to
    # the temporary folder instead (TPC-H SF1's lineitem holds about 1 GB).
    con.execute(f"SET memory_limit = '{_memory_limit() // 2**20}MB'")
    con.execute("SET TimeZone = 'UTC'")  # as both engines read timestamps (FACTS.md)
    return con


def _sample(con, files: TableFiles, index: int) -> TableFacts:
    layout = read.layout(con, files)
    raw = read.sample(con, files, layout)
    table = sampling.first_look(files, layout, raw, f"t{index}")
    count = len(files.files)
    table.evidence["table"] = (
        f"{files.path.name}: {count} {files.format} file{'s' if count > 1 else ''} "
        f"({_size(files.size)})"
    )
    if files.format == "csv":
        _dialect_notes(table)
    note = layout_note(files)
    if note:
        table.notes.append(note)
    table.sequence_by = changes.sequence_candidate(table)
    return table


def _dialect_notes(table: TableFacts) -> None:
    dialect = table.layout.dialect
    for option, default in read.SPARK_CSV_DEFAULTS.items():
        if dialect[option] != default:
            table.notes.append(
                f"the files use {option} {dialect[option]!r}; the pipeline reads csv with Spark's "
                f"default {default!r}: convert the files, or set the reader's option"
            )


def _profile(con, table: TableFacts) -> None:
    """The full pass, again while some value contradicts the sample's type."""
    for _ in range(MAX_PASSES):
        profile.full_pass(con, table)
        contradicted = [column for column in table.columns if column.bad]
        if not contradicted:
            return
        examples = profile.bad_examples(con, table, contradicted)
        for column in contradicted:
            found = examples[column.name]
            new_markers = [marker for marker in MARKERS if marker in found]
            for marker in new_markers:  # a null marker the sample did not reach
                if marker not in table.null_values:
                    table.null_values.append(marker)
                column.markers.append(marker)
            others = found - set(MARKERS)
            if others:
                before = column.kind
                column.guess = classify(column.sample_values | others)
                column.widened = (
                    f"{plural(column.bad, 'value')} beyond the sample not {before} "
                    f"(e.g. {sorted(others)[0]!r})"
                )
    bad = ", ".join(f"{c.landed} ({c.bad:,} values)" for c in table.columns if c.bad)
    raise InferError(
        f"{table.files.path}: cannot be typed -- after {MAX_PASSES} passes these columns still "
        f"have values that fit no type Spark reads the same way: {bad}"
    )


def infer_folder(
    folder: Path, tables: list[str] | None = None, progress: Callable[[str], object] = print
) -> InferredSpec:
    """Infer the `tables` spec of the csv, json-lines or parquet files under `folder` (one
    sub-folder or file per table). Raises InferError on bad input.

    With `tables` (spec or landed names) only those are returned, but every table is read: a
    table's role and references depend on the others (orders is a dimension because lineitem
    references it)."""
    started = time.perf_counter()
    found = discover(Path(folder))
    named = set(select(found, tables, Path(folder)))
    total = sum(t.size for t in found)
    progress(f"infer: {len(found)} tables in {folder} ({_size(total)})")
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="infer-") as workdir:
        con = _connect(workdir)
        try:
            facts = []
            for index, files in enumerate(found):
                clock = time.perf_counter()
                facts.append(_sample(con, files, index))
                seconds[files.name] = time.perf_counter() - clock
            for table in facts:
                keys.plan(table)
            references.plan(facts)
            for table in facts:
                clock = time.perf_counter()
                if table.files.size >= LARGE:
                    progress(f"infer: {table.name}: reading {_size(table.files.size)} ...")
                _profile(con, table)
                changes.confirm_sequence(table)
                keys.find_key(con, table)
                decide_types(table)
                profile.keep_only(con, table)
                seconds[table.name] += time.perf_counter() - clock
                progress(
                    f"infer: {table.name}: {table.rows:,} rows, key "
                    f"{', '.join(table.keys) or 'none'} ({seconds[table.name]:.1f} s)"
                )
            clock = time.perf_counter()
            references.find_references(con, facts)
            references.break_cycles(facts)
            references.align_types(facts)
            progress(f"infer: references checked ({time.perf_counter() - clock:.1f} s)")
        finally:
            con.close()
    for table in facts:
        describe(table)
    entries = {table.name: assemble.entry(table) for table in facts}
    ordered = assemble.order(facts, {name: entry["role"] for name, entry in entries.items()})
    ordered = [table for table in ordered if table.name in named]
    progress(f"infer: done in {time.perf_counter() - started:.1f} s")
    return InferredSpec(
        folder=Path(folder),
        tables={table.name: entries[table.name] for table in ordered},
        evidence={table.name: dict(table.evidence) for table in ordered},
        notes={table.name: list(table.notes) for table in ordered if table.notes},
        seconds={table.name: seconds[table.name] for table in ordered},
        sources={table.name: assemble.source(table) for table in ordered},
    )
