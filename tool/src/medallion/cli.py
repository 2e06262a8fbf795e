"""`medallion`: the one command behind the project's Makefile.

Each command parses its options here (typer) and calls one module that does the work, so the
modules stay plain functions that tests call directly. Run `medallion --help`, or
`medallion <command> --help`, from the project folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from medallion import project

app = typer.Typer(
    help="Run, check, deploy and keep in step a dlt-medallion project (run it in the project).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
workspace = typer.Typer(
    help="Pre-flight checks and helpers around the Databricks CLI (make deploy, logs, land, ...).",
    no_args_is_help=True,
)
sync = typer.Typer(
    help="Re-render the project from its template: spec changes, new tables, upgrades (cruft).",
    no_args_is_help=True,
)
app.add_typer(workspace, name="workspace")
app.add_typer(sync, name="sync")

Target = Annotated[str, typer.Option(help="bundle target in databricks.yml")]
Profile = Annotated[str, typer.Option(help="CLI profile; empty: DATABRICKS_* variables (CI)")]


def _absolute(path: Path | None) -> Path | None:
    """Paths given on the command line are the caller's, relative to where it runs."""
    return path.resolve() if path is not None else None


def _done(code: int) -> None:
    if code:
        raise typer.Exit(code)


@app.command("run-local")
def run_local(
    landing: Annotated[
        Path | None, typer.Option(help="folder with <table>/ sub-folders (default: sample_data/)")
    ] = None,
    full_refresh: Annotated[bool, typer.Option(help="recompute every table from scratch")] = False,
    state_dir: Annotated[
        Path | None, typer.Option(help="catalog, tables and logs (default: .local/)")
    ] = None,
    remote: Annotated[
        str, typer.Option(help="a Spark Connect server, sc://host:port (default: $SPARK_REMOTE)")
    ] = "",
) -> None:
    """Run the whole pipeline on this machine (open-source Spark's declarative pipelines)."""
    from medallion import run_local as runner

    options = runner.RunOptions(
        landing=_absolute(landing),
        full_refresh=full_refresh,
        state_dir=_absolute(state_dir) or Path(".local"),
        remote=remote or os.environ.get("SPARK_REMOTE", ""),
    )
    _done(runner.main(options))


@app.command("check-graph")
def check_graph() -> None:
    """Dry-run the local and the Databricks-shaped graph (reads and writes no data)."""
    from medallion import run_local as runner

    _done(runner.main(runner.RunOptions(check_graph=True)))


@app.command()
def summary(
    warehouse: Annotated[
        Path | None, typer.Option(help="the tables' folder (default: .local/warehouse)")
    ] = None,
) -> None:
    """Rows, quarantine, unknown members and integrity checks of the last local run."""
    from medallion import local_summary

    _done(local_summary.main(_absolute(warehouse)))


@app.command()
def report(
    state_dir: Annotated[
        Path | None, typer.Option(help="the local runs' folder (default: .local/)")
    ] = None,
) -> None:
    """Write the local run report: one HTML page (graph, rows, quarantine, checks, trends)."""
    from medallion import project
    from medallion import report as run_report

    folder = _absolute(state_dir) or project.root() / ".local"
    print(f"Report: {run_report.write(folder)}")


@app.command()
def validate(
    target: Target = "dev",
    profile: Annotated[
        str | None, typer.Option(help='CLI profile; "" means DATABRICKS_* variables')
    ] = None,
    online: Annotated[
        Literal["auto", "required", "off"],
        typer.Option(help="auto: when a CLI and credentials exist; required: fail without; off"),
    ] = "auto",
    offline: Annotated[bool, typer.Option(help="the same as --online off")] = False,
    root: Annotated[Path | None, typer.Option(help="bundle folder (default: this project)")] = None,
) -> None:
    """Validate the bundle offline, then with `databricks bundle validate --strict`."""
    from medallion import validate_bundle

    folder = _absolute(root) or project.root()
    _done(validate_bundle.main(folder, "off" if offline else online, target, profile))


@app.command("admin-grants")
def admin_grants(
    target: Target = "dev",
    profile: Profile = "",
    warehouse_id: Annotated[
        str, typer.Option(help="default: $WAREHOUSE_ID, else the target's var.warehouse_id")
    ] = "",
    file: Annotated[Path | None, typer.Option(help="SQL file (default: sql/admin_grants.sql)")] = (
        None
    ),
    dry_run: Annotated[bool, typer.Option(help="print the statements, send nothing")] = False,
) -> None:
    """For the catalog owner: run sql/admin_grants.sql on the target's SQL warehouse."""
    from medallion import admin_grants as grants

    _done(grants.main(target, profile, warehouse_id, _absolute(file), dry_run))


@app.command("deploy-target")
def deploy_target(
    event: Annotated[str, typer.Option(help="github.event_name")],
    ref: Annotated[str, typer.Option(help="github.ref")],
    default_branch: Annotated[str, typer.Option(help="the repository's default branch")],
    input: Annotated[str, typer.Option(help="the manual run's `target` input")] = "",
) -> None:
    """Which target a run of the deploy workflow deploys (prints target=<name>)."""
    from medallion import deploy_target as chooser

    _done(chooser.main(event, ref, default_branch, input))


class _Workspace:
    """The options every `medallion workspace` command shares."""

    def __init__(self, profile: str, target: str, databricks: str) -> None:
        self.profile, self.target, self.databricks = profile, target, databricks


