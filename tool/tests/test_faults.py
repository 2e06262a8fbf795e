"""Faults on the real local engine: a cut run loses nothing, duplicates
nothing and leaves nothing running; a bad landing file is named, never skipped.

Every test starts `medallion run-local` as `make run-local` does, on a copy of the sample
data and a state dir of its own, and ends by checking that no process of that run is left. The
table of faults tried and their outcomes is printed at the end of the session. POSIX only
(signals and process groups); the full-disk case needs root (mount).
"""

from __future__ import annotations

import gzip
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from medallion import flow_progress, project, run_local

from . import baked
from .faults import (
    none_left,
    power_cut,
    read_until,
    record,
    start_run,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups"),
]
ROOT = baked.PROJECT  # the default bake: json files
TABLES = baked.project_module(f"{project.package_name(ROOT)}.tables")
runs = baked.project_module("e2e.runs")  # the project's own helpers of its end-to-end test
contents, run_pipeline, table_names = runs.contents, runs.run_pipeline, runs.table_names
FIRST = TABLES.ALL_TABLES[0].name
TEXT = TABLES.SOURCE_FORMAT in ("json", "csv", "kafka")


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    copy = tmp_path / "landing"
    shutil.copytree(ROOT / "sample_data", copy)
    return copy


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The landing folder and the tables of one uncut run on it; a second run on the same state
    dir, started while it runs, must refuse at once. Runs compared with it read the same landing
    folder: a row keeps its file's path and time."""
    work = tmp_path_factory.mktemp("clean")
    landing, state = work / "landing", work / "state"
    shutil.copytree(ROOT / "sample_data", landing)
    first = start_run(landing, state)
    seen: list[str] = []
    assert read_until(first, lambda line: "starting run" in line, seen), seen
    second = subprocess.run(
        [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
        + ["--state-dir", str(state)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    read_until(first, lambda line: False, seen)
    assert first.wait(timeout=600) == 0, "\n".join(seen)
    assert second.returncode != 0 and "is in use by pid" in second.stderr
    record("a second run on the same state dir", "refused at once", "refused, named the first")
    return {"landing": landing, "tables": {name: contents(state, name) for name in table_names()}}


def test_power_cuts_at_three_points_then_a_full_run_equal_a_clean_run(clean, tmp_path):
    """SIGKILL of every process (a power cut, the OOM killer) early in bronze, in silver and in
    gold, each on top of the last, then a run left alone: no landed row lost or duplicated, no
    half-written table read as complete."""
    state, landing = tmp_path / "state", clean["landing"]
    points = {
        "early (a bronze flow done)": lambda line: (
            line.lstrip().startswith("ok") and "bronze_" in line
        ),
        "middle (a silver flow done)": lambda line: (
            line.lstrip().startswith("ok") and "silver_" in line
        ),
        "late (a gold flow done)": lambda line: (
            line.lstrip().startswith("ok") and ("dim_" in line or "fact_" in line)
        ),
    }
    for point, reached in points.items():
        run = start_run(landing, state)
        seen: list[str] = []
        if read_until(run, lambda line, reached=reached: reached(line), seen):
            killed = power_cut(state)
            run.wait(timeout=30)
            assert killed >= 2, f"{point}: the engine was already gone"
        assert none_left(state), f"{point}: processes survived SIGKILL"
        assert not (state / "last_run.json").exists(), "a cut run must not count as up to date"
    output = run_pipeline(landing, state)
    assert "the previous run (pid " in output and "did not finish" in output
    assert {name: contents(state, name) for name in table_names()} == clean["tables"]
    assert none_left(state)
    record("SIGKILL of every process, 3 times", "the next run equals a clean run", "equal")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_everything_within_seconds(landing, tmp_path, sig):
    state = tmp_path / "state"
    run = start_run(landing, state, sigint_ignored=sig == signal.SIGINT)
    seen: list[str] = []
    assert read_until(run, lambda line: "starting run" in line, seen), "\n".join(seen)
    time.sleep(2)  # flows running
    asked = time.monotonic()
    run.send_signal(sig)
    read_until(run, lambda line: False, seen)
    assert run.wait(timeout=30) == 130
    assert none_left(state, within=10), "the engine outlived the launcher"
    took = time.monotonic() - asked
    assert took < 20, f"stopping took {took:.0f} s"
    why = "Ctrl-C" if sig == signal.SIGINT else "SIGTERM"
    assert any(f"stopped by {why}" in line for line in seen), "\n".join(seen[-5:])
    assert not (state / "last_run.json").exists()
    record(f"{why} in the middle of a run", "everything stops, exit 130", f"{took:.1f} s")


def test_a_fault_in_the_launcher_stops_the_engine(landing, tmp_path, monkeypatch, capsys):
    """A bug on the launcher's side (here the progress display) must not leave the engine
    running: run_local stops the whole process group and exits non-zero."""
    state = tmp_path / "state"
    feed = flow_progress.FlowProgress.feed

    def broken(self, line):
        feed(self, line)
        if " is RUNNING" in line:  # the engine's own line, which run_local reads
            raise ValueError("the progress display broke")

    monkeypatch.setattr(flow_progress.FlowProgress, "feed", broken)
    monkeypatch.setenv("MEDALLION_PROJECT", str(ROOT))
    code = run_local.main(run_local.RunOptions(landing=landing, state_dir=state))
    output = capsys.readouterr().out
    assert code == 1
    assert "FAILED: ValueError: the progress display broke; the engine was stopped" in output
    assert none_left(state, within=10)
    record("an exception in the launcher", "the engine is stopped, exit 1", "stopped")


def _zero_bytes(folder: Path) -> Path:
    path = folder / "part-9000.empty"
    path.write_bytes(b"")
    return path


def _latin1(folder: Path) -> Path:
    path = folder / "part-9001.bad"
    path.write_bytes('{"name": "Müller"}\n'.encode("latin-1"))
    return path


def _utf16(folder: Path) -> Path:
    path = folder / "part-9002.bad"
    path.write_text('{"name": "Ann"}\n', encoding="utf-16")
    return path


def _truncated_gzip(folder: Path) -> Path:
    path = folder / "part-9003.json.gz"
    lines = "".join(json.dumps({"name": f"member {n}"}) + "\n" for n in range(5000)).encode()
    whole = gzip.compress(lines)
    path.write_bytes(whole[: len(whole) // 2])  # an upload cut half way
    return path


def _json_array(folder: Path) -> Path:
    path = folder / "part-9004.json"
    with path.open("w") as handle:  # one 200 MB line: a JSON array, not JSON lines
        handle.write("[")
        row = json.dumps({"name": "x" * 1000}) + ","
        handle.write(row * 200_000)
        handle.write("{}]")
    return path


def _truncated_parquet(folder: Path) -> Path:
    path = folder / "part-9005.parquet"
    pq.write_table(pa.table({"a": list(range(1000))}), path)
    path.write_bytes(path.read_bytes()[:-100])
    return path


BAD_FILES = {
    "a zero-byte file": (_zero_bytes, "is empty (0 bytes)", True),
    "a Latin-1 file": (_latin1, "is not UTF-8 (byte 0xfc", TEXT),
    "a UTF-16 file": (_utf16, "is not UTF-8 (byte 0xff at offset 0): it starts like UTF-16", TEXT),
    "a truncated gzip file": (_truncated_gzip, "is not a whole gzip file", TEXT),
    "a 200 MB JSON array on one line": (
        _json_array,
        "is one JSON array, not JSON lines",
        TABLES.SOURCE_FORMAT in ("json", "kafka"),
    ),
    "a truncated parquet file": (_truncated_parquet, "is not a whole parquet file", not TEXT),
}


@pytest.mark.parametrize("fault", [name for name, (_, _, applies) in BAD_FILES.items() if applies])
def test_a_bad_landing_file_stops_the_run_naming_it(landing, tmp_path, fault):
    make, why, _ = BAD_FILES[fault]
    bad = make(landing / FIRST)
    result = subprocess.run(
        [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
        + ["--state-dir", str(tmp_path / "state")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{bad}: {why}" in result.stdout
    assert "nothing was run" in result.stdout
    assert none_left(tmp_path / "state")
    record(fault, "stop before the engine, naming the file", "stopped, named")


def test_a_file_still_being_written_or_replaced_stops_the_run(landing, tmp_path):
    state = tmp_path / "state"
    growing = landing / FIRST / "part-9100.growing"
    stop = threading.Event()

    def write_slowly() -> None:
        with growing.open("a") as handle:
            while not stop.is_set():
                handle.write("x")
                handle.flush()
                time.sleep(0.2)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    try:
        output = subprocess.run(
            [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
            + ["--state-dir", str(state)],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        ).stdout  # fmt: skip
    finally:
        stop.set()
        writer.join()
    assert f"{growing}: is still being written" in output
    growing.unlink()
    record("a file still being written", "stop, naming the file", "stopped, named")

    run_pipeline(landing, state)
    landed = sorted((landing / FIRST).iterdir())[0]
    landed.write_bytes(landed.read_bytes() + landed.read_bytes()[:1])  # replaced in place
    replaced = subprocess.run(
        [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
        + ["--state-dir", str(state)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert replaced.returncode == 1
    assert f"{landed}: was replaced since the last successful run read it" in replaced.stdout
    record("a file replaced in place", "stop, naming the file", "stopped, named")


def test_a_csv_header_in_another_order_stops_with_the_engines_message(tmp_path, monkeypatch):
    csv_project = baked.bake(tmp_path / "csv", {"source_format": "csv"})
    monkeypatch.setenv("MEDALLION_PROJECT", str(csv_project))  # the run below is this project's
    landing = shutil.copytree(csv_project / "sample_data", tmp_path / "landing")
    state = tmp_path / "state"
    first = sorted((landing / FIRST).iterdir())[0]
    header, *lines = first.read_text().splitlines()
    columns = header.split(",")
    moved = landing / FIRST / "part-9200.csv"
    order = [*columns[1:], columns[0]]
    rows = [",".join([*line.split(",")[1:], line.split(",")[0]]) for line in lines[:3]]
    moved.write_text("\n".join([",".join(order), *rows]) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
        + ["--state-dir", str(state)],
        cwd=csv_project, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode != 0
    assert "CSV header does not conform to the schema" in result.stdout
    assert str(moved) in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert none_left(state)
    assert not (state / "last_run.json").exists()
    record("a csv header in another order", "the engine's message, exit != 0", "as expected")


@pytest.fixture
def small_disk(tmp_path: Path):
    """A tmpfs of a few MB for the state dir: too small for a run (root only: mount)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a small disk needs root: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_stops_with_a_clear_message_and_the_next_run_recovers(clean, small_disk):
    state, landing = small_disk / "state", clean["landing"]
    full = subprocess.run(
        [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
        + ["--state-dir", str(state)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert full.returncode != 0
    assert "is full" in full.stdout, full.stdout[-2000:]
    assert none_left(state)
    assert not (state / "last_run.json").exists()
    remount = ["mount", "-o", "remount,size=512m", str(small_disk)]
    subprocess.run(remount, check=True)  # space again
    run_pipeline(landing, state)
    assert {name: contents(state, name) for name in table_names()} == clean["tables"]
    record("a full disk (3 MB state dir)", "a clear message; then a run recovers", "recovered")
