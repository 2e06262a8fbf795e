"""Run the whole pipeline on this machine with open-source Spark's `spark-pipelines`.

    python -m tools.run_local [--landing DIR] [--full-refresh] [--state-dir .local]
    python -m tools.run_local --check-graph     # analyze both graph shapes, write nothing

The same `src/bronze`, `src/silver` and `src/gold` files that run on Databricks run here, with
`medallion.engine: local` (see `src/{{ cookiecutter.__package_name }}/engine.py`). Everything this
run keeps lives in the state dir (default `.local/`):

- `warehouse/<table>/`: every table as a plain parquet directory (read it with pyarrow, pandas,
  DuckDB or Spark);
- `metastore/`: a Derby catalog, so the next run knows the tables and only reads new landing files;
- `storage/`: streaming checkpoints; `conf/`, `spark-pipeline.yml`: what this script generated;
- `logs/run-<time>.log`: the full Spark output of each run.

`--landing DIR` reads `DIR/<table>/*` instead of `sample_data/` (same layout). `--full-refresh`
recomputes every table from all landing files. `--check-graph` (`make check-graph`) runs
`spark-pipelines dry-run` twice, reading and writing nothing: on the graph `make run-local` runs,
and on the Databricks shape of it (`medallion.graph: databricks`: AUTO CDC flows into streaming
tables, fed by change views), where Spark's own analyzer checks every column named in `keys`,
`sequence_by` and the AUTO CDC column lists. Only the sources (local files instead of Auto Loader,
Kafka or Delta), the expectations (local filters instead of `dp.expect_all*`) and full-snapshot
tables (open-source Spark has no AUTO CDC from snapshots) stay local.

Two runs on the same state dir cannot share the catalog: the second one stops at once with a
message. Runs on different state dirs (CI jobs, tests) run side by side, each on its own free Spark
Connect port.
"""

from __future__ import annotations

import argparse
import fcntl
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from tools import local_summary

ROOT = Path(__file__).resolve().parents[1]
PIPELINE_NAME = "{{ cookiecutter.pipeline_name }}"
PACKAGE = "{{ cookiecutter.__package_name }}"
LAYER_GLOBS = ("src/bronze/**", "src/silver/**", "src/gold/**")
BRONZE_AND_QUARANTINE = (("bronze_", ""), ("silver_", "_quarantine"))
JAVA_HELP = """\
The local engine needs Java 17 or 21 (Spark 4 does not run on older Java).
  Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless
  macOS:         brew install openjdk@17
  Windows:       install Temurin 17 from https://adoptium.net
Then open a new shell (or set JAVA_HOME to the JDK folder) and run this again."""

# "2026-11-21 23:16:07: Flow spark_catalog.default.bronze_orders is RUNNING." and
# "... Flow 'spark_catalog.default.b' has FAILED."
FLOW_EVENT = re.compile(r"Flow '?(?:[\w`]+\.)*`?(\w+)`?'? (?:is|has) ([A-Z_]+)\.")
PHASE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: (Creating Spark session|Starting run)")
ERROR_LINE = re.compile(
    r"^(?:Caused by: )?(?:[\w.]+\.)?\w*(?:Exception|Error)\b:|^\[[A-Z_]+\]|^CSV file: "
)


