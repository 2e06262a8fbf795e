"""Pre-flight checks and small helpers for the Makefile targets that call the Databricks CLI.

Standard library only (the CLI does the work):

    medallion workspace --profile DEFAULT --target dev check
    medallion workspace --profile DEFAULT check-profile
    medallion workspace --profile DEFAULT --target prod confirm --action "destroy"
    medallion workspace --profile DEFAULT --target dev logs --pipeline-key medallion
    medallion workspace --profile "" --target staging land --pipeline-key medallion

An empty --profile means "authenticate from DATABRICKS_* environment variables" (CI).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medallion import project

# The newest CLI feature this project uses decides the floor (versions from databricks/cli's git
# tags and CHANGELOG.md):
#   1.12.0   pipeline `cascade_on_destroy` (#5846; direct engine only)       resources/pipeline.yml
#   0.286.0  `bundle validate --strict` (cmd/bundle/validate.go, #4232)      make validate
#   0.283.0  `pipelines logs` / `pipelines history` visible (#4275)           make logs, history
#   0.267.0  top-level run_as for pipelines (#3307)                           prod run_as
#   0.215.0  `bundle run --validate-only` (bundle/run/pipeline_options.go)    make dry-run
MIN_CLI_VERSION = (1, 12, 0)
# `pipelines logs -n` above this fails: "number of results must be 250 or less"
# (databricks/cli cmd/pipelines/utils.go, fetchAllPipelineEvents).
MAX_LOG_EVENTS = 250
# What the CLI's --start-time accepts: Go's time.RFC3339Nano (cmd/pipelines/utils.go).
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
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
    """The version in `databricks --version` output: 'Databricks CLI v0.286.0' -> (0, 286, 0)."""
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
            f"Databricks CLI {fmt_version(version)} is too old for this project: it needs "
            f">= {fmt_version(MIN_CLI_VERSION)} (bundle validate --strict, pipelines logs and "
            f"history).{legacy}\n{INSTALL_HINT}"
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


def _scalar(text: str) -> str:
    """A one-line YAML scalar: JSON-style "double", 'single' or plain (comment stripped)."""
    text = text.strip()
    if text.startswith('"'):
        value, _ = json.JSONDecoder().raw_decode(text)
        return str(value)
    if text.startswith("'"):
        return text[1 : text.index("'", 1)].replace("''", "'")
    return re.split(r"\s+#", text, maxsplit=1)[0].strip()


def bundle_host(text: str, target: str) -> str | None:
    """`targets.<target>.workspace.host` of a databricks.yml, else the top-level `workspace.host`.

    A small reader for the block-style mappings this project writes (PyYAML is not installed
    before `make install`); tests check that it agrees with PyYAML on this project's file.
    """
    keys: list[tuple[int, str]] = []  # (indent, key) of the mappings the current line is in
    block_indent: int | None = None  # inside a `>-` or `|` block scalar deeper than this
    found: dict[tuple[str, ...], str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None and (not stripped or indent > block_indent):
            continue
        block_indent = None
        if not stripped or stripped.startswith(("#", "-")):
            continue
        match = re.fullmatch(r"""("[^"]*"|'[^']*'|[^\s:#][^:#]*?)\s*:(?:\s+(.*))?""", stripped)
        if not match:
            continue
        key, value = match.group(1).strip("\"'"), (match.group(2) or "").strip()
        while keys and keys[-1][0] >= indent:
            keys.pop()
        if not value or value.startswith("#"):
            keys.append((indent, key))
        elif value[0] in ">|":
            block_indent = indent
        else:
            found[(*(k for _, k in keys), key)] = _scalar(value)
    return found.get(("targets", target, "workspace", "host")) or found.get(("workspace", "host"))


def normalize_host(host: str) -> str:
    """Compare hosts the way a person means them: scheme optional, case and trailing / ignored."""
    host = host.strip().lower().rstrip("/")
    return host if "://" in host else f"https://{host}"


