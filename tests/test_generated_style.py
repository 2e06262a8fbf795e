"""Generated code passes its own `make lint` (ruff check, ruff format --check) for every spec shape.

Issue 18's careless answers failed it: no expectations (`Rule` imported unused), long table names
(E501), `t2, t10, orders` and several facts (import order), comments with quotes or backslashes,
long expressions and column comments (E501). The bake now lays out every Python file with the
pinned ruff (bake.format_code): each shape below is baked and checked with the project's own
configuration, and the long values must come out of the generated code unchanged.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from conftest import PYTHON, bake_project, run_checked

from bake import spec

T = "t" * spec.MAX_TABLE_NAME  # the longest table name the rules allow
F = "f" * spec.MAX_TABLE_NAME
COLUMN = "c" * 255  # Unity Catalog's longest column name
COMMENT = 'Said "hi" \\ then left; ' * 12  # quotes, a backslash, 300 characters
EXPRESSION = " AND ".join(f"{name} IS NOT NULL" for name in ("k", "label", COLUMN, "at") * 3)


def longest_spec(snapshot: bool) -> dict:
    """Longest names, long comments and expressions, no expectations on one table, many facts."""
    dimension = {
        "keys": ["k"],
        "columns": {
            "k": "bigint",
            "label": {"type": "string", "comment": COMMENT, "source": "Label " * 40},
            # a long type where the source is typed (text sources land strings: no complex types)
            COLUMN: "struct<" + ",".join(f"field_{i}:string" for i in range(20)) + ">"
            if not snapshot
            else "string",
            "at": "timestamp",
        },
        "expectations": {"everything_present": {"expr": EXPRESSION, "action": "warn"}},
        "comment": COMMENT,
    }
    if snapshot:
        dimension.update(scd_type=2, snapshot_by="at")
    else:
        dimension.update(sequence_by="at", delete_when=EXPRESSION.replace("NOT ", ""))
    # A Delta source needs every table ordered (no file names to order by): sequence_by.
    plain = {"keys": ["p"], "columns": {"p": "int", "name": "string", "v": "int"}}
    tables = {T: dimension, "plain": {**plain, "sequence_by": "v"}}
    for index in range(4):
        tables[f"{F[:-1]}{index}"] = {
            "role": "fact",
            "keys": ["id"],
            "columns": {"id": "bigint", "k": "bigint", "p": "int", "on_day": "date", "n": "int"},
            "references": {"k": T, "p": "plain"},
            "date_column": "on_day",
            "sequence_by": "n",
            "measures": ["n"],
        }
    return tables


SHAPES = {
    "names t2 t10 orders, kafka": (
        {"table_names": "t2, t10, orders", "source_format": "kafka"},
        None,
    ),
    "two marked facts, csv": ({"table_names": "a, b:fact, c:fact", "source_format": "csv"}, None),
    "longest, json, snapshot": ({"project_name": "P" * 50}, longest_spec(snapshot=True)),
    "longest, delta": ({"source_format": "delta"}, longest_spec(snapshot=False)),
}


@pytest.mark.parametrize(("answers", "tables"), SHAPES.values(), ids=list(SHAPES))
def test_every_spec_shape_bakes_ruff_clean(tmp_path: Path, answers: dict, tables: dict | None):
    config = None
    if tables is not None:
        config = tmp_path / "config.yml"
        config.write_text(yaml.safe_dump({"default_context": {"tables": tables}}))
    project = bake_project(tmp_path / "out", answers, config)
    run_checked([PYTHON, "-m", "ruff", "check", "--no-cache", "."], cwd=project)
    run_checked([PYTHON, "-m", "ruff", "format", "--no-cache", "--check", "."], cwd=project)
    if tables is None:
        return
    (tables_py,) = project.glob("src/*/tables.py")
    literals = {
        node.value
        for node in ast.walk(ast.parse(tables_py.read_text()))
        if isinstance(node, ast.Constant)
    }
    assert {COMMENT, EXPRESSION, COLUMN, "Label " * 40} <= literals  # split, never changed
    assert "Rule" not in tables_py.read_text().split("TableSpec(")[0] or any(
        t.get("expectations") for t in tables.values()
    )


def test_the_ruff_pins_agree():
    """The bake formats with bake.answers.RUFF_VERSION; the project lints with its own pin and its
    pre-commit hook: all one version, or `make lint` would disagree with the bake."""
    import tomllib

    from bake import answers

    root = Path(__file__).resolve().parents[1]
    project = root / "{{cookiecutter.__project_slug}}"
    pin = f"ruff=={answers.RUFF_VERSION}"
    local = tomllib.loads((project / "pyproject.toml").read_text())["dependency-groups"]["local"]
    dev = tomllib.loads((root / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    assert pin in local and pin in dev
    for config in (project / ".pre-commit-config.yaml", root / ".pre-commit-config.yaml"):
        hooks = yaml.safe_load(config.read_text())["repos"]
        (ruff,) = [repo for repo in hooks if repo["repo"].endswith("ruff-pre-commit")]
        assert ruff["rev"] == f"v{answers.RUFF_VERSION}", config


def test_readme_quotes_rules_and_key_marker_columns(tmp_path: Path):
    tables = {
        "keyed": {
            "keys": ["PK"],
            "columns": {"PK": "int", "group": "string"},
            "expectations": {"has_group": "`group` IS NOT NULL AND `group` <> '|'"},
        }
    }
    project = bake_project(tmp_path / "out", {"tables": tables})
    readme = (project / "README.md").read_text()
    assert (
        "| `keyed` | `has_group` | `` `group` IS NOT NULL AND `group` <> '\\|' `` | drop |"
        in readme
    )
    assert 'int `PK` "business key"' in readme
