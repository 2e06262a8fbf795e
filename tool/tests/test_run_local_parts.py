"""The parts of medallion.run_local that need no Spark: the engine watch, progress lines and the
record of the last run."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from medallion import engine_watch, last_run
from medallion.flow_progress import FlowProgress


def test_the_engine_is_the_java_process_that_the_pipeline_cli_started():
    group = 100  # run_local's launch: Spark's pipeline CLI, leader of its process group
    table = {
        100: (99, 100, "sleeping", "python3.11"),  # the CLI
        99: (1, 99, "sleeping", "python"),  # run_local
        101: (100, 100, "sleeping", "bash"),  # spark-submit's start-up script's subshell...
        102: (101, 100, "sleeping", "java"),  # ...running a short-lived JVM
        103: (100, 100, "sleeping", "java"),  # the engine the CLI started
        104: (100, 100, "zombie", "java"),  # a dead engine, not reaped yet
        200: (150, 200, "sleeping", "java"),  # another run's engine
        150: (1, 200, "sleeping", "python3"),
    }
    assert engine_watch.engines(table, group) == {103}


def test_the_engine_under_the_spark_pipelines_script_is_found_too():
    group = 100  # the script's spark-submit JVM, started by run_local
    table = {
        100: (99, 100, "sleeping", "java"),  # the launcher itself, started by run_local
        99: (1, 99, "sleeping", "python"),  # run_local
        101: (100, 100, "sleeping", "bash"),  # its start-up script's subshell...
        102: (101, 100, "sleeping", "java"),  # ...running a short-lived JVM
        103: (100, 100, "sleeping", "python3.11"),  # Spark's Python client
        104: (103, 100, "sleeping", "java"),  # the engine it started
        105: (103, 100, "zombie", "java"),  # a dead engine, not reaped yet
        200: (150, 200, "sleeping", "java"),  # another run's engine
        150: (1, 200, "sleeping", "python3"),
    }
    assert engine_watch.engines(table, group) == {104}


def test_a_group_of_zombies_is_stopped():
    table = {
        100: (1, 100, "zombie", "bash"),  # the launcher, killed, not reaped yet
        101: (1, 100, "zombie", "python3.11"),  # an orphan that init has not reaped yet
        102: (1, 100, "sleeping", "java"),  # still shutting down
        103: (1, 100, "dead", "java"),  # being reaped
        200: (1, 200, "sleeping", "java"),  # another group
    }
    assert engine_watch.live_members(table, 100) == {102}
    del table[102]
    assert engine_watch.live_members(table, 100) == set()


@pytest.fixture
def fake_launch(tmp_path):
    """A launcher (bash) whose child, a Python process (the client), runs a process named `java`
    (the engine) and, like Spark's client with a dead server, keeps waiting after it is gone."""
    java = tmp_path / "java"
    java.symlink_to(Path("/bin/sleep") if Path("/bin/sleep").exists() else Path("/usr/bin/sleep"))
    client = f"import subprocess, time; subprocess.run([{str(java)!r}, '300']); time.sleep(300)"
    script = f"{sys.executable} -c {shlex.quote(client)} & wait"
    process = subprocess.Popen(["bash", "-c", script], start_new_session=True)
    deadline = time.monotonic() + 10
    while not engine_watch.live_engines(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    yield process
    engine_watch.stop_group(process)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_a_dead_engine_stops_the_whole_launch_within_seconds(fake_launch, monkeypatch):
    # Shorter waits than a real run's, so the test does not idle; the rule is the same.
    monkeypatch.setattr(engine_watch, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(engine_watch, "GRACE_SECONDS", 0.2)
    watch = engine_watch.EngineWatch(fake_launch, run_ended=lambda: False)
    watch.start()
    deadline = time.monotonic() + 10
    while not watch.engine_seen and time.monotonic() < deadline:
        time.sleep(0.05)
    (engine,) = engine_watch.live_engines(fake_launch.pid)
    os.kill(engine, signal.SIGKILL)
    killed_at = time.monotonic()
    fake_launch.wait(timeout=15)
    watch.join(timeout=15)
    assert watch.died
    assert time.monotonic() - killed_at < engine_watch.GRACE_SECONDS + 6


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_an_engine_that_stops_after_the_run_ended_is_a_normal_end(fake_launch):
    watch = engine_watch.EngineWatch(fake_launch, run_ended=lambda: True)
    watch.start()
    watch.join(timeout=5)
    assert not watch.died
    assert fake_launch.poll() is None  # left alone


from .test_warehouse import write_log  # noqa: E402  (beside this file, like the fakes)


def write_parquet(folder: Path, name: str, rows: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": list(range(rows))}), folder / name)


def test_progress_lines_show_rows_appended_or_held_and_time_per_layer(tmp_path):
    warehouse = tmp_path / "warehouse"
    write_parquet(warehouse / "bronze_orders", "part-0.parquet", 5)
    write_log(warehouse / "bronze_orders", 0, ["part-0.parquet"])  # a streaming table
    lines: list[str] = []
    progress = FlowProgress(warehouse, echo=lines.append)
    write_parquet(warehouse / "bronze_orders", "part-1.parquet", 3)  # this run appends 3
    write_log(warehouse / "bronze_orders", 1, ["part-1.parquet"])
    write_parquet(warehouse / "bronze_orders", "part-2.parquet", 4)  # a batch not committed yet
    write_parquet(warehouse / "fact_orders", "part-0.parquet", 7)
    for line in [
        "2026-11-23 10:00:00: Flow spark_catalog.default.bronze_orders is RUNNING.",
        "2026-11-23 10:00:01: Flow spark_catalog.default.bronze_orders has COMPLETED.",
        "2026-11-23 10:00:01: Flow spark_catalog.default.fact_orders is RUNNING.",
        "2026-11-23 10:00:02: Flow 'spark_catalog.default.fact_orders' has COMPLETED.",
        "2026-11-23 10:00:03: Run is COMPLETED.",
    ]:
        progress.feed(line)
    assert lines[0].split()[:2] == ["ok", "bronze_orders"]
    assert lines[0].endswith("3 rows appended")
    assert lines[1].split()[:2] == ["ok", "fact_orders"]
    assert lines[1].endswith(" 7 rows")
    assert progress.run_state == "COMPLETED"
    assert set(progress.layer_seconds()) == {"bronze", "gold"}


def test_a_full_refresh_counts_appended_rows_from_zero(tmp_path):
    warehouse = tmp_path / "warehouse"
    write_parquet(warehouse / "bronze_orders", "part-0.parquet", 5)
    write_log(warehouse / "bronze_orders", 0, ["part-0.parquet"])
    lines: list[str] = []
    progress = FlowProgress(warehouse, full_refresh=True, echo=lines.append)
    progress.feed("Flow spark_catalog.default.bronze_orders has COMPLETED.")
    assert lines[0].endswith("5 rows appended")


def test_the_last_run_is_unchanged_until_a_file_or_the_code_changes(tmp_path):
    landing, code, state = tmp_path / "landing", tmp_path / "src", tmp_path / "state"
    for folder in (landing / "orders", code / "silver", state):
        folder.mkdir(parents=True)
    (landing / "orders" / "part-1.json").write_text('{"id": 1}\n')
    (code / "silver" / "orders.py").write_text("x = 1\n")
    spec = state / "spark-pipeline.yml"
    spec.write_text("name: p\n")

    def current() -> str:
        return last_run.fingerprint(landing, code, spec)

    assert last_run.unchanged_since(state, current()) is None  # never ran
    last_run.remember(state, current())
    assert last_run.unchanged_since(state, current())
    (landing / "orders" / "part-2.json").write_text('{"id": 2}\n')
    assert last_run.unchanged_since(state, current()) is None  # a new landing file
    last_run.remember(state, current())
    (code / "silver" / "orders.py").write_text("x = 2\n")
    assert last_run.unchanged_since(state, current()) is None  # edited code
    last_run.remember(state, current())
    last_run.forget(state)
    assert last_run.unchanged_since(state, current()) is None  # a run started and failed


def test_one_run_per_state_dir_and_a_killed_run_is_named_by_the_next(tmp_path):
    """The lock refuses a second run naming the first; when the first dies (SIGKILL: no chance
    to say it ended), the OS frees the lock and the next run learns it did not finish."""
    from medallion import run_local

    holder = (
        "import sys, time; from pathlib import Path; from medallion import run_local; "
        f"held = run_local.acquire_lock(Path({str(tmp_path)!r})); print('held', flush=True); "
        "time.sleep(300)"
    )
    first = subprocess.Popen(
        [sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True, cwd=Path.cwd()
    )
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "held"
        with pytest.raises(SystemExit, match=f"is in use by pid {first.pid}, started"):
            run_local.acquire_lock(tmp_path)
    finally:
        first.kill()
        first.wait(timeout=10)
    lock, previous = run_local.acquire_lock(tmp_path)
    try:
        assert previous.startswith(f"pid {first.pid}, started")
    finally:
        run_local.write_run_state(tmp_path, run_local.IDLE)
        lock.release()
    lock, previous = run_local.acquire_lock(tmp_path)
    lock.release()
    assert previous == run_local.IDLE