def target_host(target: str, bundle_file: Path | None = None) -> str | None:
    bundle_file = bundle_file or project.root() / project.BUNDLE_FILE
    try:
        return bundle_host(bundle_file.read_text(encoding="utf-8"), target)
    except (OSError, ValueError) as exc:
        raise PreflightError(f"Cannot read workspace.host from {bundle_file}: {exc}") from exc


def check_host(target: str, bundle_file: Path | None = None) -> str | None:
    """Stop when DATABRICKS_HOST names another workspace than the target's `workspace.host`.

    The CLI does not: the bundle's host takes precedence and the environment only fills what is
    unset (databricks/cli bundle/config/workspace.go Client(); databricks-sdk-go
    config/config_attributes.go "don't overwrite a value previously set"), so credentials meant
    for one workspace would silently be sent to the other.
    """
    host = target_host(target, bundle_file)
    env_host = os.environ.get("DATABRICKS_HOST", "").strip()
    if host and env_host and normalize_host(env_host) != normalize_host(host):
        raise PreflightError(
            f"DATABRICKS_HOST is {env_host}, but target '{target}' deploys to {host} "
            f"(targets.{target}.workspace.host in {project.BUNDLE_FILE}). The CLI would silently "
            f"use {host} with credentials meant for {env_host}.\n"
            f"Set DATABRICKS_HOST={host} (in CI: the secret of the '{target}' environment), "
            "unset it, or fix the host in databricks.yml."
        )
    return host


def check(databricks: str, profile: str, target: str) -> str:
    version = cli_version(databricks)
    host = check_host(target)
    auth = check_auth(profile, host or "<workspace-url>")
    return f"Databricks CLI {fmt_version(version)}, {host or 'no host'}, credentials from {auth}"


def confirm(
    target: str,
    action: str,
    answer: str,
    stdin=None,
    protected: bool = False,
    again: str = "",
) -> None:
    """Ask the user to type the target name; refuse without a terminal unless CONFIRM=yes.

    `protected` (make destroy on PROTECTED_TARGETS): ask a second time, after saying what stays,
    and without a terminal also require CONFIRM_AGAIN=<target>.
    """
    stdin = stdin or sys.stdin
    interactive = stdin.isatty() and not os.environ.get("CI")
    if answer == "yes":
        print(f"Confirmed by CONFIRM=yes: {action} on target '{target}'.")
    elif not interactive:
        raise PreflightError(
            f"Refusing to {action} on target '{target}' without confirmation: there is no terminal "
            "to ask on (or CI is set).\nRe-run with CONFIRM=yes if you really mean it."
        )
    else:
        print(f"About to {action} on target '{target}'.", flush=True)
        print(f"Type the target name ({target}) to continue: ", end="", flush=True)
        reply = stdin.readline().strip()
        if reply != target:
            raise PreflightError(f"Not confirmed (got {reply!r}); nothing was done.")
    if not protected:
        return
    warning = (
        f"'{target}' is a protected target: its schemas (and landing volume) carry "
        "lifecycle.prevent_destroy, so the CLI stops before deleting anything until those lines "
        "are removed from databricks.yml; the pipeline's tables stay even then "
        "(cascade_on_destroy: false)."
    )
    if again == target:
        print(f"{warning}\nConfirmed a second time by CONFIRM_AGAIN={target}.")
        return
    if not interactive:
        raise PreflightError(
            f"{warning}\nRefusing to {action} on target '{target}' on one confirmation: re-run "
            f"with CONFIRM=yes CONFIRM_AGAIN={target} if you really mean it."
        )
    print(warning, flush=True)
    print(f"Type the target name ({target}) once more to continue: ", end="", flush=True)
    reply = stdin.readline().strip()
    if reply != target:
        raise PreflightError(f"Not confirmed the second time (got {reply!r}); nothing was done.")


def format_event(event: dict) -> str:
    """One line per pipeline event (the fields of the API's PipelineEvent)."""
    timestamp = str(event.get("timestamp", ""))[:23]
    origin = event.get("origin") or {}
    where = origin.get("flow_name") or origin.get("dataset_name") or ""
    message = str(event.get("message", "")).replace("\n", " ")
    line = f"{timestamp:23}  {event.get('level', ''):7}  {event.get('event_type', ''):18}  "
    if where:
        line += f"[{where}] "
    return line + message


