"""Read YAML the way a spec file should be read: no anchors or aliases, no duplicate keys.

PyYAML's `safe_load` expands aliases (a few hundred bytes of `&a`/`*a` can stand for billions of
nodes, and everything that walks the result walks them all) and keeps the last of two equal keys
without a word (a second `customers:` table silently replaces the first). `load` refuses both,
naming the line, before anything is built from the document.
"""

from __future__ import annotations

from typing import Any

import yaml


class YamlProblem(ValueError):
    """The text is not YAML this template accepts; the message names the line."""


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors, aliases and duplicate mapping keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlProblem(
                f"line {event.start_mark.line + 1}: anchors and aliases (&name, *name) are not "
                "allowed; write the value out"
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise YamlProblem(
                        f"line {line}: duplicate key {key!r} (first given on line {seen[key]})"
                        f"{_hint(key)}"
                    )
                seen[key] = line
            except TypeError:  # an unhashable key: PyYAML reports it below
                continue
        return super().construct_mapping(node, deep=deep)


def _hint(key: Any) -> str:
    if isinstance(key, bool) or key is None:
        return (
            "; YAML reads yes/no/on/off/true/false as booleans and null/~ as null: quote a name "
            "like that ('on')"
        )
    return ""


def load(text: str) -> Any:
    """The document in `text`; YamlProblem (with the line) when it is not acceptable."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except YamlProblem:
        raise
    except yaml.YAMLError as exc:
        raise YamlProblem(_described(exc, text)) from exc


def _described(exc: yaml.YAMLError, text: str) -> str:
    """PyYAML's error on one line, with the line it is on."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        line = mark.line + 1
    elif isinstance(getattr(exc, "position", None), int):  # a ReaderError: a bad character
        line = text.count("\n", 0, exc.position) + 1
    else:
        line = None
    reason = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    reason = " ".join(str(reason).split())
    if isinstance(exc, yaml.reader.ReaderError):
        reason = (
            f"{reason} (character #x{exc.character:04x})"
            if isinstance(exc.character, int)
            else reason
        )
    return f"{f'line {line}: ' if line else ''}not valid YAML ({reason})"
