"""`__source_sample=<folder>`: bake from a team's own files, the table spec inferred from them.

    cookiecutter <template> __source_sample=~/exports/retail source_format=csv

`resolve()` runs once, before any answer is checked or any file written (bake.jinja_guard calls it
when cookiecutter renders the project folder's name). It infers the spec with bake.infer and puts
it in the `tables` answer as the YAML text of `tables.yml`, evidence comments included, so every
template, hook and `.cruft.json` sees an ordinary text spec: an upgrade renders from that text and
never needs the folder again. An explicit `tables` answer wins: the folder is then not read.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

ANSWER = "__source_sample"
NEEDS = ("duckdb", "pyarrow")  # the inference reads and sniffs the files with these


class SourceSampleProblem(ValueError):
    """Why the folder cannot give a spec; the message names the folder or file."""


def missing_libraries() -> list[str]:
    return [name for name in NEEDS if importlib.util.find_spec(name) is None]


def inferred_from(context: dict[str, Any]) -> bool:
    """Whether `tables` came from the folder: then tables.yml is the inferred text as it is."""
    return bool(context.get(ANSWER)) and isinstance(context.get("tables"), str)


def resolve(context: dict[str, Any]) -> None:
    """Infer `tables` from the `__source_sample` folder, in place; nothing when no folder is
    given or `tables` already is. Raises SourceSampleProblem."""
    folder = context.get(ANSWER) or ""
    if not folder or context.get("tables"):
        return
    missing = missing_libraries()
    if missing:
        raise SourceSampleProblem(
            f"{ANSWER}: reading the files needs {' and '.join(missing)} beside cookiecutter: "
            f"pip install {' '.join(missing)}"
        )
    from bake.infer import InferError, infer_folder  # needs duckdb: imported once it is there

    path = Path(str(folder)).expanduser()
    try:
        inferred = infer_folder(path, progress=lambda line: print(line, file=sys.stderr))
    except InferError as exc:
        raise SourceSampleProblem(f"{ANSWER}: {exc}") from None
    _same_format(inferred.sources, str(context.get("source_format")), path)
    context["tables"] = inferred.to_yaml()


def sample_folder(context: dict[str, Any]) -> Path | None:
    """The folder the sample data is drawn from (bake.sample_source), or None: no folder given,
    or it is not on this machine (an upgrade elsewhere: the sample is invented, as without one)."""
    folder = context.get(ANSWER) or ""
    if not folder:
        return None
    path = Path(str(folder)).expanduser()
    if not path.is_dir():
        print(f"sample data: {path} is not here: sample rows are invented", file=sys.stderr)
        return None
    return path


def _same_format(sources: dict[str, dict[str, Any]], source_format: str, folder: Path) -> None:
    """The pipeline reads every table in the one `source_format`: say so when the files differ."""
    by_format: dict[str, list[str]] = {}
    for table, source in sources.items():
        by_format.setdefault(source["format"], []).append(table)
    if set(by_format) == {source_format}:
        return
    landed = "; ".join(f"{fmt}: {', '.join(tables)}" for fmt, tables in sorted(by_format.items()))
    advice = (
        f"give source_format={next(iter(by_format))}"
        if len(by_format) == 1
        else "land every table in one format"
    )
    raise SourceSampleProblem(
        f"{ANSWER}: {folder} holds {landed}, but source_format is {source_format!r} and the "
        f"pipeline reads every table in that one format -- {advice}"
    )
