"""Jinja helpers that every template file can use while cookiecutter renders the project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

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


# cruft renders two template versions in one process, and Python imports this module once: the
# newer render still gets the older version's helpers. So a template change must not need a new
# helper here (the README's diagrams use plain Jinja for that reason).
class MedallionExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["medallion_spec"] = medallion_spec
        environment.globals["template_dir"] = TEMPLATE_DIR
        environment.filters["sql_ident"] = sql_ident
        environment.filters["yaml_str"] = yaml_str
        environment.filters["ordered_json"] = ordered_json
