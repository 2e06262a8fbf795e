"""Run the whole pipeline on this machine with open-source Spark's `spark-pipelines`.

    medallion run-local [--landing DIR] [--full-refresh] [--state-dir .local]
    medallion run-local --remote sc://host:15002   # or SPARK_REMOTE=sc://host:15002
    medallion check-graph     # analyze both graph shapes, write nothing

The same `src/bronze`, `src/silver` and `src/gold` files that run on Databricks run here, with
`medallion.engine: local` (see the project's `src/<package>/engine.py`). Everything this
run keeps lives in the state dir (default `.local/`):

- `warehouse/<table>/`: every table as a plain parquet directory (read it with pyarrow, pandas,
  DuckDB or Spark);
- `metastore/`: a Derby catalog, so the next run knows the tables and only reads new landing files;
- `storage/`: streaming checkpoints; `conf/`, `spark-pipeline.yml`: what this script generated;
- `logs/run-<time>.log`: the full Spark output of each run.

Every run is one `spark-pipelines run`: streaming tables take in only the new landing files, the
views downstream recompute from them, each flow after its inputs. It calls Spark's pipeline CLI
(`python -m pyspark.pipelines.cli`) directly, with SPARK_REMOTE naming the engine: the
`spark-pipelines` script is a spark-submit JVM that only passes `--remote` on to that same CLI
(Spark's `SparkPipelines.scala`), and starting it cost about 3 s of every run. `--landing DIR` reads
`DIR/<table>/*` instead of `sample_data/` (same layout). `--full-refresh` recomputes every table
from all landing files (`--full-refresh-all`).

`--remote sc://host:port` (or SPARK_REMOTE) runs the pipeline on a Spark Connect server instead
of a local engine: any Spark 4.1+ cluster started with `sbin/start-connect-server.sh`. The server
reads the landing folder and writes checkpoints under the state dir's `storage/` itself, so both
must be paths it can reach (shared storage for a real cluster); its tables go to its own catalog
and warehouse, so the summary of local parquet folders is skipped.

`check-graph` (`make check-graph`) runs `spark-pipelines dry-run` twice, reading and writing
nothing: on the graph `make run-local` runs, and on the Databricks shape of it (`medallion.graph:
databricks`: AUTO CDC flows into streaming tables, fed by change views), where Spark's own
analyzer checks every column named in `keys`, `sequence_by` and the AUTO CDC column lists. Only
the sources (local files instead of Auto Loader, Kafka or Delta), the expectations (local filters
instead of `dp.expect_all*`) and full-snapshot tables (open-source Spark has no AUTO CDC from
snapshots) stay local.

Two runs on the same state dir cannot share the catalog: the second one stops at once with a
message. Runs on different state dirs (CI jobs, tests) run side by side, each on its own free Spark
Connect port.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from filelock import FileLock, Timeout

from medallion import (
    event_log,
    landing_check,
    last_run,
    local_summary,
    project,
    update_record,
    warehouse,
)
from medallion.engine_watch import EngineWatch, stop_group
from medallion.flow_progress import FlowProgress


@dataclass(frozen=True)
class RunOptions:
    """What `medallion run-local` and `medallion check-graph` were asked to do."""

    landing: Path | None = None  # default: the project's sample_data/
    full_refresh: bool = False
    state_dir: Path = Path(".local")  # relative to the project folder
    remote: str = ""  # a Spark Connect server, sc://host:port; empty: a local engine
    check_graph: bool = False


LAYER_GLOBS = ("src/bronze/**", "src/silver/**", "src/gold/**")
JAVA_HELP = """\
The local engine needs Java 17 or 21 (Spark 4 does not run on older Java).
  Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless
  macOS:         brew install openjdk@17
  Windows:       install Temurin 17 from https://adoptium.net
