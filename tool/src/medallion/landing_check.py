"""Check the landing files before a local run: what Spark would skip or misread without a word.

Spark's file source reads each file once, as it finds it, and never looks back. So before the
engine starts, `run_local` stops, naming the file, on:

- an empty file (0 bytes): nothing to read, most likely an upload that failed;
- a file still being written (its size or time changes while the run starts): Spark would read
  the part written so far and never the rest;
- a file replaced in place since the last successful run read it: Spark has seen its path and
  would ignore the new content (`--full-refresh` reads everything again);
- json and csv that are not UTF-8 (UTF-16, Latin-1): decoded as UTF-8, their text would be
  altered or unreadable; a truncated gzip file;
- a json file that is one JSON array instead of one record per line;
- a parquet file that is not whole (truncated: no footer).

A csv file whose header differs from the spec (another order, another delimiter) is left to the
engine, which stops on it with its own message naming the file (`enforceSchema=false`). Files Spark
ignores (names starting with `_` or `.`) are ignored here too. Only files the last successful run
did not read are scanned, so a re-run costs a stat per file.
"""

from __future__ import annotations

import codecs
import gzip
import json
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

RECORD = "landed.json"
SETTLE_SECONDS = 2.0
CHUNK = 4 * 2**20
TEXT_FORMATS = ("json", "csv", "kafka")  # "kafka" lands as json files locally


@dataclass(frozen=True)
class Problem:
    path: Path
    why: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.why}\n    {self.fix}"


def landed_files(landing: Path, tables: Iterable[str]) -> dict[str, Path]:
    """`<table>/<relative path>` -> file, for every file Spark would read."""
    found = {}
    for table in tables:
        folder = landing / table
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and not any(part.startswith(("_", ".")) for part in relative.parts):
                found[f"{table}/{relative.as_posix()}"] = path
    return found


def stats(files: dict[str, Path]) -> dict[str, list[int]]:
    return {name: [path.stat().st_size, path.stat().st_mtime_ns] for name, path in files.items()}


def read_record(state_dir: Path) -> dict[str, list[int]]:
    """What the last successful run read: `<table>/<file>` -> [size, mtime_ns]."""
    try:
        return json.loads((state_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_record(state_dir: Path, files: dict[str, Path]) -> None:
    (state_dir / RECORD).write_text(json.dumps(stats(files), indent=1), encoding="utf-8")


def _text_problem(path: Path, source_format: str) -> str | None:
    """Why a json/csv file would be misread: not UTF-8, a truncated gzip, a JSON array."""
    opener = gzip.open if path.suffix == ".gz" else open
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, first = 0, b""
    try:
        with opener(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                if not first:
                    first = chunk[:4]
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    return (
                        f"is not UTF-8 (byte 0x{chunk[error.start]:02x} at offset "
                        f"{offset + error.start:,})" + _encoding_hint(first)
                    )
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "is not UTF-8 (it ends in the middle of a character)"
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        return f"is not a whole gzip file ({error})"
    if source_format in ("json", "kafka") and first.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"[":
        return "is one JSON array, not JSON lines (one record per line)"
    return None


def _encoding_hint(first: bytes) -> str:
    if first[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return ": it starts like UTF-16"
    return ""


def _parquet_problem(path: Path) -> str | None:
    try:
        pq.read_metadata(path)
    except (OSError, pa.ArrowException) as error:
        return f"is not a whole parquet file ({error})"
    return None


def check(
    landing: Path,
    tables: Iterable[str],
    source_format: str,
    read_before: dict[str, list[int]],
    full_refresh: bool = False,
    settle_seconds: float = SETTLE_SECONDS,
) -> tuple[list[Problem], dict[str, Path]]:
    """(problems, files Spark would read). `read_before`: what the last successful run read."""
    files = landed_files(landing, tables)
    before = stats(files)
    recent = [n for n, (_, mtime) in before.items() if time.time() - mtime / 1e9 < settle_seconds]
    if recent:  # give files that just changed a moment to settle, then compare
        time.sleep(settle_seconds)
    problems = []
    for name, path in files.items():
        now = [path.stat().st_size, path.stat().st_mtime_ns] if path.exists() else None
        if now != before[name]:
            problems.append(
                Problem(
                    path,
                    "is still being written (it changed while the run started)",
                    "land files under a temporary name (or folder starting with _) and rename "
                    "them when complete",
                )
            )
            continue
        if name in read_before and not full_refresh:
            if read_before[name] != now:
                problems.append(
                    Problem(
                        path,
                        "was replaced since the last successful run read it: Spark reads a path "
                        "once and would ignore the new content",
                        "land the new content under a new name, or run with FULL_REFRESH=1 to "
                        "read every file again",
                    )
                )
            continue
        problems += _content_problems(path, source_format)
    return problems, files


def _content_problems(path: Path, source_format: str) -> list[Problem]:
    if path.stat().st_size == 0:
        return [Problem(path, "is empty (0 bytes)", "a failed upload? land it again or delete it")]
    why = (
        _text_problem(path, source_format)
        if source_format in TEXT_FORMATS
        else _parquet_problem(path)
    )
    if why is None:
        return []
    fixes = {
        "is not UTF-8": "convert it, e.g. iconv -f latin1 -t utf-8 (or -f utf-16)",
        "is one JSON array": "write one JSON object per line (jq -c '.[]')",
    }
    fix = next((text for start, text in fixes.items() if why.startswith(start)), "land it again")
    return [Problem(path, why, fix)]
