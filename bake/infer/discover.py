"""Find the tables in a landing folder: one sub-folder or one file per table.

`<folder>/orders/part-1.csv` and `<folder>/orders.csv` (tpchgen-cli's layout) both make a table
`orders`. Hidden and underscore files (`.DS_Store`, `_SUCCESS`, `_delta_log/`) are skipped, as
Spark's file sources skip them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bake.infer.errors import InferError
from bake.infer.names import clean_table_name

# file suffix -> format; compressed files are read by DuckDB and Spark alike
SUFFIXES = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json.gz": "json",
    ".jsonl.gz": "json",
    ".parquet": "parquet",
}
DATA_FILES = ".csv, .json/.jsonl/.ndjson (one object per line) or .parquet files"
VALID = f"one sub-folder (or one file) per table, holding {DATA_FILES}"


@dataclass(frozen=True)
class TableFiles:
    """The landed files of one table."""

    name: str  # the table's name in the spec
    landed_name: str  # the folder or file name it was found under
    path: Path  # that folder or file, for messages
    format: str  # csv | json | parquet
    files: tuple[Path, ...]  # sorted by name

    @property
    def size(self) -> int:
        return sum(file.stat().st_size for file in self.files)


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return SUFFIXES[suffix]
    return None


def _skipped(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def _table_name(landed: str, is_file: bool) -> str:
    if is_file:
        lowered = landed.lower()
        for suffix in sorted(SUFFIXES, key=len, reverse=True):
            if lowered.endswith(suffix):
                landed = landed[: -len(suffix)]
                break
    return clean_table_name(landed)


def _folder_table(folder: Path) -> TableFiles:
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not _skipped(path, folder) and file_format(path)
    )
    if not files:
        raise InferError(f"{folder}: no data files -- a table folder holds {DATA_FILES}")
    formats = {file_format(path) for path in files}
    if len(formats) > 1:
        examples = ", ".join(
            next(p.name for p in files if file_format(p) == fmt) for fmt in sorted(formats)
        )
        raise InferError(
            f"{folder}: mixed formats ({', '.join(sorted(formats))}: {examples}) -- one format "
            "per table: the pipeline reads each table with one reader"
        )
    return TableFiles(
        _table_name(folder.name, False), folder.name, folder, formats.pop(), tuple(files)
    )


def discover(folder: Path) -> list[TableFiles]:
    """The tables under `folder`, sorted by landed name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InferError(f"{folder}: not a folder -- give a folder with {VALID}")
    found: list[TableFiles] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir():
            found.append(_folder_table(entry))
        elif entry.is_file() and file_format(entry):
            found.append(
                TableFiles(
                    _table_name(entry.name, True), entry.name, entry, file_format(entry), (entry,)
                )
            )
    if not found:
        raise InferError(f"{folder}: no tables found -- expected {VALID}")
    seen: dict[str, TableFiles] = {}
    for table in found:
        other = seen.get(table.name.lower())
        if other:
            raise InferError(
                f"{folder}: {other.landed_name!r} and {table.landed_name!r} both make table "
                f"{table.name!r} -- keep one folder or file per table"
            )
        seen[table.name.lower()] = table
    return found


def select(found: list[TableFiles], tables: list[str] | None, folder: Path) -> list[str]:
    """The spec names of the `tables` asked for (spec or landed names); all when None."""
    if tables is None:
        return [table.name for table in found]
    wanted = {name.lower() for name in tables}
    chosen = [t for t in found if t.name.lower() in wanted or t.landed_name.lower() in wanted]
    missing = wanted - {t.name.lower() for t in chosen} - {t.landed_name.lower() for t in chosen}
    if missing:
        raise InferError(
            f"{folder}: no table {', '.join(sorted(missing))} -- found: "
            f"{', '.join(t.name for t in found)}"
        )
    return [table.name for table in chosen]


def layout_note(table: TableFiles) -> str | None:
    """Where the pipeline will look for the table's files, when that is not where they are: it
    reads `<landing>/<table>/`."""
    if table.path.is_dir() and table.landed_name == table.name:
        return None
    return (
        f"the pipeline reads <landing>/{table.name}/: land {table.landed_name} "
        f"{'as' if table.path.is_dir() else 'in'} a folder named {table.name}"
    )
