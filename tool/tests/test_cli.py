"""The `medallion` command line: every command the project's Makefile calls exists, and a wrong
call is refused with the option named and what is valid (exit 2, as click does)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import typer

from medallion import cli

from . import baked

MEDALLION_CALL = re.compile(r"\$\(MEDALLION\) ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?")
WORKSPACE_CALL = re.compile(r"\$\(DATABRICKS_CHECK\) ([a-z][a-z-]*)")  # medallion workspace ...


def offered() -> set[tuple[str, ...]]:
    """Every (command,) and (group, command) the tool offers."""
    root = typer.main.get_command(cli.app)
    paths = set()
    for name, command in root.commands.items():
        paths.add((name,))
        paths |= {(name, sub) for sub in getattr(command, "commands", {})}
    return paths


def test_every_command_the_makefile_calls_exists():
    text = (baked.PROJECT / "Makefile").read_text()
    groups = {path[0] for path in offered() if len(path) == 2}
    calls = {(first, second) if first in groups and second else (first,)
             for first, second in MEDALLION_CALL.findall(text)}  # fmt: skip
    calls |= {("workspace", command) for command in WORKSPACE_CALL.findall(text)}
    assert {("run-local",), ("validate",), ("sync", "apply-spec"), ("workspace", "check")} <= calls
    assert calls <= offered(), calls - offered()


def run(*args: str, cwd=baked.PROJECT) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "medallion", *args]
    env = {**os.environ, "COLUMNS": "200"}  # rich would fold the message at 80
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_a_wrong_value_names_the_option_and_the_choices():
    wrong = run("validate", "--online", "sometimes")
    assert wrong.returncode == 2
    assert "'sometimes' is not one of 'auto', 'required', 'off'" in wrong.stderr
    wrong = run("sync", "add-table", "returns", "--role", "bridge")
    assert wrong.returncode == 2
    assert "'bridge' is not one of 'dimension', 'fact'" in wrong.stderr


def test_outside_a_project_it_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDALLION_PROJECT")
    result = run("summary", cwd=tmp_path)
    assert result.returncode == 2
    assert f"no databricks.yml in {tmp_path.resolve()} or any folder above it" in result.stderr
    assert "Traceback" not in result.stderr
