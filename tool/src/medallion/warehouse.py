"""The local warehouse's tables read the way Spark reads them, whatever a cut run left behind.

`make run-local` writes every table as a parquet folder under `.local/warehouse/<table>/`:

- a streaming table (bronze, the quarantine tables) is written by Spark's file sink: each
  micro-batch writes its files, then commits their names to the sink log `_spark_metadata/<batch>`
  (every tenth batch compacts the log into `<batch>.compact`). Spark reads only the files the log
  lists, also when the table is read through the catalog, so the files of a batch that was cut
  before its commit are never read, and the restarted query writes that batch again;
- a materialized view (silver, gold) is rewritten by every run: emptied, then written through
  Hadoop's output committer, whose tasks write under `_temporary/` and whose job commit moves the
  files into the folder.

A plain reader of the folder (pyarrow, pandas, DuckDB) sees every `*.parquet` file, the
uncommitted ones of a cut batch included: they would count twice. So this module lists what Spark
reads, reads a file's footer only when it is a complete parquet file, and names the rest.
`run_local` removes uncommitted files before each run (`remove_uncommitted`), so after it the
folders hold exactly the committed rows for any reader.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyarrow.parquet as pq

SINK_LOG = "_spark_metadata"
LOG_FILE = re.compile(r"(\d+)(\.compact)?")


@dataclass
class TableFiles:
    """The parquet files of one table folder."""

    committed: list[Path]  # what Spark reads
    uncommitted: list[Path] = field(default_factory=list)  # a cut batch's files (streaming)
    streaming: bool = False


def is_streaming_table(table_dir: Path) -> bool:
    """Spark's file sink keeps `_spark_metadata/` in a streaming table's folder; views have none."""
    return (table_dir / SINK_LOG).is_dir()


def _visible(table_dir: Path) -> list[Path]:
    """Every parquet file of the folder that Spark's file listing would see: none under `_` or
    `.` folders (`_temporary/` of a running job, the sink log) and no hidden file."""
    return sorted(
        path
        for path in table_dir.rglob("*.parquet")
        if not any(part.startswith(("_", ".")) for part in path.relative_to(table_dir).parts)
    )


def committed_names(log_dir: Path) -> set[str]:
    """Paths (relative to the table folder) that the sink log has committed: the newest compact
    file and the batch files after it, `add` minus `delete` entries."""
    batches = {}
    for path in log_dir.iterdir():
        match = LOG_FILE.fullmatch(path.name)
        if match:
            batches[int(match.group(1))] = (path, bool(match.group(2)))
    compacted = [batch for batch, (_, compact) in batches.items() if compact]
    start = max(compacted, default=-1)
    names: set[str] = set()
    table_dir = log_dir.parent.resolve()
    for batch in sorted(batch for batch in batches if batch >= start):
        lines = batches[batch][0].read_text(encoding="utf-8").splitlines()[1:]  # after "v1"
        for line in filter(None, lines):
            entry = json.loads(line)
            path = Path(unquote(urlparse(entry["path"]).path))
            try:
                name = path.resolve().relative_to(table_dir).as_posix()
            except ValueError:  # the state dir moved since: the file name still identifies it
                name = path.name
            if entry.get("action", "add") == "delete":
                names.discard(name)
            else:
                names.add(name)
    return names


def table_files(table_dir: Path) -> TableFiles | None:
    """The table's parquet files split into committed and uncommitted; None without a folder."""
    if not table_dir.is_dir():
        return None
    visible = _visible(table_dir)
    if not is_streaming_table(table_dir):
        return TableFiles(committed=visible)
    names = committed_names(table_dir / SINK_LOG)
    committed = [p for p in visible if p.relative_to(table_dir).as_posix() in names]
    uncommitted = [p for p in visible if p.relative_to(table_dir).as_posix() not in names]
    return TableFiles(committed=committed, uncommitted=uncommitted, streaming=True)


def complete(path: Path) -> bool:
    """Whether `path` is a whole parquet file: a file cut while it was written (0 bytes, or no
    footer) is not."""
    try:
        pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        return False
    return True


def row_count(table_dir: Path) -> int | None:
    """Rows Spark would read from the table, from the parquet footers of its committed files;
    None when there is no table yet or one of its files is not a whole parquet file (a run is
    writing it, or a write failed)."""
    files = table_files(table_dir)
    if files is None:
        return None
    try:
        return sum(pq.read_metadata(path).num_rows for path in files.committed)
    except (OSError, pa.ArrowException):
        return None


def read_table(table_dir: Path, columns: list[str] | None = None) -> pa.Table | None:
    """The committed rows of the table (only `columns`, when given); None when there is no table,
    no file yet, or a file that is not whole."""
    files = table_files(table_dir)
    if files is None or not files.committed:
        return None
    try:
        dataset = pq.ParquetDataset([str(path) for path in files.committed])
        present = set(dataset.schema.names)
        wanted = None if columns is None else [column for column in columns if column in present]
        return dataset.read(columns=wanted)
    except (OSError, pa.ArrowException):
        return None


def remove_uncommitted(warehouse: Path) -> dict[str, int]:
    """Delete the uncommitted files of every streaming table (what a cut batch left; Spark writes
    the batch again). Only while no run uses the warehouse. Returns table -> files removed."""
    removed: dict[str, int] = {}
    if not warehouse.is_dir():
        return removed
    for table_dir in sorted(path for path in warehouse.iterdir() if path.is_dir()):
        files = table_files(table_dir)
        if files and files.uncommitted:
            for path in files.uncommitted:
                path.unlink(missing_ok=True)
            removed[table_dir.name] = len(files.uncommitted)
    return removed


def describe(removed: dict[str, Any]) -> str:
    return ", ".join(f"{table} ({count})" for table, count in removed.items())
