"""Benchmark: the generated pipeline run locally, against a plain PySpark build of the same star.

    python -m bench.tpch [--scale 0.1] [--work-dir DIR] [--keep]    # TPC-H (make bench)
    python -m bench.tpch --tables 3,12,30                           # graph size
    python -m bench.tpch --profile                                  # + task seconds per table

TPC-H mode generates TPC-H CSV files with `tpchgen-cli`, times the spec inference over them
(bench/infer_speed.py), bakes `examples/tpch.yml` and times three
builds of the same gold tables from the same landing files, one after the other:

- pipeline: `medallion run-local` in the baked project: one `spark-pipelines run` through
  bronze (streaming tables), silver (typing, expectations, quarantine) and gold (the star, plus
  the integrity checks), with its catalog, checkpoints and run summary;
- bare: `bench/bare_star.py`, a hand-written batch job in a fresh Python process: read, cast,
  drop duplicate keys, join, write parquet; no quality rules, no state;
- bare layers: the same job with `--layers`: it writes a bronze and a silver table of each
  source on the way to gold, as the pipeline does, still without rules or state.

All get the same local engine: `local[2]`, 2 shuffle partitions, UTC, and the same driver heap
(SPARK_DRIVER_MEMORY, else what run_local sizes from this machine). Wall time runs from process
start to exit, Spark start-up included; peak memory is the largest summed RSS of the process and
its descendants (Python and JVM), polled every 0.2 s (bench/peak_memory.py).

Reading the ratio (pipeline wall / bare wall): it is what the template's guarantees cost over the
least a batch job can do: bronze and silver copies, quality rules and quarantine, streaming
checkpoints, a Hive catalog, integrity checks, and the Spark Connect hop. On small data it is
dominated by fixed costs (start-up, one flow per table), so it falls as the scale grows; a ratio
that grows with the scale points at per-row work worth a look. The second ratio (pipeline / bare
layers) leaves out the work of the layers themselves (bronze and silver copies written and read
again): what remains is the engine and the guarantees. Every build writes the same fact rows: the
table shows the fact row counts of each as a check.

`--profile` has every build write Spark's event log and prints the task seconds each spent per
table (bench/task_time.py): where the work goes, e.g. bronze's copy and silver's checks against
the bare build's single pass. Event logging costs a little time itself: compare wall times
without it.

`--tables N,...` bakes names-only projects of N tables instead (one fact referencing N-1
dimensions), runs the pipeline on the sample data they ship and reports wall time and peak memory
per size: how the cost grows with the size of the graph. A failed run is reported with its last
lines and the other sizes still run.

Results go to `<work>/bench-<scale>.json` (`bench-tables-<n>.json`); the work dir defaults to a
new folder under .scratch/bench/. Without --keep only the results and the run logs stay in it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow.dataset
import yaml

from bench import infer_speed, task_time
from bench.peak_memory import PeakMemory

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
TPCH_CONFIG = TEMPLATE_DIR / "examples" / "tpch.yml"
BARE_STAR = Path(__file__).with_name("bare_star.py")
FACT_TABLES = ("fact_lineitem", "fact_partsupp")
BUILDS = ("pipeline", "bare", "bare_layers")
# What a run leaves in the work dir besides results and logs: removed unless --keep.
SCRATCH_FOLDERS = (
    "landing",
    "bake",
    "bake-tables-*",
    "state",
    "state-tables-*",
    "bare",
    "cookiecutter",
)
ERROR_TAIL = 15  # lines of a failed run's output shown in the report


class BenchError(RuntimeError):
    """A step before the timed runs failed (data generation, bake)."""


@dataclass
class Run:
    """One timed process: did it succeed, how long it took, how much memory it held."""

    ok: bool
    wall_s: float
    peak_mb: float
    log: str
    error: list[str] = field(default_factory=list)


def timed_run(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Run:
    """Run `command` to the end, its output to `log`; wall time and peak memory of its tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        began = time.monotonic()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        with PeakMemory(process.pid) as memory:
            code = process.wait()
        wall = time.monotonic() - began
    error = [] if code == 0 else [f"exit code {code}", *last_lines(log)]
    return Run(code == 0, round(wall, 1), round(memory.peak_mb), str(log), error)