Then open a new shell (or set JAVA_HOME to the JDK folder) and run this again."""

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
    sys.path.insert(0, str(project.root() / "src"))
    return importlib.import_module(f"{project.package_name()}.tables")


IDLE = "idle"


def acquire_lock(state_dir: Path) -> tuple[FileLock, str]:
    """Hold `<state>/run.lock` for the whole run; exit at once if another run holds it. The OS
    releases it when its process dies, whatever the death (filelock: the same on every OS).

    Returns the lock and what `<state>/run.state` said before: `idle` after a run that ended
    (well or not), the pid and start of a run that was cut (killed, a power cut) before it
    could say so.
    """
    lock = FileLock(state_dir / "run.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = read_run_state(state_dir) or "another process"
        sys.exit(
            f"run_local: {state_dir} is in use by {holder}.\n"
            "Two runs cannot share one local catalog. Wait for it to finish, or give this run "
            "its own state: --state-dir <other folder>."
        )
    previous = read_run_state(state_dir)
    write_run_state(
        state_dir, f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
    )
    return lock, previous


def read_run_state(state_dir: Path) -> str:
    path = state_dir / "run.state"
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""


def write_run_state(state_dir: Path, text: str) -> None:
    """Replace `<state>/run.state` at once: a power cut leaves the old text or the new one."""
    draft = state_dir / "run.state.tmp"
    draft.write_text(text + "\n", encoding="utf-8")
    os.replace(draft, state_dir / "run.state")


def recover(state_dir: Path, previous: str) -> None:
    """Make the state consistent after a run that was cut: Spark's checkpoints and sink logs
    already are (a cut batch runs again); the files of that batch are removed, so that readers
    of `warehouse/` other than Spark (pyarrow, pandas, DuckDB) do not count them twice."""
    if previous and previous != IDLE:
        print(f"run_local: the previous run ({previous}) did not finish; recovering.", flush=True)
    removed = warehouse.remove_uncommitted(state_dir / "warehouse")
    if removed:
        print(
            "run_local: removed the uncommitted files of a cut batch (Spark writes the batch "
            f"again): {warehouse.describe(removed)}",
            flush=True,
        )


def default_driver_memory() -> str:
    """A quarter of this machine's memory, between 2 and 16 GB: every flow of the graph shares
    the one driver JVM (Spark's own 1g default runs out with a handful of tables), and the rest
    stays for the OS, the Python side and the file cache."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system
        return "4g"
    return f"{min(max(total // 4 // 2**30, 2), 16)}g"


DRIVER_MEMORY = os.environ.get("SPARK_DRIVER_MEMORY") or default_driver_memory()
"""The engine's heap: SPARK_DRIVER_MEMORY (e.g. 8g), else `default_driver_memory()`."""


SMALL_INPUT_BYTES = 256 * 2**20


def jit_options(landing: Path) -> str:
    """JVM compiler flags for the engine: on small inputs (the sample data, a team's test
    extracts) the optimizing compiler costs more than it saves, and compiling quickly only
    (C1) makes a run about 20% shorter; big inputs get the full JIT. Without tiered compilation
    the JVM reserves a 48 MB code cache, which Spark's generated code outgrows ("Out of space in
    CodeCache"), so it gets the tiered default of 240 MB."""
    size = sum(path.stat().st_size for path in landing.rglob("*") if path.is_file())
    if size >= SMALL_INPUT_BYTES:
        return ""
    return "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m"


def write_spark_conf(state_dir: Path, landing: Path) -> Path:
    """Static settings go in spark-defaults.conf: the spec's `configuration` cannot set them."""
    conf_dir = state_dir / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        "spark.driver.memory": DRIVER_MEMORY,
        # A persistent catalog: without it the second run fails on tables it forgot.
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(state_dir / "warehouse"),
        # Out of memory, the JVM exits at once (tools.engine_watch then stops the run) instead
        # of limping on with failing threads.
        "spark.driver.extraJavaOptions": (
            f"-Dderby.system.home={state_dir / 'metastore'} -XX:+ExitOnOutOfMemoryError "
            + jit_options(landing)
        ).strip(),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "2",
        "spark.ui.enabled": "false",
        # Catalyst infers filters from every join condition into every other; over a fact's
        # chain of lookups (one left join per reference) that grows so fast that 29 references
        # ran a 5 GB heap out of memory while planning 26 rows. Without it: planned in seconds.
        "spark.sql.constraintPropagation.enabled": "false",
    }
    text = "".join(f"{key} {value}\n" for key, value in settings.items())
    (conf_dir / "spark-defaults.conf").write_text(text, encoding="utf-8")
    return conf_dir


def library_globs(state_dir: Path) -> list[str]:
    """The layer folders relative to the spec's folder: spark-pipelines resolves globs there, and
    only accepts relative ones."""
    to_root = Path(os.path.relpath(project.root(), state_dir))
    return [(to_root / glob).as_posix() for glob in LAYER_GLOBS]