def java_version() -> int | None:
    """Major version of the `java` that Spark will start (JAVA_HOME first), None if none."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        return None
    try:
        output = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60
        ).stderr
    except OSError:
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', output)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def load_tables():
    sys.path.insert(0, str(ROOT / "src"))
    return importlib.import_module(f"{PACKAGE}.tables")


def acquire_lock(state_dir: Path) -> IO[str]:
    """Hold `<state>/run.lock` for the whole run; exit at once if another run holds it."""
    handle = (state_dir / "run.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        sys.exit(
            f"run_local: {state_dir} is in use by {holder}.\n"
            "Two runs cannot share one local catalog. Wait for it to finish, or give this run "
            "its own state: --state-dir <other folder>."
        )
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}, started {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC\n")
    handle.flush()
    return handle


DRIVER_MEMORY = os.environ.get("SPARK_DRIVER_MEMORY", "3g")
"""The engine's heap. Spark's 1g default runs out with a handful of tables (every flow of the
graph shares the one driver JVM); override with SPARK_DRIVER_MEMORY=<n>g."""


def write_spark_conf(state_dir: Path) -> Path:
    """Static settings go in spark-defaults.conf: the spec's `configuration` cannot set them."""
    conf_dir = state_dir / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        "spark.driver.memory": DRIVER_MEMORY,
        # A persistent catalog: without it the second run fails on tables it forgot.
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(state_dir / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={state_dir / 'metastore'}",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "2",
        "spark.ui.enabled": "false",
    }
    text = "".join(f"{key} {value}\n" for key, value in settings.items())
    (conf_dir / "spark-defaults.conf").write_text(text, encoding="utf-8")
    return conf_dir


def library_globs(state_dir: Path) -> list[str]:
    """The layer folders relative to the spec's folder: spark-pipelines resolves globs there, and
    only accepts relative ones."""
    to_root = Path(os.path.relpath(ROOT, state_dir))
    return [(to_root / glob).as_posix() for glob in LAYER_GLOBS]


def write_pipeline_spec(
    state_dir: Path, landing: Path, source_format: str, graph: str = "local"
) -> Path:
    """The local twin of resources/pipeline.yml: same library folders, local configuration.

    `graph="databricks"` asks the pipeline for the Databricks shape of its graph (dry runs only).
    """
    quote = json.dumps  # a JSON string is a valid YAML scalar, whatever the path holds
    lines = [
        f"name: {quote(PIPELINE_NAME)}",
        f"storage: {quote((state_dir / 'storage').as_uri())}",
        "configuration:",
        '  medallion.engine: "local"',
        f"  medallion.graph: {quote(graph)}",
        f"  medallion.source_format: {quote(source_format)}",
        f"  medallion.landing_path: {quote(str(landing))}",
        "libraries:",
        *(f"  - glob:\n      include: {quote(glob)}" for glob in library_globs(state_dir)),
    ]
    spec = state_dir / "spark-pipeline.yml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spec


def prepare_landing(landing: Path | None, source_format: str) -> Path:
    if landing is not None:
        landing = landing.resolve()
        if not landing.is_dir():
            sys.exit(f"run_local: landing folder {landing} does not exist")
        return landing
    landing = ROOT / "sample_data"
    if not (landing / "_manifest.json").exists():
        # Parquet samples need pyarrow, which the bake may not have had: write them now.
        from tools import generate_sample_data

        generate_sample_data.main(["--out", str(landing), "--format", source_format])
    return landing


def follow(process: subprocess.Popen[str], log: IO[str]) -> list[str]:
    """Copy Spark's output to the log and print one line per flow state change that matters."""
    started: dict[str, float] = {}
    tail: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        log.write(line)
        tail = [*tail[-400:], line.rstrip("\n")]
        phase = PHASE.search(line)
        if phase:
            print(f"  {phase.group(1).lower()}...", flush=True)
        event = FLOW_EVENT.search(line)
        if not event:
            continue
        flow, state = event.groups()
        if state == "RUNNING":
            started[flow] = time.monotonic()
        elif state in ("COMPLETED", "FAILED", "STOPPED"):
            seconds = time.monotonic() - started.get(flow, time.monotonic())
            mark = {"COMPLETED": "ok"}.get(state, state.lower())
            print(f"  {mark:<7} {flow:<40} {seconds:5.1f} s", flush=True)
    return tail


