"""Helpers of test_faults.py: a local run started as `make run-local` starts it, the
processes it left, and cutting them all as a power cut would."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from medallion.engine_watch import OVER

from .baked import PROJECT

# Rows recorded by the running test: conftest.py moves them onto the test's report, which
# pytest-xdist carries from a worker to the process that prints the session's summary.
RECORDED: list[tuple[str, str, str]] = []  # fault, expected outcome, what happened


def record(fault: str, expected: str, outcome: str) -> None:
    """One row of the table the test session prints at the end (conftest.py)."""
    RECORDED.append((fault, expected, outcome))


def take_recorded() -> list[tuple[str, str, str]]:
    rows = RECORDED[:]
    RECORDED.clear()
    return rows


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_run(
    landing: Path, state: Path, *options: str, sigint_ignored: bool = False
) -> subprocess.Popen[str]:
    """Start a local run. `sigint_ignored`: as a shell starts a background job, with SIGINT
    ignored (the run must still stop on Ctrl-C)."""
    command = [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
    command += ["--state-dir", str(state), *options]
    return subprocess.Popen(
        command,
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # as a terminal would: run_local is the group, the engine its own
        preexec_fn=_ignore_sigint if sigint_ignored else None,
    )


def read_until(run: subprocess.Popen[str], wanted: Callable[[str], bool], seen: list[str]) -> bool:
    """Read the run's output into `seen` until a line satisfies `wanted` (True) or it ends."""
    assert run.stdout is not None
    for line in run.stdout:
        seen.append(line.rstrip("\n"))
        if wanted(line):
            return True
    return False


def processes_of(state: Path) -> set[int]:
    """Every live process of a run on `state`: run_local, Spark's pipeline CLI and the engine
    JVM all name the state dir on their command line (--state-dir, the spec, SPARK_CONF_DIR)."""
    found = set()
    for process in psutil.process_iter(["status", "cmdline"]):
        status, command = process.info["status"], process.info["cmdline"] or []
        if status in OVER or process.pid == os.getpid():
            continue
        if str(state) in " ".join(command):
            found.add(process.pid)
    return found


def none_left(state: Path, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while processes_of(state):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def power_cut(state: Path) -> int:
    """SIGKILL every process of the run at once, as a power cut or the OOM killer would."""
    victims = processes_of(state)
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(victims)
