"""Stop a pipeline launch whose Spark engine died, instead of waiting for it forever.

A local run is two processes: Spark's pipeline CLI (Python, started by `run_local`) and the
engine it starts through spark-submit: a JVM running a local Spark Connect server. When the
engine dies mid-run (out of memory, a JVM error, killed by the OS or a user), the CLI keeps
retrying a server that is gone: the run never ends. So `run_local` starts the CLI in a process
group of its own, and this watcher looks for the engine: a `java` process of that group started
by a Python process (spark-submit's start-up script briefly runs a small JVM of its own, under a
shell). Once an engine was up and none is left while the run has not ended, it stops the whole
group. Launched through the `spark-pipelines` script instead, the group leader is a spark-submit
JVM and the CLI its child: the same rule finds the same engine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable

import psutil

POLL_SECONDS = 0.5
GRACE_SECONDS = 2.0  # the launcher of a run that ended normally exits well within this


Process = tuple[int, int, str, str]  # parent pid, process group, psutil status, command name
OVER = (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)


def live_engines(group: int) -> set[int]:
    """PIDs of the running (not zombie) engine JVMs of the launch whose process group (and
    launcher pid) is `group`."""
    return engines(processes(), group)


def live_members(table: dict[int, Process], group: int) -> set[int]:
    """PIDs of the processes of `group` that still run. A zombie is over: only its parent's
    wait() is left, and orphans wait for init, which in a container may reap seconds later."""
    return {
        pid for pid, (_, pgrp, status, _) in table.items() if pgrp == group and status not in OVER
    }


def engines(table: dict[int, Process], group: int) -> set[int]:
    """The engines of `group` in a process table: live `java` processes of that group, other
    than the launcher (pid `group`, started by `run_local`), whose parent is Python (Spark's
    pipeline CLI starts the engine). A short-lived JVM a start-up script runs has a shell as
    parent."""

    def name(pid: int) -> str:
        return table.get(pid, (0, 0, "", ""))[3]

    return {
        pid
        for pid in live_members(table, group) - {group}
        if name(pid) == "java" and name(table[pid][0]).startswith("python")
    }


def processes() -> dict[int, Process]:
    """pid -> (parent pid, process group, status, command name) of every process (psutil reads
    them the same way on Linux and macOS)."""
    table = {}
    for process in psutil.process_iter(["ppid", "status", "name"]):
        try:
            group = os.getpgid(process.pid)
        except (ProcessLookupError, PermissionError):  # ended meanwhile
            continue
        info = process.info
        table[process.pid] = (info["ppid"] or 0, group, info["status"] or "", info["name"] or "")
    return table


def stop_group(launcher: subprocess.Popen[str]) -> None:
    """SIGTERM the launcher's process group, SIGKILL whatever still runs after a few seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(launcher.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            launcher.poll()  # reap it: an unreaped launcher keeps its group alive
            if not live_members(processes(), launcher.pid):
                return
            time.sleep(0.1)


class EngineWatch(threading.Thread):
    """Watches the engine under `process` (the CLI, started with `start_new_session=True`).

    `run_ended()` says whether Spark already reported the end of the run: an engine that stops
    after that is a normal shutdown. After a death `died` is True and the group is stopped.
    """

    def __init__(self, process: subprocess.Popen[str], run_ended: Callable[[], bool]) -> None:
        super().__init__(daemon=True, name="engine-watch")
        self.process = process
        self.run_ended = run_ended
        self.engine_seen = False
        self.died = False

    def run(self) -> None:
        launcher = self.process.pid  # also the group's id
        while self.process.poll() is None and not self.run_ended():
            if live_engines(launcher):
                self.engine_seen = True
            elif self.engine_seen:
                time.sleep(GRACE_SECONDS)
                if self.process.poll() is None and not self.run_ended():
                    self.died = True
                    stop_group(self.process)
                return
            time.sleep(POLL_SECONDS)
