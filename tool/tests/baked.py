"""The project these tests run the tool on: the template's default bake, made once per process.

The tool works on a project folder, so its tests need a real one. `PROJECT` is baked from this
repository's template (the one the tool ships with) into a temporary folder at import, without
prompts, with cookiecutter's replay and cache folders inside it; it is removed at exit.
`MEDALLION_TEST_PROJECT` names an existing bake instead.
`project_module` imports its modules."""

from __future__ import annotations

import atexit
import importlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import yaml

from tests.conftest import bake_project  # the template's own bake, without prompts


def bake(output: Path, extra_context: dict | None = None) -> Path:
    """A bake of this repository's template into `output/out`, replay files beside it."""
    return bake_project(output / "out", extra_context)


if os.environ.get("MEDALLION_TEST_PROJECT"):  # another bake (the template's tests/test_ops.py)
    PROJECT = Path(os.environ["MEDALLION_TEST_PROJECT"]).resolve()
    ANSWERS = json.loads((PROJECT / ".cruft.json").read_text())["context"]["cookiecutter"]
else:
    _FOLDER = Path(tempfile.mkdtemp(prefix="medallion-tool-tests-"))
    atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)
    PROJECT = bake(_FOLDER)
    # What the bake answered, every derived value included (cookiecutter's replay of it).
    ANSWERS = yaml.safe_load(next((_FOLDER / "replay").glob("*.json")).read_text())["cookiecutter"]


def project_module(name: str) -> ModuleType:
    """A module of the project: its pipeline package under src/, or its tests' helpers
    (`e2e.oracle`, `integration.staging_counts`)."""
    for folder in (PROJECT / "src", PROJECT / "tests"):
        if str(folder) not in sys.path:
            sys.path.append(str(folder))
    return importlib.import_module(name)
