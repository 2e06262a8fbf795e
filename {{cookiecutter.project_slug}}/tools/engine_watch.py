"""Stop a `spark-pipelines` launch whose Spark engine died, instead of waiting for it forever.

`spark-pipelines` is a JVM (Spark's launcher, which also runs the local Spark Connect server: the
engine) that starts a Python process to register the pipeline's datasets and follow the run. When
the JVM dies mid-run (out of memory, killed by the OS or a user), that Python child keeps retrying
a server that is gone, and holds the output pipe open, so reading the output never ends. So
`run_local` starts the launcher in a process group of its own, and this watcher stops whatever is
left of the group a moment after the JVM exits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

GRACE_SECONDS = 2.0  # after a normal end the Python side is gone before the JVM exits


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process we may not signal still belongs to it
        return True
    return True


def stop_group(group: int) -> None:
    """SIGTERM the process group, SIGKILL whatever is left after a few seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and group_alive(group):
            time.sleep(0.1)


class EngineWatch(threading.Thread):
    """Waits for the launcher JVM `process` (started with `start_new_session=True`); if it exits
    while other processes of its group still run, stops them and sets `died`."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        super().__init__(daemon=True, name="engine-watch")
        self.process = process
        self.died = False

    def run(self) -> None:
        self.process.wait()
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline and group_alive(self.process.pid):
            time.sleep(0.1)
        if group_alive(self.process.pid):
            self.died = True
            stop_group(self.process.pid)
