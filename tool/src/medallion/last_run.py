"""What the last successful local run read, so a re-run with nothing new stops at once.

A run's tables depend on the landing files, the pipeline code under `src/` and the generated
pipeline spec. `run_local` records a fingerprint of all three after a successful run (in
`<state>/last_run.json`) and compares before the next one: equal means every table is already
what a run would make, so the engine (20-30 s to start) is not started at all. Files are
fingerprinted by path, size and modification time, as `make` judges them, not by content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

RECORD = "last_run.json"


def fingerprint(landing: Path, code: Path, spec: Path) -> str:
    digest = hashlib.sha256()
    for path in _files(landing):
        stat = path.stat()
        line = f"{path.relative_to(landing).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
        digest.update(line.encode())
    for path in _files(code, "*.py"):
        digest.update(path.relative_to(code).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(spec.read_bytes())
    return digest.hexdigest()


def _files(folder: Path, pattern: str = "*") -> Iterable[Path]:
    return sorted(path for path in folder.rglob(pattern) if path.is_file())


def unchanged_since(state_dir: Path, current: str) -> str | None:
    """When the last successful run read exactly `current` (its finish time), else None."""
    try:
        record = json.loads((state_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record.get("finished_at") if record.get("fingerprint") == current else None


def forget(state_dir: Path) -> None:
    """Before a run: if it fails half way, the next run must not believe it succeeded."""
    (state_dir / RECORD).unlink(missing_ok=True)


def remember(state_dir: Path, current: str) -> None:
    finished_at = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
    record = {"fingerprint": current, "finished_at": finished_at}
    (state_dir / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
