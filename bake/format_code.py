"""Lay out the generated Python with ruff, as `make format` in the project would.

Templates render plain code (one-line literals, imports in any order); this module then runs the
pinned ruff with the project's own pyproject.toml:

1. `ruff check --fix --select I001,F401`: sort imports, drop an import the spec leaves unused
   (`Rule` in a project without expectations);
2. `ruff format`;
3. ruff never splits a string or rewraps prose, so a line it cannot shorten (a long comment,
   expression or landed column name; a docstring or `#` comment naming a long package) has its
   longest string literal split into implicitly concatenated pieces inside parentheses, or its
   prose wrapped at a space, and is formatted again;
4. `ruff check` and `ruff format --check` must then pass: a bake never hands a team red lint.
"""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
import textwrap
import tokenize
import unicodedata
from pathlib import Path

LINE_LENGTH = 100  # the generated pyproject.toml's [tool.ruff] line-length


class FormatError(RuntimeError):
    """The generated code is not ruff-clean after formatting (a template bug: report it)."""


def ruff(project: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ruff", *args, "--no-cache"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)


def format_project(project: Path) -> None:
    ruff(project, "check", "--fix", "--select", "I001,F401", "--quiet", ".")
    ruff(project, "format", "--quiet", ".")
    for _ in range(4):  # a line may hold two long strings (a long column name and its type)
        if not split_long_strings(project):
            break
        ruff(project, "format", "--quiet", ".")
    check = ruff(project, "check", "--quiet", ".")
    layout = ruff(project, "format", "--check", "--quiet", ".")
    if check.returncode or layout.returncode:
        raise FormatError((check.stdout + layout.stdout + check.stderr + layout.stderr).strip())


def split_long_strings(project: Path) -> bool:
    """Split a string literal on each line ruff reports as too long (E501); True if any was."""
    found = ruff(project, "check", "--select", "E501", "--output-format", "json", ".")
    rows: dict[Path, set[int]] = {}
    for violation in json.loads(found.stdout or "[]"):
        rows.setdefault(Path(violation["filename"]), set()).add(violation["location"]["row"])
    for path, lines in rows.items():
        path.write_text(split_strings_on(path.read_text(encoding="utf-8"), lines), "utf-8")
    return bool(rows)


def split_strings_on(source: str, rows: set[int]) -> str:
    """`source` with the longest plain one-line string literal of each row in `rows` split, and
    each of those rows that is prose (inside a docstring, or a `#` comment line) wrapped."""
    longest: dict[int, tokenize.TokenInfo] = {}
    prose: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        row = token.start[0]
        if token.type == tokenize.STRING and row in rows and _splittable(token):
            if row not in longest or len(token.string) > len(longest[row].string):
                longest[row] = token
        elif token.type == tokenize.STRING and token.start[0] != token.end[0]:
            prose |= {r for r in rows if token.start[0] <= r <= token.end[0]}
        elif token.type == tokenize.COMMENT and row in rows and token.line.strip()[:1] == "#":
            prose.add(row)
    lines = source.splitlines(keepends=True)
    for row in sorted(prose - set(longest), reverse=True):
        lines[row - 1] = _wrapped(lines[row - 1])
    for row, token in sorted(longest.items(), reverse=True):
        line = lines[row - 1]
        indent = len(line) - len(line.lstrip())
        pieces = _pieces(ast.literal_eval(token.string), LINE_LENGTH - indent - 8)
        joined = "(" + " ".join(_literal(piece) for piece in pieces) + ")"
        lines[row - 1] = line[: token.start[1]] + joined + line[token.end[1] :]
    return "".join(lines)


def _wrapped(line: str) -> str:
    """A prose line (docstring or `#` comment) wrapped at spaces to the line length."""
    body = line.rstrip("\n")
    indent = body[: len(body) - len(body.lstrip())]
    lead = indent + "# " if body.lstrip().startswith("# ") else indent
    text = body[len(lead) :]
    pieces = textwrap.wrap(text, LINE_LENGTH - len(lead), break_long_words=False,
                           break_on_hyphens=False)  # fmt: skip
    return "".join(f"{lead}{piece}\n" for piece in pieces) if pieces else line


def _splittable(token: tokenize.TokenInfo) -> bool:
    """A plain (no prefix), single-line, single-quoted-or-double-quoted literal."""
    text = token.string
    return (
        token.start[0] == token.end[0] and text[:1] in "\"'" and not text.startswith(('"""', "'''"))
    )


def _width(text: str) -> int:
    """Columns the text takes in an editor (and for E501): wide East Asian characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pieces(value: str, width: int) -> list[str]:
    """`value` cut into pieces whose literals fit `width` columns, after a space when possible."""
    width = max(width, 20)
    pieces, current = [], ""
    for char in value:
        if _width(_literal(current + char)) > width:
            cut = max(current.rfind(" "), current.rfind(",")) + 1
            if cut <= 0 or cut < len(current) // 2:
                cut = len(current)
            pieces.append(current[:cut])
            current = current[cut:]
        current += char
    return [*pieces, current] if current else pieces
