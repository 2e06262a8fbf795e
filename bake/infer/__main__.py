"""`python -m bake.infer FOLDER|uc:CATALOG.SCHEMA [--tables a,b] [--merge tables.yml [--write]]`

Prints the inferred tables.yml (progress goes to stderr). With `--merge`, prints that file with
the inferred tables it lacks appended; `--write` replaces it, only once everything succeeded.
`uc:<catalog>.<schema>` reads the tables' metadata from Unity Catalog with the Databricks SDK
(credentials from the environment or ~/.databrickscfg; `--profile` picks a profile).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bake.infer import InferError, infer_folder, merge_into, render_tables_yml
from bake.infer.model import InferredSpec
from bake.infer.unity_catalog import infer_unity_catalog, parse_source


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def _infer(source: str, tables: list[str] | None, profile: str | None, progress) -> InferredSpec:
    schema = parse_source(source)
    if schema is None:
        return infer_folder(Path(source), tables, progress)
    from databricks.sdk import WorkspaceClient  # only for uc: (not needed to read files)

    try:
        client = WorkspaceClient(profile=profile) if profile else WorkspaceClient()
    except ValueError as error:  # the SDK's "cannot configure default credentials" and kin
        raise InferError(f"{source}: no Databricks credentials ({error})") from None
    return infer_unity_catalog(*schema, tables=tables, client=client, progress=progress)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bake.infer", description=__doc__.split("\n")[2]
    )
    parser.add_argument(
        "folder", help="one sub-folder (or file) per table, or uc:<catalog>.<schema>"
    )
    parser.add_argument("--profile", help="uc: the ~/.databrickscfg profile to use")
    parser.add_argument("--tables", help="comma-separated table names (default: all)")
    parser.add_argument("--merge", type=Path, help="an existing tables.yml to add new tables to")
    parser.add_argument("--write", action="store_true", help="replace the --merge file")
    args = parser.parse_args(argv)
    tables = [name.strip() for name in args.tables.split(",")] if args.tables else None

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        inferred = _infer(args.folder, tables, args.profile, progress)
        if args.merge is None:
            sys.stdout.write(render_tables_yml(inferred))
            return 0
        existing = args.merge.read_text() if args.merge.exists() else ""
        merged = merge_into(existing, inferred)
    except InferError as exc:
        print(f"infer: {exc}", file=sys.stderr)
        return 2
    for name in merged.kept:
        progress(f"infer: {name} is in {args.merge} already: left as it is")
    for line in merged.dropped_references:
        progress(f"infer: reference left out: {line}")
    if args.write:
        _write_atomically(args.merge, merged.text)
        progress(f"infer: added {', '.join(merged.added) or 'nothing'} to {args.merge}")
    else:
        sys.stdout.write(merged.text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