@workspace.callback()
def workspace_options(
    context: typer.Context,
    profile: Profile = "",
    target: Target = "dev",
    databricks: Annotated[str, typer.Option(help="the Databricks CLI executable")] = "databricks",
) -> None:
    context.obj = _Workspace(profile, target, databricks)


def _preflight(action) -> None:
    """Run a workspace action; a PreflightError is the user's to fix: say it, exit 1."""
    from medallion.databricks_cli import PreflightError

    try:
        action()
    except PreflightError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


@workspace.command()
def check(
    context: typer.Context,
    quiet: Annotated[bool, typer.Option(help="no output; only the exit code")] = False,
) -> None:
    """Check the CLI's version, the target's host and the credentials."""
    from medallion import databricks_cli as cli

    options: _Workspace = context.obj

    def action() -> None:
        status = cli.check(options.databricks, options.profile, options.target)
        if not quiet:
            typer.echo(status)

    if quiet:
        try:
            action()
        except cli.PreflightError:
            raise typer.Exit(1) from None
        return
    _preflight(action)


@workspace.command("check-profile")
def check_profile(context: typer.Context) -> None:
    """Check only the credentials (no CLI needed)."""
    from medallion import databricks_cli as cli

    options: _Workspace = context.obj

    def action() -> None:
        host_hint = cli.target_host(options.target) or "<workspace-url>"
        typer.echo("Databricks credentials from " + cli.check_auth(options.profile, host_hint))

    _preflight(action)


@workspace.command()
def confirm(
    context: typer.Context,
    action: Annotated[str, typer.Option(help="what is about to happen, in words")],
    confirm: Annotated[str, typer.Option(help="'yes' skips the question")] = "",
    protected: Annotated[bool, typer.Option(help="ask twice (a protected target)")] = False,
    confirm_again: Annotated[str, typer.Option(help="the target name skips question two")] = "",
) -> None:
    """Ask before a destructive action."""
    from medallion import databricks_cli as cli

    options: _Workspace = context.obj
    _preflight(
        lambda: cli.confirm(
            options.target, action, confirm, protected=protected, again=confirm_again
        )
    )


@workspace.command()
def land(
    context: typer.Context,
    pipeline_key: Annotated[str, typer.Option(help="resource key in resources/pipeline.yml")],
    source: Annotated[Path | None, typer.Option(help="default: sample_data/")] = None,
) -> None:
    """Copy table folders to the target's landing volume."""
    from medallion import databricks_cli as cli

    options: _Workspace = context.obj
    folder = _absolute(source) or project.root() / "sample_data"
    _preflight(
        lambda: cli.land(options.databricks, options.profile, options.target, folder, pipeline_key)
    )


@workspace.command()
def logs(
    context: typer.Context,
    pipeline_key: Annotated[str, typer.Option(help="resource key in resources/pipeline.yml")],
    max_events: Annotated[int, typer.Option(help="1 to 250")] = 50,
    since: Annotated[str, typer.Option(help="RFC 3339 time (the CLI's --start-time)")] = "",
    update_id: Annotated[str, typer.Option(help="default: the latest update")] = "",
    level: Annotated[str, typer.Option(help="e.g. ERROR,WARN")] = "",
) -> None:
    """Events of the deployed pipeline, one line each."""
    from medallion import databricks_cli as cli

    options: _Workspace = context.obj
    query = cli.LogQuery(pipeline_key, max_events, since, update_id, level)
    _preflight(lambda: cli.logs(options.databricks, options.profile, options.target, query))


def _sync(action) -> None:
    from medallion.template_sync import SyncError

    try:
        _done(action())
    except SyncError as exc:
        typer.echo(f"medallion sync: {exc}", err=True)
        raise typer.Exit(1) from None


@sync.command("apply-spec")
def apply_spec() -> None:
    """Regenerate every file that follows from tables.yml, keeping your edits."""
    from medallion import template_sync

    def action() -> int:
        text = (project.root() / template_sync.SPEC_FILE).read_text(encoding="utf-8")
        return template_sync.apply_spec(text, text)

    _sync(action)


@sync.command("add-table")
def add_table(
    name: Annotated[str, typer.Argument(help="the new table's name")],
    role: Annotated[Literal["dimension", "fact"], typer.Option()] = "dimension",
) -> None:
    """Add a table to tables.yml and regenerate."""
    from medallion import template_sync

    _sync(lambda: template_sync.add_table(name, role))


@sync.command("infer-spec")
def infer_spec(
    source: Annotated[
        str, typer.Argument(help="a folder (a sub-folder or file per table) or uc:<cat>.<schema>")
    ],
    tables: Annotated[str | None, typer.Option(help="comma-separated table names")] = None,
    profile: Annotated[str | None, typer.Option(help="uc: the ~/.databrickscfg profile")] = None,
) -> None:
    """Add tables inferred from files (or a Unity Catalog schema) to tables.yml."""
    from medallion import template_sync

    _sync(lambda: template_sync.infer_spec(source, tables, profile))


@sync.command("check-spec")
def check_spec() -> None:
    """Prove src/<package>/tables.py is what tables.yml renders: no hand edit, nothing unapplied."""
    from medallion import spec_check

    _sync(spec_check.check_spec)


@sync.command()
def upgrade(
    checkout: Annotated[str | None, typer.Option(help="branch, tag or commit")] = None,
) -> None:
    """Merge in a newer template version (and with it, a newer medallion)."""
    from medallion import template_sync

    _sync(lambda: template_sync.upgrade(checkout))


def main() -> None:
    try:
        app()
    except project.ProjectError as exc:
        typer.echo(f"medallion: {exc}", err=True)
        raise SystemExit(2) from None
