"""Render the per-table pipeline files of a generated project from the normalized table spec.

The post-gen hook calls `render(project_dir, context)`. Each template in `table_templates/` is
rendered once per table (or once per project) into plain, explicit Python: one file per dataset,
named after it, so the generated pipeline reads as if written by hand and needs no metadata
interpreter at run time. Templates render plain code with one-line literals; the post-gen hook
then lays out every Python file with the pinned ruff (bake.format_code), so no template fits lines
to a length. Spec values reach the templates as data: they are written as Python literals, never
rendered as templates themselves (the environment is a sandbox all the same).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from bake import generated_names, monitoring, source_sample, spec_file, spec_schema
from bake import spec as table_spec

TEMPLATES = Path(__file__).resolve().parent / "table_templates"
LINE_LENGTH = 100  # docstrings are wrapped to the project's ruff line length (ruff does not)


def py_str(value: Any) -> str:
    """A Python string literal in ruff's preferred style (double quotes)."""
    return json.dumps(str(value), ensure_ascii=False)


def py_literal(value: Any) -> str:
    """A one-line Python literal for strings, numbers, None, tuples/lists (as tuples) and dicts."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, (list, tuple)):
        items = [py_literal(item) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_str(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Python literal for {value!r}")


def reflow(text: str, width: int = LINE_LENGTH) -> str:
    """Re-wrap docstring prose: paragraphs are separated by blank lines, `- ` starts a list item."""
    blocks = []
    for block in text.split("\n\n"):
        items: list[str] = []
        for line in block.splitlines():
            if line.startswith("- ") or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        blocks.append(
            "\n".join(
                textwrap.fill(
                    item,
                    width,
                    subsequent_indent="  " if item.startswith("- ") else "",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
                for item in items
            )
        )
    return "\n\n".join(blocks) + "\n"


def py_names(names: list[str]) -> str:
    """A tuple of bare names (module constants): `(A, B)`, `(A,)`."""
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["py"] = py_literal
    env.filters["py_names"] = py_names
    env.filters["constant"] = generated_names.spec_constant
    env.filters["reflow"] = reflow
    env.filters["yaml_str"] = json.dumps  # a JSON string is a YAML double-quoted scalar
    return env


def outputs(spec: dict[str, Any], package: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(template, output path, extra variables) for every file to render."""
    files = [("tables.py.j2", f"src/{package}/tables.py", {})]
    for table in spec["tables"]:
        name, variables = table["name"], {"table": table}
        files.append(("bronze.py.j2", f"src/bronze/{name}.py", variables))
        if table["role"] == "dimension":
            files.append(("silver_dimension.py.j2", f"src/silver/{name}.py", variables))
            # The tables whose references point here: their keys make inferred members.
            referrers = [t["name"] for t in spec["tables"] if name in t["references"].values()]
            gold = {**variables, "referrers": referrers}
            files.append(("gold_dimension.py.j2", f"src/gold/dim_{name}.py", gold))
        else:
            files.append(("silver_fact.py.j2", f"src/silver/{name}.py", variables))
            files.append(("gold_fact.py.j2", f"src/gold/fact_{name}.py", variables))
    if spec["has_dim_date"]:
        files.append(("gold_dim_date.py.j2", "src/gold/dim_date.py", {}))
    files.append(("gold_integrity_checks.py.j2", "src/gold/integrity_checks.py", {}))
    return files


def render(project_dir: Path, context: dict[str, Any]) -> list[Path]:
    """Write every per-table file into `project_dir`; return the paths written."""
    spec = table_spec.normalize(context["table_names"], context.get("tables") or {})
    package = context["__package_name"]
    by_name = {table["name"]: table for table in spec["tables"]}
    env = environment()
    texts = {
        relative: env.get_template(template).render(
            spec=spec,
            tables=by_name,
            package=package,
            source_format=context["source_format"],
            integrity_checks=context.get("__integrity_checks") or "fail",
            **variables,
        )
        for template, relative, variables in outputs(spec, package)
    }
    # The spec the team edits from now on, and the schema its editor checks it against. Inferred
    # from the team's files, it stays the text it is: each field's evidence is a comment there.
    if source_sample.inferred_from(context):
        texts["tables.yml"] = spec_file.with_header(context["tables"])
    else:
        texts["tables.yml"] = spec_file.dump(spec)
    texts["tables.schema.json"] = spec_schema.text()
    texts.update(monitoring.files(spec, context["__pipeline_name"], env))
    written = []
    for relative, text in texts.items():
        path = Path(project_dir) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
