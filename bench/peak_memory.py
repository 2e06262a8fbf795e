"""Peak memory of a process tree, sampled from /proc (Linux only).

`resource.getrusage(RUSAGE_CHILDREN)` only sees children that were waited for, and reports the
largest single one: the Spark JVM is a grandchild (python -> spark-submit -> java) and the Python
side is a separate process, so neither the sum nor the JVM reliably shows there. Instead a thread
polls /proc every `interval` seconds, sums the resident set size (VmRSS) of the root process and
all its descendants, and keeps the largest sum.

Summed RSS counts pages shared between processes (shared libraries) once per process, so it
slightly overstates what the tree needs; it is the same measure for every run it compares.
A peak shorter than the polling interval can be missed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")


def _parent_pids() -> dict[int, int]:
    """pid -> parent pid of every process now running."""
    parents = {}
    for entry in os.listdir(PROC):
        if not entry.isdigit():
            continue
        try:
            stat = (PROC / entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name (2nd field) is in parentheses and may itself hold spaces or ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
    return parents


def _descendants(root: int, parents: dict[int, int]) -> set[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    tree, pending = set(), [root]
    while pending:
        pid = pending.pop()
        if pid not in tree:
            tree.add(pid)
            pending.extend(children.get(pid, []))
    return tree


def _rss_bytes(pid: int) -> int:
    """Resident set size of one process; 0 once it has ended (or for a kernel thread)."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024  # reported in kB
    except OSError:
        pass
    return 0


def tree_rss_bytes(root: int) -> int:
    """Summed RSS of `root` and all its descendants right now."""
    return sum(_rss_bytes(pid) for pid in _descendants(root, _parent_pids()))


class PeakMemory:
    """Largest summed RSS of a process tree while the `with` block runs.

    process = subprocess.Popen(command)
    with PeakMemory(process.pid) as memory:
        process.wait()
    print(memory.peak_mb)
    """

    def __init__(self, root_pid: int, interval: float = 0.2) -> None:
        self.root_pid = root_pid
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.root_pid))
            if self._stop.wait(self.interval):
                return