@dataclass(frozen=True)
class LogQuery:
    """Which events `make logs` asks for."""

    pipeline_key: str
    max_events: int = 50
    since: str = ""  # RFC 3339 (the CLI's --start-time)
    update_id: str = ""  # default: the latest update
    level: str = ""  # e.g. ERROR,WARN


def logs_command(databricks: str, profile: str, target: str, options: LogQuery) -> list:
    """`databricks pipelines logs KEY ...`: events of the latest update unless --update-id."""
    if not 1 <= options.max_events <= MAX_LOG_EVENTS:
        raise PreflightError(
            f"MAX_EVENTS={options.max_events}: the CLI returns 1 to {MAX_LOG_EVENTS} events."
        )
    if options.since and not RFC3339.fullmatch(options.since):
        raise PreflightError(
            f"SINCE={options.since}: use an RFC 3339 time such as 2026-01-15T10:30:00Z."
        )
    argv = [databricks, "pipelines", "logs", options.pipeline_key, "--target", target]
    argv += ["--profile", profile] if profile else []
    argv += ["-n", str(options.max_events)]
    argv += ["--start-time", options.since] if options.since else []
    argv += ["--update-id", options.update_id] if options.update_id else []
    argv += ["--level", options.level] if options.level else []
    return [*argv, "-o", "json"]


def logs(databricks: str, profile: str, target: str, options: LogQuery) -> None:
    argv = logs_command(databricks, profile, target, options)
    print("+ " + shlex.join(argv), flush=True)
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise PreflightError(f"`{shlex.join(argv)}` failed with exit code {result.returncode}.")
    events = json.loads(result.stdout or "[]")
    if not events:
        print("No events match. `make history` lists the updates (UPDATE_ID=<id> picks one).")
        return
    # The CLI asks for `timestamp desc`; print oldest first so the latest line is at the bottom.
    for event in reversed(events):
        print(format_event(event))
    errors = [event for event in events if event.get("level") == "ERROR"]
    if errors:
        print(f"\n{len(errors)} ERROR event(s): `make logs LEVEL=ERROR` shows only those; the")
        print("pipeline's page in the workspace (Jobs & Pipelines) has the full stack traces.")


def deployed_config(databricks: str, profile: str, target: str) -> dict:
    """`databricks bundle summary -o json`: the target's configuration as deployed, every name
    resolved (dev_<you>_ and staging_ prefixes included)."""
    argv = [databricks, "bundle", "summary", "--output", "json", "--target", target]
    if profile:
        argv += ["--profile", profile]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PreflightError(f"{shlex.join(argv)} failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout)


def land(databricks: str, profile: str, target: str, source: Path, pipeline_key: str) -> None:
    """Copy `source/<table>/` to the target's landing path, one table folder at a time, with the
    CLI (`databricks fs cp -r --overwrite`). File names decide the order rows are applied in (see
    the README), not upload times, so the parallel upload is fine."""
    configuration = deployed_config(databricks, profile, target)["resources"]["pipelines"][
        pipeline_key
    ]["configuration"]
    landing = configuration["medallion.landing_path"].rstrip("/")
    if not landing.startswith("/Volumes/"):
        raise PreflightError(
            f"target {target} lands in {landing}: `make land` copies to Unity Catalog volumes "
            "only; use your cloud's tools for a bucket"
        )
    tables = sorted(path for path in source.iterdir() if path.is_dir())
    if not tables:
        raise PreflightError(f"{source} has no table folders (<table>/<files>) to land")
    for folder in tables:
        argv = [databricks, "fs", "cp", "--recursive", "--overwrite", str(folder)]
        argv.append(f"dbfs:{landing}/{folder.name}")
        if profile:
            argv += ["--profile", profile]
        print(shlex.join(argv), flush=True)
        if subprocess.run(argv, check=False).returncode != 0:
            raise PreflightError(f"landing {folder.name} failed (see the CLI's message above)")
    print(f"Landed {len(tables)} tables in {landing} (target {target}).")
