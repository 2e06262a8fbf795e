"""Write the normalized table spec back out as `tables.yml`, the one file a team edits afterwards.

Every field is spelled out, conventions included (a names-only bake gets the columns, rules and
keys it was given), so the file shows what the pipeline does and any of it can be changed. Read
back by `bake.spec.normalize`, the file gives the same spec: `make apply-spec` re-renders the
project from it, and a project whose file is unchanged re-renders to itself.
"""

from __future__ import annotations

from typing import Any

import yaml


class _Inline(dict):
    """A small mapping written on one line: `{expr: ..., action: warn}`."""


class _Dumper(yaml.SafeDumper):
    """Block style for the structure, one line for lists and for small leaf mappings."""


_Dumper.add_representer(
    _Inline, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, True)
)
_Dumper.add_representer(
    list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)

HEADER = """\
# yaml-language-server: $schema=tables.schema.json
# The tables of this pipeline: edit them here, then run `make apply-spec` to regenerate every file
# that follows from them (pipeline sources, tables.py, grants, monitoring SQL, sample data, README).
# `make add-table TABLE=<name>` adds a table with the conventions spelled out, ready to edit.
# Fields: README.md, "Table spec". Your edits to generated files are kept (a three-way merge).
"""


def _columns(table: dict[str, Any]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for column, type_ in table["columns"].items():
        source = table["sources"].get(column)
        comment = table["column_comments"].get(column)
        if source is None and comment is None:
            columns[column] = type_
            continue
        entry = _Inline(type=type_)
        if source is not None:
            entry["source"] = source
        if comment is not None:
            entry["comment"] = comment
        columns[column] = entry
    return columns


def to_mapping(table: dict[str, Any]) -> dict[str, Any]:
    """One normalized table as the `tables` entry that normalizes back to it."""
    entry: dict[str, Any] = {"role": table["role"], "keys": list(table["keys"])}
    if table["role"] == "dimension":
        entry["scd_type"] = table["scd_type"]
        if table["snapshot_by"]:
            entry["snapshot_by"] = table["snapshot_by"]
    else:
        if table["date_column"]:
            entry["date_column"] = table["date_column"]
        entry["measures"] = list(table["measures"])
        entry["attributes"] = list(table["attributes"])
        if table["date_range"]:
            entry["date_range"] = list(table["date_range"])
    if table["references"] or table["role"] == "fact":
        entry["references"] = dict(table["references"])
    entry["sequence_by"] = table["sequence_by"]
    entry["delete_when"] = table["delete_when"]
    entry["except_columns"] = list(table["except_columns"])
    entry["columns"] = _columns(table)
    if table["null_values"]:
        entry["null_values"] = list(table["null_values"])
    entry["expectations"] = {
        rule["name"]: _Inline(expr=rule["expr"], action=rule["action"])
        for rule in table["expectations"]
    }
    entry["comment"] = table["comment"]
    return entry


def tables_mapping(spec: dict[str, Any]) -> dict[str, Any]:
    """The whole normalized spec as the `tables` answer."""
    return {table["name"]: to_mapping(table) for table in spec["tables"]}


def dump(spec: dict[str, Any]) -> str:
    """`tables.yml`: the header, then one block per table."""
    blocks = [
        yaml.dump(
            {name: entry},
            Dumper=_Dumper,
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
            width=100,
        )
        for name, entry in tables_mapping(spec).items()
    ]
    return HEADER + "\n" + "\n".join(blocks)


def with_header(text: str) -> str:
    """A spec the team wrote or the inference did, kept as it is, under the usual header."""
    body = text if text.endswith("\n") else text + "\n"
    return body if body.startswith(HEADER) else HEADER + "\n" + body