def last_lines(log: Path, count: int = ERROR_TAIL) -> list[str]:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-count:]


def checked(command: list, **kwargs) -> str:
    """Run an untimed step; raise BenchError with its output when it fails."""
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, **kwargs
    )
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-ERROR_TAIL:]
        raise BenchError(f"{Path(str(command[0])).name} failed:\n" + "\n".join(tail))
    return result.stdout


def generate_tpch(scale: str, landing: Path) -> int:
    """TPC-H CSV files as `<landing>/<table>/<table>.1.csv`; returns the lineitem row count."""
    shutil.rmtree(landing, ignore_errors=True)
    checked([VENV_BIN / "tpchgen-cli", "csv", "-s", scale, "--parts", "1", "--output-dir", landing])
    with (landing / "lineitem" / "lineitem.1.csv").open("rb") as lines:
        return sum(1 for _ in lines) - 1  # the header


def bake(work: Path, name: str, config: dict, answers: tuple[str, ...] = ()) -> Path:
    """Bake the template into `<work>/<name>/` and return the project folder.

    The cookiecutter user config holds the example's answers plus replay and cache folders inside
    the work dir, so the bake leaves nothing in the user's home (as the template's tests do).
    """
    output = work / name
    shutil.rmtree(output, ignore_errors=True)
    config = {
        **config,
        "replay_dir": str(work / "cookiecutter" / "replay"),
        "cookiecutters_dir": str(work / "cookiecutter" / "templates"),
    }
    config_file = work / "cookiecutter" / f"{name}.yml"
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    checked(
        [VENV_BIN / "cookiecutter", "--no-input", "--config-file", config_file, "-o", output]
        + [TEMPLATE_DIR, *answers]
    )
    (project,) = [path for path in output.iterdir() if path.is_dir()]
    return project


def driver_memory(project: Path) -> str:
    """The engine heap the project's run_local uses: SPARK_DRIVER_MEMORY, else its default."""
    code = "from medallion.run_local import DRIVER_MEMORY; print(DRIVER_MEMORY)"
    return checked([sys.executable, "-c", code], cwd=project).strip()


def jit_options(project: Path, landing: Path) -> str:
    """The JVM compiler flags the project's run_local picks for this landing folder."""
    code = "import sys; from pathlib import Path; from medallion.run_local import jit_options; "
    code += "print(jit_options(Path(sys.argv[1])))"
    return checked([sys.executable, "-c", code, str(landing)], cwd=project).strip()


def run_env(heap: str, java_options: str = "") -> dict[str, str]:
    """Both builds get the heap and JIT flags explicitly, so they compare on equal terms."""
    return {**os.environ, "SPARK_DRIVER_MEMORY": heap, "BENCH_JAVA_OPTIONS": java_options}


def run_pipeline(project: Path, state: Path, env: dict, log: Path, landing: Path | None) -> Run:
    """`medallion run-local` on a fresh state dir (an old one would skip unchanged work)."""
    shutil.rmtree(state, ignore_errors=True)
    command = [sys.executable, "-m", "medallion", "run-local", "--state-dir", str(state)]
    if landing is not None:
        command += ["--landing", str(landing)]
    return timed_run(command, project, env, log)


def run_bare(landing: Path, out: Path, env: dict, log: Path, layers: bool = False) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, str(BARE_STAR), "--spec", str(TPCH_CONFIG)]
    command += ["--landing", str(landing), "--out", str(out), *(["--layers"] if layers else [])]
    return timed_run(command, TEMPLATE_DIR, env, log)


def fact_rows(tables_dir: Path) -> dict[str, int | None]:
    """Rows of each TPC-H fact table written under `tables_dir` (None when it is missing)."""
    return {
        name: pyarrow.dataset.dataset(tables_dir / name).count_rows()
        if (tables_dir / name).is_dir()
        else None
        for name in FACT_TABLES
    }


def failure_lines(label: str, run: Run) -> list[str]:
    if run.ok:
        return []
    return [f"{label} FAILED (full output: {run.log}):", *(f"  {line}" for line in run.error)]


def seconds(run: Run) -> str:
    return f"{run.wall_s:.1f}" if run.ok else "FAILED"


