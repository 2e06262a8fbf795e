"""Jinja helpers that every template file can use while cookiecutter renders the project."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

from bake import jinja_guard
from bake import spec as table_spec

# Absolute path of this template. cookiecutter's `_repo_dir` is relative when the template is given
# as a relative path (`cookiecutter .`) and hooks run from the output folder: they use this instead.
TEMPLATE_DIR = str(Path(__file__).resolve().parents[1])


def sql_ident(name: str) -> str:
    """Quote an identifier for Databricks SQL with backticks, doubling any backtick inside it."""
    return "`" + str(name).replace("`", "``") + "`"


def yaml_str(value: Any) -> str:
    """A YAML scalar that cannot break out of its line: JSON strings are valid YAML."""
    return json.dumps(str(value))


def ordered_json(value: Any) -> str:
    """JSON that keeps mapping order: cookiecutter's `jsonify` sorts keys, which would reorder the
    columns of a table spec (and csv files are read by column position)."""
    return json.dumps(value)


def medallion_spec(cookiecutter: dict[str, Any]) -> dict[str, Any]:
    return table_spec.normalize(cookiecutter["table_names"], cookiecutter.get("tables") or {})


class MedallionExtension(Extension):
    """Guards the environment (bake/jinja_guard.py) and gives every template file the helpers
    below, in the version the template on disk has."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        helpers_on_disk().install(environment)


def install(environment: Environment) -> None:
    jinja_guard.guard(environment)  # first: no answer is evaluated, nothing written unchecked
    environment.globals["medallion_spec"] = medallion_spec
    environment.globals["template_dir"] = TEMPLATE_DIR
    environment.filters["sql_ident"] = sql_ident
    environment.filters["yaml_str"] = yaml_str
    environment.filters["ordered_json"] = ordered_json


def helpers_on_disk() -> ModuleType:
    """This module freshly imported from the template folder.

    `cruft update` renders two template versions in one process (the recorded commit, then the new
    one, from one clone), and Python imports a module once: without this, the newer render would
    get the older version's helpers and `bake.spec`, and a template change that needs a new helper
    would fail with "No filter named ...". Upgrades *from* a version with this function are safe;
    an older version passes its own helpers on, so changes must still work with those.
    """
    for name in [name for name in sys.modules if name == "bake" or name.startswith("bake.")]:
        del sys.modules[name]
    return importlib.import_module("bake.jinja_extension")
