"""Pre-flight checks and small helpers for the Makefile targets that call the Databricks CLI.

Standard library only, so that `make deploy` works before `make install`:

    python3 -m tools.databricks_cli --profile DEFAULT check
    python3 -m tools.databricks_cli --profile DEFAULT check-profile
    python3 -m tools.databricks_cli --profile DEFAULT confirm --target prod --action "destroy"
    python3 -m tools.databricks_cli --profile DEFAULT logs --target dev --pipeline-key my_pipeline

An empty --profile means "authenticate from DATABRICKS_* environment variables" (CI).
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

# Bundles with `catalog`/`schema`/`serverless` pipelines, `event_log` and `bundle validate --strict`
# need a recent CLI. 0.250.0 is a conservative floor; newer is always fine.
MIN_CLI_VERSION = (0, 250, 0)
INSTALL_HINT = (
    "Install or upgrade the Databricks CLI:\n"
    "  macOS/Linux: brew tap databricks/tap && brew install databricks\n"
    "  or:          curl -fsSL https://raw.githubusercontent.com/databricks/setup-cli/main/install.sh"
    " | sudo sh\n"
    "  Windows:     winget install Databricks.DatabricksCLI\n"
    "  docs:        https://docs.databricks.com/dev-tools/cli/install.html"
)
ENV_CREDENTIALS = (
    ("DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"),
    ("DATABRICKS_TOKEN",),
)


class PreflightError(Exception):
    """A problem the user has to fix; the message says how."""


def fmt_version(version: Sequence[int]) -> str:
    return ".".join(str(part) for part in version)


def parse_version(text: str) -> tuple[int, int, int] | None:
    """The version in `databricks --version` output: 'Databricks CLI v0.250.0' -> (0, 250, 0)."""
    match = re.search(r"v?(\d+)\.(\d+)\.(\d+)", text)
    if not match:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def cli_version(databricks: str = "databricks") -> tuple[int, int, int]:
    """Check that the CLI is installed and new enough; return its version."""
    if shutil.which(databricks) is None:
        raise PreflightError(f"The Databricks CLI (`{databricks}`) is not on PATH.\n{INSTALL_HINT}")
    result = subprocess.run(
        [databricks, "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    output = (result.stdout + result.stderr).strip()
    version = parse_version(output)
    if result.returncode != 0 or version is None:
        raise PreflightError(
            f"Could not read the Databricks CLI version from `{databricks} --version` "
            f"(exit {result.returncode}): {output or 'no output'}\n{INSTALL_HINT}"
        )
    if version < MIN_CLI_VERSION:
        legacy = ""
        if version < (0, 200, 0):
            legacy = (
                "\nThis is the legacy Python `databricks-cli` package, which has no bundle support:"
                " remove it with `pip uninstall databricks-cli`."
            )
        raise PreflightError(
            f"Databricks CLI {fmt_version(version)} is too old for bundles: this project needs "
            f">= {fmt_version(MIN_CLI_VERSION)}.{legacy}\n{INSTALL_HINT}"
        )
    return version


def config_file() -> Path:
    return Path(os.environ.get("DATABRICKS_CONFIG_FILE") or Path.home() / ".databrickscfg")


def profiles(path: Path) -> list[str]:
    """Profile names in a Databricks config file (the CLI and SDK read the same file)."""
    if not path.is_file():
        return []
    parser = configparser.ConfigParser(default_section="__no_default__", interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise PreflightError(f"Cannot parse {path}: {exc}") from exc
    return parser.sections()


def check_auth(profile: str, host_hint: str = "<workspace-url>") -> str:
    """Check that the profile exists, or (empty profile) that credentials are in the environment."""
    if not profile:
        for names in ENV_CREDENTIALS:
            if all(os.environ.get(name) for name in names):
                return "environment (" + ", ".join(names) + ")"
        raise PreflightError(
            "PROFILE is empty, so credentials must come from the environment, but neither "
            "DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET nor DATABRICKS_TOKEN is set.\n"
            "Either set them (CI), or use a CLI profile: make <target> PROFILE=<name>"
        )
    path = config_file()
    known = profiles(path)
    if profile not in known:
        listed = ", ".join(known) if known else "none"
        raise PreflightError(
            f"The Databricks CLI profile '{profile}' is not configured in {path} "
            f"(profiles found: {listed}).\n"
            f"Create it with:  databricks auth login --host {host_hint} --profile {profile}\n"
            f"or pick another: make <target> PROFILE=<name>"
        )
    return f"profile {profile} ({path})"


def check(databricks: str, profile: str, host_hint: str) -> str:
    version = cli_version(databricks)
    auth = check_auth(profile, host_hint)
    return f"Databricks CLI {fmt_version(version)}, credentials from {auth}"


def confirm(target: str, action: str, answer: str, stdin=None) -> None:
    """Ask the user to type the target name; refuse without a terminal unless CONFIRM=yes."""
    stdin = stdin or sys.stdin
    if answer == "yes":
        print(f"Confirmed by CONFIRM=yes: {action} on target '{target}'.")
        return
    interactive = stdin.isatty() and not os.environ.get("CI")
    if not interactive:
        raise PreflightError(
            f"Refusing to {action} on target '{target}' without confirmation: there is no terminal "
            "to ask on (or CI is set).\nRe-run with CONFIRM=yes if you really mean it."
        )
    print(f"About to {action} on target '{target}'.", flush=True)
    print(f"Type the target name ({target}) to continue: ", end="", flush=True)
    reply = stdin.readline().strip()
    if reply != target:
        raise PreflightError(f"Not confirmed (got {reply!r}); nothing was done.")


def run_cli(argv: list[str]) -> str:
    print("+ " + shlex.join(argv), flush=True)
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise PreflightError(f"`{shlex.join(argv)}` failed with exit code {result.returncode}.")
    return result.stdout


def pipeline_id(summary: dict, key: str, target: str) -> str:
    pipelines = (summary.get("resources") or {}).get("pipelines") or {}
    resource = pipelines.get(key)
    if resource is None:
        found = ", ".join(sorted(pipelines)) or "none"
        raise PreflightError(
            f"The bundle has no pipeline resource '{key}' (found: {found}). "
            "Set PIPELINE_KEY=<key> to the key under resources.pipelines."
        )
    if not resource.get("id"):
        raise PreflightError(
            f"Pipeline '{key}' is not deployed to target '{target}' yet. Run: make deploy "
            f"TARGET={target}"
        )
    return str(resource["id"])


def format_event(event: dict) -> str:
    timestamp = str(event.get("timestamp", ""))[:23]
    origin = event.get("origin") or {}
    where = origin.get("flow_name") or origin.get("dataset_name") or ""
    message = str(event.get("message", "")).replace("\n", " ")
    line = f"{timestamp:23}  {event.get('level', ''):7}  {event.get('event_type', ''):18}  "
    if where:
        line += f"[{where}] "
    return line + message


def logs(databricks: str, profile: str, target: str, key: str, since: str, max_events: int) -> None:
    common = ["--target", target] + (["--profile", profile] if profile else [])
    summary = json.loads(run_cli([databricks, "bundle", "summary", *common, "-o", "json"]))
    pid = pipeline_id(summary, key, target)
    events_argv = [databricks, "pipelines", "list-pipeline-events", pid]
    events_argv += ["--max-results", str(max_events), "--filter", f"timestamp >= '{since}'"]
    events_argv += (["--profile", profile] if profile else []) + ["-o", "json"]
    events = json.loads(run_cli(events_argv) or "[]")
    if isinstance(events, dict):  # older CLIs wrap the list
        events = events.get("events") or []
    if not events:
        print(f"No pipeline events since {since}.")
        return
    # The API returns newest first; print oldest first so the latest line is at the bottom.
    for event in reversed(events[:max_events]):
        print(format_event(event))
    errors = [event for event in events[:max_events] if event.get("level") == "ERROR"]
    if errors:
        print(f"\n{len(errors)} ERROR event(s). Details: databricks pipelines get {pid}", end="")
        print(" or the pipeline's page in the workspace (Jobs & Pipelines).")


def default_since(hours: int = 24) -> str:
    return (datetime.now(timezone.utc) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tools.databricks_cli", description=__doc__)
    parser.add_argument("--profile", default="", help="CLI profile; empty: environment variables")
    parser.add_argument("--databricks", default="databricks", help="the CLI executable")
    parser.add_argument("--host", default="<workspace-url>", help="host shown in the login hint")
    sub = parser.add_subparsers(dest="command", required=True)
    check_cmd = sub.add_parser("check", help="check CLI version and credentials")
    check_cmd.add_argument("--quiet", action="store_true", help="no output; only the exit code")
    sub.add_parser("check-profile", help="check only the credentials (no CLI needed)")
    confirm_cmd = sub.add_parser("confirm", help="ask before a destructive action")
    confirm_cmd.add_argument("--target", required=True)
    confirm_cmd.add_argument("--action", required=True)
    confirm_cmd.add_argument("--confirm", default="", help="'yes' skips the question")
    logs_cmd = sub.add_parser("logs", help="recent events of the deployed pipeline")
    logs_cmd.add_argument("--target", required=True)
    logs_cmd.add_argument("--pipeline-key", required=True)
    logs_cmd.add_argument("--since", default="", help="ISO timestamp; default: 24 hours ago")
    logs_cmd.add_argument("--max-events", type=int, default=50)
    args = parser.parse_args(argv)

    try:
        if args.command == "check":
            status = check(args.databricks, args.profile, args.host)
            if not args.quiet:
                print(status)
        elif args.command == "check-profile":
            print("Databricks credentials from " + check_auth(args.profile, args.host))
        elif args.command == "confirm":
            confirm(args.target, args.action, args.confirm)
        else:
            since = args.since or default_since()
            logs(
                args.databricks,
                args.profile,
                args.target,
                args.pipeline_key,
                since,
                args.max_events,
            )
    except PreflightError as exc:
        if not getattr(args, "quiet", False):
            print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