def phases(tables: Any, state_dir: Path, full_refresh: bool) -> list[tuple[str, list[str]]]:
    """The `spark-pipelines run` invocations of one local run: (progress label, options).

    Open-source Spark 4.3 with the local catalog lists the files of every existing table a
    materialized view reads when the run starts, so within one run a view does not see what its
    upstream tables write during that same run. The first run and full refreshes are not affected
    (their tables are new); a later run refreshes one layer per invocation instead: the streaming
    tables take in the new files, then silver views, then dimensions (a snowflake one level at a
    time: region before nation before customer) and `dim_date`, then facts, then the gold
    integrity checks. Each invocation starts its own JVM (about 20-40 s); bronze stays
    incremental throughout.
    """
    if full_refresh:
        # The same staleness breaks --full-refresh-all on existing tables (a view reads bronze files
        # the reset just deleted), so a full refresh starts from an empty state: see `reset`.
        return [("", ["--full-refresh-all"])]
    specs = list(tables.ALL_TABLES)
    if not any((state_dir / "warehouse" / f"bronze_{spec.name}").is_dir() for spec in specs):
        return [("", [])]
    has_dates = any(spec.role == "fact" and spec.date_columns for spec in specs)
    depth = snowflake_depths([spec for spec in specs if spec.role == "dimension"])
    levels = [
        [f"dim_{name}" for name, level in depth.items() if level == n]
        + (["dim_date"] if n == 0 and has_dates else [])
        for n in range(max(depth.values(), default=-1) + 1)
    ]
    layers = [
        ("streaming tables", [f"{p}{s.name}{q}" for s in specs for p, q in BRONZE_AND_QUARANTINE]),
        ("silver", [f"silver_{spec.name}" for spec in specs]),
        *(
            (f"dimensions, level {n + 1}" if n else "dimensions", names)
            for n, names in enumerate(levels)
        ),
        ("facts", [f"fact_{spec.name}" for spec in specs if spec.role == "fact"]),
        ("integrity checks", ["gold_integrity_checks"]),
    ]
    layers = [(label, names) for label, names in layers if names]
    return [
        (f"step {n}/{len(layers)}: {label}", ["--refresh", ",".join(names)])
        for n, (label, names) in enumerate(layers, start=1)
    ]


def snowflake_depths(dimensions: list[Any]) -> dict[str, int]:
    """How many references away from a plain dimension each dimension is (region 0, nation 1)."""
    depth: dict[str, int] = {}
    while len(depth) < len(dimensions):
        for spec in dimensions:
            targets = list(spec.references.values())
            if spec.name not in depth and all(target in depth for target in targets):
                depth[spec.name] = 1 + max((depth[t] for t in targets), default=-1)
    return depth


def reset(state_dir: Path) -> None:
    """Forget every table, checkpoint and catalog entry (logs stay): the next run is a first run."""
    for name in ("warehouse", "metastore", "storage"):
        shutil.rmtree(state_dir / name, ignore_errors=True)


def error_lines(tail: list[str]) -> list[str]:
    """The Python-side error of a failed run, without JVM stack frames."""
    start = max((i for i, line in enumerate(tail) if line.startswith("Traceback")), default=None)
    lines = tail[start:] if start is not None else tail[-60:]
    lines = [line for line in lines if not line.lstrip().startswith("at ") and line.strip()]
    # The exception, plus the frames in this project's own files (a bug in src/ shows where).
    errors = [line for line in lines if ERROR_LINE.search(line) or f'File "{ROOT}' in line]
    return (errors or lines)[-12:]


def engine_env(conf_dir: Path) -> dict[str, str]:
    """The environment of a `spark-pipelines` launch."""
    return {
        **os.environ,
        "SPARK_CONF_DIR": str(conf_dir),
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "PYSPARK_PYTHON": sys.executable,
        # Each run takes a free Spark Connect port instead of 15002, so runs on other state
        # dirs do not collide.
        "SPARK_TESTING": "1",
    }


def java_problem() -> str | None:
    version = java_version()
    if version is not None and version >= 17:
        return None
    found = "no Java found" if version is None else f"found Java {version}"
    return f"run_local: {found}.\n{JAVA_HELP}"


