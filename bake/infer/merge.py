"""Merge inferred tables into an existing `tables.yml` without touching what the team wrote.

New tables are appended as blocks after the existing text, which is kept byte for byte; a table
already in the file is left as it is, even when named. A new table's reference to a table that
is not in the result, or is not a single-key dimension there, is left out with a note, so the
merged file stays a valid spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from bake.infer.errors import InferError
from bake.infer.model import InferredSpec
from bake.infer.render import HEADER, one_line, render_table


@dataclass
class Merged:
    text: str  # the new tables.yml
    added: list[str]  # tables appended, in order
    kept: list[str]  # inferred tables already in the file, left as they were
    dropped_references: list[str] = field(default_factory=list)  # `table.column -> target: why`


def _existing(text: str) -> dict[str, Any]:
    try:
        parsed = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise InferError(f"tables.yml: not valid YAML -- {one_line(str(exc))}") from exc
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise InferError("tables.yml: expected a mapping of table name -> spec at the top level")
    return parsed


def _single_key_dimension(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    keys = entry.get("keys")
    single_key = isinstance(keys, list) and len(keys) == 1
    return entry.get("role", "dimension") == "dimension" and single_key


def merge_into(existing: str, inferred: InferredSpec, tables: list[str] | None = None) -> Merged:
    """`existing` tables.yml text with the inferred tables it lacks (or only the named ones)."""
    current = _existing(existing)
    present = {str(name).lower(): str(name) for name in current}
    wanted = list(inferred.tables) if tables is None else list(tables)
    unknown = [name for name in wanted if name not in inferred.tables]
    if unknown:
        raise InferError(
            f"{inferred.folder}: no inferred table {', '.join(unknown)} -- inferred: "
            f"{', '.join(inferred.tables)}"
        )
    kept = [name for name in wanted if name.lower() in present]
    added = [name for name in wanted if name.lower() not in present]
    blocks, dropped = [], []
    for name in added:
        entry = dict(inferred.tables[name])
        evidence = dict(inferred.evidence.get(name, {}))
        notes = list(inferred.notes.get(name, []))
        references = dict(entry.get("references", {}))
        for column, target in list(references.items()):
            if target in added:
                continue
            existing_name = present.get(target.lower())
            if existing_name is None:
                why = f"{target} is not in tables.yml (infer it too: TABLES={name},{target})"
            elif not _single_key_dimension(current[existing_name]):
                why = f"{existing_name} in tables.yml is not a dimension with a single key"
            else:
                references[column] = existing_name
                continue
            del references[column]
            evidence.pop(f"references.{column}", None)
            dropped.append(f"{name}.{column} -> {target}: {why}")
            notes.append(f"{column} looks like a reference to {target}, left out: {why}")
        if references:
            entry["references"] = references
        else:
            entry.pop("references", None)
        blocks.append(render_table(name, entry, evidence, notes))
    if not blocks:
        return Merged(existing, [], kept)
    if existing.strip():
        text = existing.rstrip("\n") + "\n\n" + "\n".join(blocks)
    else:
        text = HEADER.format(folder=one_line(str(inferred.folder))) + "\n" + "\n".join(blocks)
    return Merged(text, added, kept, dropped)
