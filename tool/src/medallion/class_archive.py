"""A class-data-sharing archive for the local Spark JVMs, so that they start in half the time.

A local Spark JVM spends most of its start-up loading and verifying thousands of classes. Since
JDK 13 a JVM can save the classes it loaded to an archive when it exits
(`-XX:ArchiveClassesAtExit`) and map that archive at the next start (`-XX:SharedArchiveFile`).
Measured on 2 cores, Java 17: a test session starts in 1.9 s instead of 3.7 s and runs its first
query in 1.6 s instead of 2.7 s.

The archive depends on the JVM and on Spark's jars, so its name carries the pyspark version and the
java executable (path and modification time). It lives in `~/.cache/pyspark-class-archives/`
(under $XDG_CACHE_HOME when set; about 160 MB), shared by every project on the machine. The first
process that finds none writes it (an exclusive lock file elects one writer), which costs 10-20 s
once, when its JVM exits; the others start as usual until it exists. A JVM that cannot use an
archive (another JDK build) ignores it: nothing fails. `make run-local` does not use one: its
engine ran 30-34 s with and without (most of a run is not class loading there), and with
SPARK_CONF_DIR, a non-empty folder, on the class path the JVM refuses to write one anyway.
`SPARK_CLASS_ARCHIVE=off` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pyspark-class-archives"
QUIET = "-Xlog:cds=off -Xlog:cds+dynamic=off"  # an unusable archive is not worth a warning
STALE_SECONDS = 3600  # a lock or a partial archive older than this was left by a killed run


@dataclass(frozen=True)
class Archive:
    path: Path | None  # None: turned off
    writing: Path | None = None  # the file this process's JVM writes at exit, when it is the writer

    def java_options(self) -> str:
        if self.writing is not None:
            return f"-XX:ArchiveClassesAtExit={self.writing} {QUIET}"
        if self.path is not None and self.path.is_file():
            return f"-XX:SharedArchiveFile={self.path} {QUIET}"
        return ""


def archive_for(kind: str, cache: Path = CACHE) -> Archive:
    """The archive of one kind of JVM (`unit-tests`, ...), or the job of writing it."""
    if os.environ.get("SPARK_CLASS_ARCHIVE", "on") == "off":
        return Archive(None)
    import pyspark

    java = Path(os.path.realpath(shutil.which("java") or "java"))
    built = java.stat().st_mtime_ns if java.is_file() else 0
    identity = f"{pyspark.__version__} {java} {built}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    path = cache / f"{kind}-{pyspark.__version__}-{digest}.jsa"
    if path.is_file():
        return Archive(path)
    cache.mkdir(parents=True, exist_ok=True)
    lock = path.with_suffix(".lock")
    _remove_if_stale(lock)
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:  # another process is writing it
        return Archive(path)
    return Archive(path, writing=path.with_suffix(f".{os.getpid()}.tmp"))


def save(archive: Archive, jvm: subprocess.Popen | None) -> None:
    """Let the writer's JVM exit (it writes the archive then) and publish the file whole.
    `jvm` is pyspark's gateway process (None if pyspark no longer exposes it: nothing is saved)."""
    if archive.writing is None or archive.path is None:
        return
    try:
        if jvm is None:
            return
        if jvm.stdin is not None:
            jvm.stdin.close()  # Spark's Python gateway exits when its stdin closes
        jvm.wait(timeout=120)
        if archive.writing.is_file():
            os.replace(archive.writing, archive.path)
    finally:
        archive.writing.unlink(missing_ok=True)
        archive.path.with_suffix(".lock").unlink(missing_ok=True)


def _remove_if_stale(lock: Path) -> None:
    for leftover in [lock, *lock.parent.glob(f"{lock.stem}.*.tmp")]:
        try:
            if time.time() - leftover.stat().st_mtime > STALE_SECONDS:
                leftover.unlink()
        except FileNotFoundError:
            pass