def check_graph(args: argparse.Namespace) -> int:
    """`spark-pipelines dry-run` of the local graph and of the Databricks-shaped graph."""
    tables = load_tables()
    landing = prepare_landing(args.landing, tables.SOURCE_FORMAT)
    graphs = {
        "local": "the graph make run-local runs",
        "databricks": "the Databricks shape: AUTO CDC flows, streaming tables, change views",
    }
    with tempfile.TemporaryDirectory(prefix="check-graph-") as scratch:
        for graph, what in graphs.items():
            state_dir = Path(scratch) / graph
            conf_dir = state_dir / "conf"  # an empty one: no Hive catalog needed to analyze
            conf_dir.mkdir(parents=True)
            spec = write_pipeline_spec(state_dir, landing, tables.SOURCE_FORMAT, graph)
            command = [str(Path(sys.executable).parent / "spark-pipelines"), "dry-run"]
            command += ["--spec", str(spec), "--remote", "local[2]"]
            result = subprocess.run(
                command, cwd=ROOT, env=engine_env(conf_dir), capture_output=True, text=True
            )
            output = (result.stdout + result.stderr).splitlines()
            if result.returncode != 0 or not any("Run is COMPLETED" in line for line in output):
                print(f"run_local: the {graph} graph does not analyze ({what}):")
                print("\n".join(f"  {line}" for line in error_lines(output)))
                return result.returncode or 1
            print(f"  ok  {graph} graph analyzed: {what}", flush=True)
    print("run_local: both graphs analyze; nothing was read or written.")
    return 0


def run(args: argparse.Namespace) -> int:
    began = time.monotonic()
    problem = java_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.check_graph:
        return check_graph(args)
    tables = load_tables()
    state_dir = args.state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    lock = acquire_lock(state_dir)
    try:
        landing = prepare_landing(args.landing, tables.SOURCE_FORMAT)
        if args.full_refresh:
            reset(state_dir)
        spec = write_pipeline_spec(state_dir, landing, tables.SOURCE_FORMAT)
        env = engine_env(write_spark_conf(state_dir))
        log_path = state_dir / "logs" / f"run-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        refresh = " (full refresh)" if args.full_refresh else ""
        print(f"run_local: {PIPELINE_NAME} on {landing}{refresh}", flush=True)
        code, tail = 0, []
        with log_path.open("w", encoding="utf-8") as log:
            for label, options in phases(tables, state_dir, args.full_refresh):
                if label:
                    print(f"  {label}", flush=True)
                command = [str(Path(sys.executable).parent / "spark-pipelines"), "run"]
                # Two local cores: flows of independent tables run side by side.
                command += ["--spec", str(spec), "--remote", "local[2]", *options]
                process = subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    errors="replace",
                )
                tail = follow(process, log)
                code = process.wait()
                if code != 0:
                    break
        elapsed = time.monotonic() - began
        if code != 0:
            print(f"\nrun_local: the pipeline FAILED after {elapsed:.0f} s (exit {code}).")
            print("\n".join(f"  {line}" for line in error_lines(tail)))
            print(f"Full log: {log_path}")
            return code or 1
        print(f"\nrun_local: done in {elapsed:.0f} s. Tables: {state_dir / 'warehouse'}/<table>/")
        print(local_summary.render(local_summary.summarize(state_dir / "warehouse", tables)))
        print(f"Log: {log_path}")
        return 0
    finally:
        lock.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--landing", type=Path, help="folder with <table>/ subfolders (default: sample_data/)"
    )
    parser.add_argument(
        "--full-refresh", action="store_true", help="recompute every table from scratch"
    )
    parser.add_argument(
        "--state-dir", type=Path, default=ROOT / ".local", help="catalog, tables and logs"
    )
    parser.add_argument(
        "--check-graph",
        action="store_true",
        help="dry-run the local and the Databricks-shaped graph (reads and writes no data)",
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
