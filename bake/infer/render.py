"""`tables.yml` text for an inferred spec, each piece of evidence as a comment beside its field.

PyYAML writes no comments, so the layout is written here, and every scalar goes through one
function that leaves a plain word plain and has PyYAML itself double-quote (and escape) the
rest. `yaml.safe_load` of the text gives back exactly the inferred mapping (a test checks it).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bake.infer.model import InferredSpec

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
INDENT = "  "


def scalar(value: Any) -> str:
    """One YAML scalar on one line: plain when that reads back the same, else double-quoted."""
    if isinstance(value, str) and _PLAIN.fullmatch(value) and yaml.safe_load(value) == value:
        return value
    if isinstance(value, str):
        dumped = yaml.dump(
            value, Dumper=yaml.SafeDumper, default_style='"', width=10**9, allow_unicode=True
        )
        return dumped.rstrip("\n").removesuffix("\n...")
    return yaml.safe_dump(value, default_flow_style=True).splitlines()[0]


def flow(value: Any) -> str:
    """A list or a small mapping on one line."""
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    return scalar(value)


def one_line(text: str) -> str:
    """`text` on one line of printable characters (YAML rejects the others, even in comments)."""
    return " ".join("".join(char if char.isprintable() else " " for char in text).split())


def comment(text: str | None) -> str:
    """`  # text` to end a line, or nothing."""
    return f"  # {one_line(text)}" if text else ""


# Fields written as a block of `name: value  # evidence` lines, one per item.
_BLOCK_FIELDS = ("references", "columns", "expectations")


def render_table(
    name: str, entry: dict[str, Any], evidence: dict[str, str], notes: list[str] = ()
) -> str:
    """One table's block: `name:` then its fields, indented, with evidence comments."""
    lines = [f"{scalar(name)}:{comment(evidence.get('table'))}"]
    lines += [f"{INDENT}# note: {one_line(note)}" for note in notes]
    for field, value in entry.items():
        if field in _BLOCK_FIELDS and isinstance(value, dict) and value:
            lines.append(f"{INDENT}{field}:{comment(evidence.get(field))}")
            for item, item_value in value.items():
                lines.append(
                    f"{INDENT * 2}{scalar(item)}: {flow(item_value)}"
                    f"{comment(evidence.get(f'{field}.{item}'))}"
                )
        else:
            lines.append(f"{INDENT}{field}: {flow(value)}{comment(evidence.get(field))}")
    return "\n".join(lines) + "\n"


HEADER = """\
# Inferred from {folder} (python -m bake.infer): each field's evidence is the comment beside it.
# Check keys, references and roles before relying on them; suggested expectations only warn.
"""


def render_tables_yml(
    inferred: InferredSpec, tables: list[str] | None = None, header: str | None = None
) -> str:
    """The `tables.yml` text of the inferred tables (or of the named ones, in that order), after
    `header` (default: a note that the file was inferred; a baked project passes its own)."""
    names = list(inferred.tables) if tables is None else tables
    blocks = [
        render_table(
            name,
            inferred.tables[name],
            inferred.evidence.get(name, {}),
            inferred.notes.get(name, []),
        )
        for name in names
    ]
    if header is None:
        header = HEADER.format(folder=one_line(str(inferred.folder)))
    return header + "\n" + "\n".join(blocks)