def write_pipeline_spec(
    state_dir: Path, landing: Path, source_format: str, graph: str = "local"
) -> Path:
    """The local twin of resources/pipeline.yml: same library folders, local configuration.

    `graph="databricks"` asks the pipeline for the Databricks shape of its graph (dry runs only).
    """
    quote = json.dumps  # a JSON string is a valid YAML scalar, whatever the path holds
    lines = [
        f"name: {quote(project.pipeline_name())}",
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


def prepare_landing(landing: Path | None) -> Path:
    if landing is not None:
        landing = landing.resolve()
        if not landing.is_dir():
            sys.exit(f"run_local: landing folder {landing} does not exist")
        return landing
    landing = project.root() / "sample_data"
    if not landing.is_dir():
        sys.exit(
            f"run_local: no sample data in {landing} (it comes with the project: "
            "`git checkout -- sample_data`), or pass --landing DIR"
        )
    return landing


def error_lines(tail: list[str]) -> list[str]:
    """The Python-side error of a failed run, without JVM stack frames."""
    start = max((i for i, line in enumerate(tail) if line.startswith("Traceback")), default=None)
    lines = tail[start:] if start is not None else tail[-60:]
    lines = [line for line in lines if not line.lstrip().startswith("at ") and line.strip()]
    # The exception, plus the frames in this project's own files (a bug in src/ shows where).
    errors = [
        line for line in lines if ERROR_LINE.search(line) or f'File "{project.root()}' in line
    ]
    return (errors or lines)[-12:]


def engine_env(conf_dir: Path, remote: str = "") -> dict[str, str]:
    """The environment of a pipeline CLI launch (`pipelines_cli`)."""
    return {
        **os.environ,
        # The engine: a Spark Connect server, or a local one on two cores (flows of independent
        # tables run side by side) that the CLI starts itself.
        "SPARK_REMOTE": remote or "local[2]",
        "SPARK_CONF_DIR": str(conf_dir),
        "PYTHONPATH": os.pathsep.join(
            [str(project.root() / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "PYSPARK_PYTHON": sys.executable,
        # Each run takes a free Spark Connect port instead of 15002, so runs on other state
        # dirs do not collide.
        "SPARK_TESTING": "1",
    }


def pipelines_cli(action: str, spec: Path, *flags: str) -> list[str]:
    """`spark-pipelines <action> --spec <spec> [flags]` without its spark-submit wrapper."""
    return [sys.executable, "-m", "pyspark.pipelines.cli", action, "--spec", str(spec), *flags]


def java_problem() -> str | None:
    version = java_version()
    if version is not None and version >= 17:
        return None
    found = "no Java found" if version is None else f"found Java {version}"
    return f"run_local: {found}.\n{JAVA_HELP}"


def check_graph(args: RunOptions) -> int:
    """`spark-pipelines dry-run` of the local graph and of the Databricks-shaped graph."""
    tables = load_tables()
    landing = prepare_landing(args.landing)
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
            result = subprocess.run(
                pipelines_cli("dry-run", spec),
                cwd=project.root(),
                env=engine_env(conf_dir),
                capture_output=True,
                text=True,
            )
            output = (result.stdout + result.stderr).splitlines()
            if result.returncode != 0 or not any("Run is COMPLETED" in line for line in output):
                print(f"run_local: the {graph} graph does not analyze ({what}):")
                print("\n".join(f"  {line}" for line in error_lines(output)))
                return result.returncode or 1
            print(f"  ok  {graph} graph analyzed: {what}", flush=True)
    print("run_local: both graphs analyze; nothing was read or written.")
    return 0


class Stopped(Exception):
    """A signal (SIGTERM, SIGHUP) asked run_local to stop; Ctrl-C is KeyboardInterrupt."""


def raise_stopped(signum: int, _frame: object) -> None:
    raise Stopped(signal.Signals(signum).name)


@dataclass
class Launch:
    """One pipeline CLI process and what it printed; `stop()` ends its whole process group."""

    process: subprocess.Popen[str]
    watch: EngineWatch
    tail: list[str] = field(default_factory=list)

    def follow(self, progress: FlowProgress, log: IO[str]) -> int:
        """Read the output to the end; returns the exit code. Whatever goes wrong on this side
        (a progress line, a signal, Ctrl-C), the engine's process group is stopped before the
        exception leaves: the launcher never dies before the engine."""
        try:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                log.write(line)
                self.tail = [*self.tail[-400:], line.rstrip("\n")]
                progress.feed(line)
            code = self.process.wait()
            self.watch.join()
            return code
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        stop_group(self.process)
        self.watch.join(timeout=10)


def launch(command: list[str], env: dict[str, str], progress: FlowProgress) -> Launch:
    """Start one pipeline CLI command in a process group of its own, watched for engine death."""
    process = subprocess.Popen(
        command,
        cwd=project.root(),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group: see tools.engine_watch
    )
    started = Launch(
        process, EngineWatch(process, run_ended=lambda: progress.run_state is not None)
    )
    started.watch.start()
    return started


# How a full disk shows: the OS error (Java and Python), and Derby's (the local catalog).
DISK_FULL_SIGNS = ("No space left on device", "check if the disk is full", "Disk quota exceeded")


def disk_full(tail: list[str], state_dir: Path) -> list[str]:
    """What to add when a write failed for lack of space."""
    if not any(sign in line for line in tail for sign in DISK_FULL_SIGNS):
        return []
    free = shutil.disk_usage(state_dir).free // 2**20
    return [
        f"The disk of {state_dir} is full ({free} MB free): free some space (or use "
        "--state-dir on a bigger disk) and run again; the next run recovers (a cut batch "
        "is written again)."
    ]


def engine_death(tail: list[str], code: int) -> list[str]:
    """What to say when the engine died before the run ended."""
    how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
    lines = [f"the Spark engine stopped in the middle of the run ({how})."]
    if any("OutOfMemoryError" in line for line in tail):
        lines.append(
            f"It ran out of memory (driver heap {DRIVER_MEMORY}). Give it more with "
            "SPARK_DRIVER_MEMORY=<n>g, or run on a bigger Spark: SPARK_REMOTE=sc://host:port."
        )
    return lines


def run(args: RunOptions) -> int:
    began = time.monotonic()
    remote = args.remote or ""
    problem = None if remote.startswith("sc://") else java_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.check_graph:
        return check_graph(args)
    tables = load_tables()
    state_dir = (project.root() / args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    lock, previous = acquire_lock(state_dir)
    try:
        recover(state_dir, previous)
        landing = prepare_landing(args.landing)
        problems, landed = landing_check.check(
            landing,
            [spec.name for spec in tables.ALL_TABLES],
            tables.SOURCE_FORMAT,
            landing_check.read_record(state_dir),
            full_refresh=args.full_refresh,
        )
        if problems:
            print("run_local: these landing files would be skipped or misread; nothing was run:")
            print("\n".join(f"  {problem}" for problem in problems))
            return 1
        spec = write_pipeline_spec(state_dir, landing, tables.SOURCE_FORMAT)
        inputs = last_run.fingerprint(landing, project.root() / "src", spec)
        since = None if args.full_refresh or remote else last_run.unchanged_since(state_dir, inputs)
        if since and (state_dir / "warehouse").is_dir():
            print(
                f"run_local: nothing changed since the run that finished {since} (same landing "
                "files, code and settings): every table is up to date. --full-refresh recomputes."
            )
            print(summary_text(state_dir / "warehouse", tables))
            return 0
        last_run.forget(state_dir)
        code = run_engine(args, state_dir, landing, spec, tables, began)
        if code == 0 and not remote:  # a server's tables are not the ones this state reads
            last_run.remember(state_dir, inputs)
            landing_check.write_record(state_dir, landed)
        return code
    finally:
        write_run_state(state_dir, IDLE)
        lock.release()


def run_engine(
    args: RunOptions, state_dir: Path, landing: Path, spec: Path, tables, began: float
) -> int:
    """One `spark-pipelines run`; 0 only when the run completed. Stops the engine on any fault."""
    remote = args.remote or ""
    env = engine_env(write_spark_conf(state_dir, landing), remote)
    log_path = state_dir / "logs" / f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    refresh = " (full refresh)" if args.full_refresh else ""
    on = f" on {remote}" if remote else ""
    print(f"run_local: {project.pipeline_name()} on {landing}{refresh}{on}", flush=True)
    # A remote server writes tables where its own warehouse is: no local row counts then.
    tables_dir = None if remote else state_dir / "warehouse"
    progress = FlowProgress(tables_dir, full_refresh=args.full_refresh, echo=echo)
    before = None if args.full_refresh else update_record.counts(tables_dir, tables)
    engine_began = time.monotonic()

    def record(state: str, error: str | None = None, after=None) -> None:
        """Add this update to the local event log (`after`: the tables' counts once it
        completed); a log that cannot be written never changes the run's outcome."""
        update = update_record.update(
            project.pipeline_name(), progress, tables, before, after, engine_began, state, error
        )
        try:
            print(f"Event log: {event_log.write(state_dir, update)}")
        except OSError as problem:
            print(f"(no event log for this run: {problem})")

    command = pipelines_cli("run", spec, *(["--full-refresh-all"] if args.full_refresh else []))
    handlers = {sig: signal.signal(sig, raise_stopped) for sig in (signal.SIGTERM, signal.SIGHUP)}
    # Ctrl-C raises KeyboardInterrupt even when the shell that started this run ignores SIGINT
    # (a background job does, and Python then keeps ignoring it).
    handlers[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    launched = None
    try:
        with log_path.open("w", encoding="utf-8") as log:
            launched = launch(command, env, progress)
            code = launched.follow(progress, log)
    except (KeyboardInterrupt, Stopped) as stop:
        if launched is not None:
            launched.stop()
        why = "Ctrl-C" if isinstance(stop, KeyboardInterrupt) else str(stop)
        record("CANCELED", f"stopped by {why}")
        print(
            f"\nrun_local: stopped by {why} after {time.monotonic() - began:.0f} s; the engine "
            "and everything it started were stopped. The next run picks up from the last "
            f"committed batch.\nLog: {log_path}",
            flush=True,
        )
        return 130
    except Exception as error:  # any fault on this side: the engine is stopped (Launch.follow)
        if launched is not None:
            launched.stop()
        print(f"\nrun_local: FAILED: {type(error).__name__}: {error}; the engine was stopped.")
        tail = launched.tail if launched is not None else []
        lines = error_lines(tail) + disk_full([str(error), *tail], state_dir)
        record("FAILED", f"{type(error).__name__}: {error}")
        print("\n".join(f"  {line}" for line in lines))
        print(f"Full log: {log_path}")
        return 1
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    elapsed = time.monotonic() - began
    if launched.watch.died or code != 0 or progress.run_state not in (None, "COMPLETED"):
        print(f"\nrun_local: the pipeline FAILED after {elapsed:.0f} s (exit {code}).")
        reasons = (
            engine_death(launched.tail, code) if launched.watch.died else error_lines(launched.tail)
        )
        reasons += disk_full(launched.tail, state_dir)
        print("\n".join(f"  {line}" for line in reasons))
        record("FAILED", "; ".join(reasons) or f"the engine exited with {code}")
        print(f"Full log: {log_path}")
        return code or 1
    print(f"\nrun_local: done in {elapsed:.0f} s. Tables: {state_dir / 'warehouse'}/<table>/")
    layers = ", ".join(f"{layer} {s:.1f} s" for layer, s in progress.layer_seconds().items())
    if layers:
        print(f"time per layer: {layers}")
    after = update_record.counts(tables_dir, tables)  # read once: summary, event log, report
    if tables_dir is not None:
        print(summary_text(tables_dir, tables, after))
    record("COMPLETED", after=after)
    if tables_dir is not None:
        print(report_line(state_dir, after))
    print(f"Log: {log_path}")
    return 0


def summary_text(tables_dir: Path, tables, summary: local_summary.Summary | None = None) -> str:
    """The run summary (of `summary` when already read); a table that cannot be read shows as
    such, the summary never fails a run that succeeded."""
    try:
        return local_summary.render(summary or local_summary.summarize(tables_dir, tables))
    except Exception as error:  # noqa: BLE001
        return f"(no summary: {type(error).__name__}: {error})"


def report_line(state_dir: Path, summary: local_summary.Summary | None = None) -> str:
    """Write the run report; like the summary, it never fails a run that succeeded."""
    try:
        from medallion import report

        return f"Report: {report.write(state_dir, summary)}"
    except Exception as error:  # noqa: BLE001
        return f"(no report: {type(error).__name__}: {error})"


def echo(line: str) -> None:
    print(line, flush=True)


def main(options: RunOptions) -> int:
    try:
        return run(options)
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        state_dir = (project.root() / options.state_dir).resolve()
        print(f"run_local: {error}")
        print("\n".join(f"  {line}" for line in disk_full([str(error)], state_dir)))
        return 1