def tpch_benchmark(scale: str, work: Path, profile: bool = False) -> dict:
    print(f"bench: TPC-H scale {scale} in {work}", flush=True)
    landing = work / "landing"
    lineitem_rows = generate_tpch(scale, landing)
    print("bench: spec inference over the same files...", flush=True)
    infer_s = infer_speed.run(landing)  # before any Spark build: DuckDB has the cores
    project = bake(work, "bake", yaml.safe_load(TPCH_CONFIG.read_text()))
    heap = driver_memory(project)
    java_options = jit_options(project, landing)
    env = run_env(heap, java_options)
    event_logs = {build: work / "logs" / f"{build}-events" for build in BUILDS}
    envs = {
        build: {**env, "PYSPARK_SUBMIT_ARGS": task_time.submit_args(folder)} if profile else env
        for build, folder in event_logs.items()
    }
    print(f"bench: {lineitem_rows:,} lineitem rows; driver heap {heap}; pipeline...", flush=True)
    pipeline = run_pipeline(
        project, work / "state", envs["pipeline"], work / "logs" / "pipeline.log", landing
    )
    print("bench: bare PySpark...", flush=True)
    bare = run_bare(landing, work / "bare", envs["bare"], work / "logs" / "bare.log")
    print("bench: bare PySpark through bronze and silver...", flush=True)
    layers = run_bare(
        landing,
        work / "bare_layers",
        envs["bare_layers"],
        work / "logs" / "bare_layers.log",
        layers=True,
    )
    result = {"scale": float(scale), "lineitem_rows": lineitem_rows, "driver_memory": heap}
    result["infer_s"] = round(infer_s, 1)
    result.update(pipeline=asdict(pipeline), bare=asdict(bare), bare_layers=asdict(layers))
    result.update(ratio=ratio(pipeline, bare), ratio_layers=ratio(pipeline, layers))
    result["fact_rows"] = {  # the same rows from every build, or the comparison is off
        "pipeline": fact_rows(work / "state" / "warehouse"),
        "bare": fact_rows(work / "bare"),
        "bare_layers": fact_rows(work / "bare_layers"),
    }
    print_tpch(result, {"pipeline": pipeline, "bare": bare, "bare_layers": layers})
    if profile:
        result["task_seconds"] = {
            build: dict(task_time.task_seconds(folder)) for build, folder in event_logs.items()
        }
        print_task_seconds(result["task_seconds"])
    return result


def ratio(pipeline: Run, baseline: Run) -> float | None:
    return round(pipeline.wall_s / baseline.wall_s, 2) if pipeline.ok and baseline.ok else None


def print_task_seconds(per_build: dict[str, dict[str, float]], top: int = 12) -> None:
    """The tables each build spent the most task time on, largest first, and the totals."""
    print("\ntask seconds per table (Spark event log; flows share the cores)")
    ranked = {
        build: sorted(tables.items(), key=lambda item: -item[1])[:top]
        for build, tables in per_build.items()
    }
    rows = [tuple(cell for build in per_build for cell in (build, "s"))]
    for index in range(max(len(tables) for tables in ranked.values())):
        cells: list[str] = []
        for build in per_build:
            name, spent = ranked[build][index] if index < len(ranked[build]) else ("", None)
            cells += [name, "" if spent is None else f"{spent:.1f}"]
        rows.append(tuple(cells))
    rows.append(
        tuple(
            cell
            for tables in per_build.values()
            for cell in ("total", f"{sum(tables.values()):.1f}")
        )
    )
    print_table(rows)


def print_tpch(result: dict, runs: dict[str, Run]) -> None:
    """One row of wall seconds, ratios and peak memory; then the fact row counts of each build."""
    ratios = [f"{result[key]:.2f}x" if result[key] else "-" for key in ("ratio", "ratio_layers")]
    header = ("scale", "lineitem rows", "infer s", *(f"{build} s" for build in runs))
    header += ("ratio", "vs layers")
    values = (
        f"{result['scale']:g}",
        f"{result['lineitem_rows']:,}",
        f"{result['infer_s']:.1f}",
        *(seconds(run) for run in runs.values()),
        *ratios,
    )
    header += tuple(f"{build} MB" for build in runs)
    values += tuple(f"{run.peak_mb:,.0f}" for run in runs.values())
    print()
    print_table([header, values])
    for name in FACT_TABLES:
        counts = {build: result["fact_rows"][build][name] for build in runs}
        same = "same" if len(set(counts.values())) == 1 else "DIFFERENT"
        listed = ", ".join(f"{build} {count}" for build, count in counts.items())
        print(f"{name} rows: {listed} ({same})")
    for build, run in runs.items():
        for line in failure_lines(build, run):
            print(line)


