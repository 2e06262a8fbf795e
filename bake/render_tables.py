"""Render the per-table pipeline files of a generated project from the normalized table spec.

The post-gen hook calls `render(project_dir, context)`. Each template in `table_templates/` is
rendered once per table (or once per project) into plain, explicit Python: one file per dataset,
named after it, so the generated pipeline reads as if written by hand and needs no metadata
interpreter at run time. Templates produce ruff-formatted code (line length 100) as rendered.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bake import spec as table_spec
from bake import spec_file

TEMPLATES = Path(__file__).resolve().parent / "table_templates"
SPEC_SCHEMA = Path(__file__).resolve().parent / "spec.schema.json"
LINE_LENGTH = 100


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


def py_arg(name: str, value: Any, indent: int) -> str:
    """`name=<literal>,` on one line when it fits, else exploded with a magic trailing comma.

    ruff format keeps an exploded collection that ends in a trailing comma as it is, so the
    output is stable whatever the lengths.
    """
    prefix = " " * indent
    line = f"{prefix}{name}={py_literal(value)},"
    if len(line) <= LINE_LENGTH or not isinstance(value, (list, tuple, dict)) or not value:
        return line
    inner = " " * (indent + 4)
    if isinstance(value, dict):
        items = [f"{inner}{py_str(k)}: {py_literal(v)}," for k, v in value.items()]
        return "\n".join([f"{prefix}{name}={{", *items, f"{prefix}}},"])
    items = [f"{inner}{py_literal(item)}," for item in value]
    return "\n".join([f"{prefix}{name}=(", *items, f"{prefix}),"])


def str_arg(name: str, text: str, indent: int = 4) -> str:
    """`name="text",` on one line when it fits, else the text split over implicitly joined lines
    inside parentheses (a form ruff format keeps as it is)."""
    prefix = " " * indent
    line = f"{prefix}{name}={py_str(text)},"
    if len(line) <= LINE_LENGTH:
        return line
    inner = " " * (indent + 4)
    width = LINE_LENGTH - len(inner) - 2  # the quotes
    pieces = textwrap.wrap(text, width, drop_whitespace=False, break_long_words=False)
    pieces = [piece for piece in pieces if piece]
    body = [f"{inner}{py_str(piece)}" for piece in pieces]
    return "\n".join([f"{prefix}{name}=(", *body, f"{prefix}),"])


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


def rules_arg(expectations: list[dict[str, str]], indent: int = 4) -> str:
    """`rules=(Rule(...), ...),` laid out the way ruff format lays it out.

    A single rule stays on one line when it fits (ruff ignores the trailing comma of a
    one-element tuple); otherwise one rule per line, each split further if it is too long.
    """
    prefix, inner = " " * indent, " " * (indent + 4)
    calls = [
        f"Rule({py_str(r['name'])}, {py_str(r['expr'])}, action={py_str(r['action'])})"
        for r in expectations
    ]
    if len(calls) == 1 and len(f"{prefix}rules=({calls[0]},),") <= LINE_LENGTH:
        return f"{prefix}rules=({calls[0]},),"
    lines = [f"{prefix}rules=("]
    for rule, call in zip(expectations, calls, strict=True):
        if len(f"{inner}{call},") <= LINE_LENGTH:
            lines.append(f"{inner}{call},")
        else:
            deeper = " " * (indent + 8)
            lines += [f"{inner}Rule("]
            lines += [f"{deeper}{py_str(rule['name'])},", f"{deeper}{py_str(rule['expr'])},"]
            lines += [f"{deeper}action={py_str(rule['action'])},", f"{inner}),"]
    lines.append(f"{prefix}),")
    return "\n".join(lines)


def names_tuple(target: str, names: list[str]) -> str:
    """`TARGET = (A, B)` with bare names, exploded one per line when it does not fit."""
    line = f"{target} = ({', '.join(names)}{',' if len(names) == 1 else ''})"
    if len(line) <= LINE_LENGTH:
        return line
    return "\n".join([f"{target} = (", *(f"    {name}," for name in names), ")"])


def constant(name: str) -> str:
    """Module constant holding a table's spec: customers -> CUSTOMERS."""
    return name.upper()


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["py"] = py_literal
    env.filters["constant"] = constant
    env.globals["py_arg"] = py_arg
    env.globals["names_tuple"] = names_tuple
    env.globals["str_arg"] = str_arg
    env.globals["rules_arg"] = rules_arg
    env.filters["reflow"] = reflow
    return env


def outputs(spec: dict[str, Any], package: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(template, output path, extra variables) for every file to render."""
    files = [("tables.py.j2", f"src/{package}/tables.py", {})]
    for table in spec["tables"]:
        name, variables = table["name"], {"table": table}
        files.append(("bronze.py.j2", f"src/bronze/{name}.py", variables))
        if table["role"] == "dimension":
            files.append(("silver_dimension.py.j2", f"src/silver/{name}.py", variables))
            files.append(("gold_dimension.py.j2", f"src/gold/dim_{name}.py", variables))
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
    # The spec the team edits from now on, and the schema its editor checks it against.
    texts["tables.yml"] = spec_file.dump(spec)
    texts["tables.schema.json"] = SPEC_SCHEMA.read_text(encoding="utf-8")
    written = []
    for relative, text in texts.items():
        path = Path(project_dir) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
