"""`medallion(*args)`: the command line in this process, as the Makefile runs it; its exit code."""

from __future__ import annotations

import typer

from medallion import cli


def medallion(*args: str) -> int:
    command = typer.main.get_command(cli.app)
    # standalone_mode=False: click returns the exit code instead of calling sys.exit
    return command.main(list(args), prog_name="medallion", standalone_mode=False) or 0