def names_only(tables: int) -> str:
    """`d01,...,events`: the last table is the fact, and it references every dimension."""
    return ",".join([*(f"d{i:02d}" for i in range(1, tables)), "events"])


def graph_size_run(tables: int, work: Path) -> dict:
    print(f"bench: {tables} tables...", flush=True)
    try:
        answers = (f"project_name=Bench {tables} Tables", f"table_names={names_only(tables)}")
        project = bake(work, f"bake-tables-{tables}", {}, answers)
        env = run_env(driver_memory(project))
    except BenchError as error:
        return {"tables": tables, "ok": False, "error": str(error).splitlines()}
    log = work / "logs" / f"tables-{tables}.log"
    run = run_pipeline(project, work / f"state-tables-{tables}", env, log, landing=None)
    return {"tables": tables, "driver_memory": env["SPARK_DRIVER_MEMORY"], **asdict(run)}


def graph_size_benchmark(sizes: list[int], work: Path) -> list[dict]:
    results = []
    for tables in sizes:
        result = graph_size_run(tables, work)
        (work / f"bench-tables-{tables}.json").write_text(json.dumps(result, indent=2) + "\n")
        results.append(result)
    rows = [("tables", "pipeline s", "peak MB")]
    for result in results:
        wall = f"{result['wall_s']:.1f}" if result["ok"] else "FAILED"
        peak = f"{result['peak_mb']:,.0f}" if "peak_mb" in result else "-"
        rows.append((str(result["tables"]), wall, peak))
    print()
    print_table(rows)
    for result in results:
        if not result["ok"]:
            print(f"{result['tables']} tables FAILED:")
            print("\n".join(f"  {line}" for line in result["error"]))
    return results


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def clean_up(work: Path) -> None:
    """Drop the data and the baked projects this script made; keep the results and the logs.

    Only the folders it names are removed: `--work-dir` may point at a folder holding more.
    run_local's full Spark logs (`<state>/logs/`, named in its error messages) move to logs/."""
    for state in work.glob("state*"):
        if (state / "logs").is_dir():
            kept = work / "logs" / f"{state.name}-spark"
            shutil.rmtree(kept, ignore_errors=True)  # from an earlier run in the same work dir
            shutil.move(state / "logs", kept)
    for pattern in SCRATCH_FOLDERS:
        for path in work.glob(pattern):
            shutil.rmtree(path)


def scale_factor(text: str) -> str:
    if float(text) <= 0:
        raise argparse.ArgumentTypeError("the scale factor must be positive")
    return text


def table_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 2:
        raise argparse.ArgumentTypeError("give sizes of 2 tables or more, e.g. 3,12,30")
    return counts


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--scale", type=scale_factor, default="0.1", help="TPC-H scale factor")
    mode.add_argument(
        "--tables", type=table_counts, help="graph sizes instead of TPC-H, e.g. 3,12,30"
    )
    parser.add_argument("--work-dir", type=Path, help="default: a new folder in .scratch/bench")
    parser.add_argument("--keep", action="store_true", help="keep data, bakes and tables")
    parser.add_argument(
        "--profile", action="store_true", help="TPC-H: also print task seconds per table"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.work_dir:
        work = args.work_dir.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        (TEMPLATE_DIR / ".scratch" / "bench").mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="run-", dir=TEMPLATE_DIR / ".scratch" / "bench"))
    try:
        if args.tables:
            results = graph_size_benchmark(args.tables, work)
            failed = not all(result["ok"] for result in results)
            print(f"\nResults: {work}/bench-tables-<n>.json")
        else:
            result = tpch_benchmark(args.scale, work, profile=args.profile)
            failed = result["ratio"] is None or result["ratio_layers"] is None
            (work / f"bench-{args.scale}.json").write_text(json.dumps(result, indent=2) + "\n")
            print(f"\nResults: {work / f'bench-{args.scale}.json'}")
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            clean_up(work)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
