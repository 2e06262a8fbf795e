"""Run sql/admin_grants.sql on a SQL warehouse, one statement at a time (`make admin-grants`).

    medallion admin-grants --target prod --profile DEFAULT [--warehouse-id <id>]
    medallion admin-grants --target prod --dry-run           # print the statements, send nothing

For the owner of the catalog or a metastore admin: the bundle grants everything else on deploy.
`${var.<name>}` in the file is the target's bundle variable (databricks.yml: the variable's
default, the target's `variables:` override, or BUNDLE_VAR_<name> from the environment, in the
CLI's order), quoted as an identifier; `${landing_catalog}`, `${landing_schema}` and
`${landing_volume}` are the parts of `var.landing_path` when it is a volume path. The warehouse is
--warehouse-id, else WAREHOUSE_ID, else the target's `var.warehouse_id`.

Uses the Databricks SDK's statement execution API and stops at the first statement that fails,
printing it with the server's message. Needs `databricks-sdk` and PyYAML (`make install`).
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from medallion import project

GRANTS_SQL = Path("sql") / "admin_grants.sql"  # relative to the project folder
POLL_SECONDS = 2.0
TIMEOUT_SECONDS = 600.0
RUNNING_STATES = {"PENDING", "RUNNING"}
SUCCESS_STATES = {"SUCCEEDED", "CLOSED"}
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.]*)\}")
LANDING_PARTS = {"landing_catalog": 1, "landing_schema": 2, "landing_volume": 3}


class GrantsError(Exception):
    """A failure to report to the user; the message says what failed and why."""


def bundle_variables(target: str, bundle_file: Path | None = None) -> dict[str, str]:
    """The bundle variables of `target` as the CLI resolves them (scalars only)."""
    import yaml

    bundle_file = bundle_file or project.root() / project.BUNDLE_FILE
    config = yaml.safe_load(bundle_file.read_text(encoding="utf-8")) or {}
    targets = config.get("targets") or {}
    if target not in targets:
        raise GrantsError(
            f"no target {target!r} in {bundle_file.name}: use one of {', '.join(targets)}"
        )
    values = {
        name: (body or {}).get("default") for name, body in (config.get("variables") or {}).items()
    }
    for name, override in ((targets[target] or {}).get("variables") or {}).items():
        values[name] = override.get("default") if isinstance(override, dict) else override
    for name in values:
        if f"BUNDLE_VAR_{name}" in os.environ:
            values[name] = os.environ[f"BUNDLE_VAR_{name}"]
    return {name: value for name, value in values.items() if isinstance(value, str)}


def quote(name: str) -> str:
    """An identifier for Databricks SQL, backticks doubled; refuses what no name can hold."""
    if not name or any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise GrantsError(f"{name!r} is not a usable name (empty, or a control character)")
    return "`" + name.replace("`", "``") + "`"


def fill(sql: str, variables: dict[str, str]) -> str:
    """The SQL with every `${...}` replaced by its quoted value; unknown names are refused."""

    def value(match: re.Match[str]) -> str:
        name, placeholder = match.group(1), match.group(0)
        if name.startswith("var."):
            if name[4:] not in variables:
                raise GrantsError(f"{placeholder}: no such bundle variable for this target")
            return quote(variables[name[4:]])
        if name in LANDING_PARTS:
            parts = (variables.get("landing_path") or "").strip("/").split("/")
            if len(parts) < 4 or parts[0] != "Volumes":
                raise GrantsError(
                    f"{placeholder}: var.landing_path {variables.get('landing_path')!r} is not a "
                    "volume path /Volumes/<catalog>/<schema>/<volume>/..."
                )
            return ".".join(quote(part) for part in parts[1 : LANDING_PARTS[name] + 1])
        raise GrantsError(f"{placeholder}: unknown placeholder (use " + "${var.<name>})")

    return PLACEHOLDER.sub(value, sql)


def split_statements(sql: str) -> list[str]:
    """Split SQL on semicolons outside quotes, backticks and comments; drop the comments."""
    statements: list[str] = []
    current: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"`":
            end = i + 1
            while end < n:
                if sql[end] == "\\" and char != "`":
                    end += 2
                    continue
                if sql[end] == char:
                    if end + 1 < n and sql[end + 1] == char:  # doubled quote inside
                        end += 2
                        continue
                    break
                end += 1
            if end >= n:
                raise GrantsError(f"Unterminated {char} quote starting at: {sql[i : i + 40]!r}")
            current.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end == -1 else end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end == -1:
                raise GrantsError("Unterminated /* comment")
            current.append(" ")
            i = end + 2
        elif char == ";":
            statements.append("".join(current))
            current = []
            i += 1
        else:
            current.append(char)
            i += 1
    statements.append("".join(current))
    cleaned = ("\n".join(line.rstrip() for line in s.strip().splitlines()) for s in statements)
    return [statement for statement in cleaned if statement]


def execute(client, statement: str, warehouse_id: str) -> None:
    """Run one statement and wait for a terminal state; raise GrantsError unless it succeeded."""
    response = client.statement_execution.execute_statement(
        statement=statement, warehouse_id=warehouse_id, wait_timeout="30s"
    )
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while _state(response) in RUNNING_STATES:
        if time.monotonic() > deadline:
            client.statement_execution.cancel_execution(response.statement_id)
            raise GrantsError(
                f"Timed out after {TIMEOUT_SECONDS:.0f} s; the statement was canceled."
            )
        time.sleep(POLL_SECONDS)
        response = client.statement_execution.get_statement(response.statement_id)
    state = _state(response)
    if state not in SUCCESS_STATES:
        error = response.status.error if response.status else None
        message = (error.message if error else None) or "no message from the server"
        code = error.error_code.value if error and error.error_code else None
        raise GrantsError(f"{state}{f' ({code})' if code else ''}: {message}")


def _state(response) -> str:
    status = response.status
    return status.state.value if status and status.state else "UNKNOWN"


def run(client, statements: list[str], warehouse_id: str) -> None:
    from databricks.sdk.errors import DatabricksError

    for number, statement in enumerate(statements, start=1):
        print(f"[{number}/{len(statements)}] {statement}", flush=True)
        try:
            try:
                execute(client, statement, warehouse_id)
            except DatabricksError as exc:  # HTTP-level: unknown warehouse, no permission, ...
                raise GrantsError(f"{type(exc).__name__}: {exc}") from exc
        except GrantsError as exc:
            raise GrantsError(
                f"Statement {number} of {len(statements)} failed:\n{statement}\n{exc}\n"
                "The statements before it were applied; fix the cause and run `make admin-grants` "
                "again (every statement is idempotent)."
            ) from exc
    print(f"All {len(statements)} statements succeeded on warehouse {warehouse_id}.")


def make_client(profile: str):
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient(profile=profile or None)


def main(
    target: str = "dev",
    profile: str = "",
    warehouse_id: str = "",
    file: Path | None = None,
    dry_run: bool = False,
) -> int:
    """Run (or, with `dry_run`, print) the grants file's statements for `target`."""
    file = project.root() / (file or GRANTS_SQL)
    try:
        variables = bundle_variables(target)
        text = file.read_text(encoding="utf-8")
        # Comments go first, so a `${...}` in one is never filled in.
        statements = [fill(statement, variables) for statement in split_statements(text)]
        if dry_run:
            for number, statement in enumerate(statements, start=1):
                print(f"-- [{number}/{len(statements)}]\n{statement};\n")
            print(
                f"-- Dry run for target {target}: {len(statements)} statements, nothing was sent."
            )
            return 0
        warehouse_id = (
            warehouse_id or os.environ.get("WAREHOUSE_ID") or variables.get("warehouse_id")
        )
        if not warehouse_id:
            raise GrantsError(
                "No SQL warehouse id. Pass one: make admin-grants WAREHOUSE_ID=<id> (SQL "
                "Warehouses > your warehouse > Overview shows the id), or set var.warehouse_id "
                f"for target {target} in databricks.yml."
            )
        try:
            client = make_client(profile)
        except Exception as exc:  # the SDK raises ValueError for missing or broken credentials
            raise GrantsError(
                f"Cannot authenticate to Databricks: {exc}\n"
                f"Log in with: databricks auth login --profile {profile or 'DEFAULT'}"
            ) from exc
        run(client, statements, warehouse_id)
    except GrantsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
