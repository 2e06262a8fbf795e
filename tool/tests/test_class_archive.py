"""medallion.class_archive: one writer per archive, published whole, used by every later JVM."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medallion import class_archive


def a_gateway(writes: Path) -> subprocess.Popen:
    """A process that, like Spark's Python gateway JVM, exits when its stdin closes, and writes
    its class archive as it exits."""
    code = f"import sys, pathlib; sys.stdin.read(); pathlib.Path({str(writes)!r}).write_text('jsa')"
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)


def test_the_first_process_writes_the_archive_and_later_ones_map_it(tmp_path: Path) -> None:
    writer = class_archive.archive_for("unit-tests", tmp_path)
    assert writer.writing is not None and writer.path is not None
    assert writer.java_options().startswith(f"-XX:ArchiveClassesAtExit={writer.writing} ")
    # a second process meanwhile: not the writer, and no archive to map yet
    meanwhile = class_archive.archive_for("unit-tests", tmp_path)
    assert meanwhile.writing is None and meanwhile.java_options() == ""

    class_archive.save(writer, a_gateway(writer.writing))

    assert writer.path.read_text() == "jsa"
    assert sorted(p.name for p in tmp_path.iterdir()) == [writer.path.name]  # no lock, no .tmp
    later = class_archive.archive_for("unit-tests", tmp_path)
    assert later == class_archive.Archive(writer.path)
    assert later.java_options().startswith(f"-XX:SharedArchiveFile={writer.path} ")


def test_a_writer_whose_jvm_wrote_nothing_publishes_nothing(tmp_path: Path) -> None:
    writer = class_archive.archive_for("unit-tests", tmp_path)
    assert writer.writing is not None
    class_archive.save(writer, a_gateway(tmp_path / "elsewhere"))
    assert not writer.path.exists()
    assert class_archive.archive_for("unit-tests", tmp_path).writing is not None  # try again


def test_without_the_jvm_process_nothing_is_published_and_the_lock_goes(tmp_path: Path) -> None:
    writer = class_archive.archive_for("unit-tests", tmp_path)
    class_archive.save(writer, None)
    assert list(tmp_path.iterdir()) == []


def test_a_lock_left_by_a_killed_run_expires(tmp_path: Path) -> None:
    first = class_archive.archive_for("unit-tests", tmp_path)
    assert first.writing is not None
    lock = first.path.with_suffix(".lock")
    assert class_archive.archive_for("unit-tests", tmp_path).writing is None
    old = time.time() - class_archive.STALE_SECONDS - 60
    os.utime(lock, (old, old))
    assert class_archive.archive_for("unit-tests", tmp_path).writing is not None


def test_each_kind_and_pyspark_version_has_its_own_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyspark

    tests = class_archive.archive_for("unit-tests", tmp_path).path
    other_kind = class_archive.archive_for("bench", tmp_path).path
    monkeypatch.setattr(pyspark, "__version__", "9.9.9")
    other_version = class_archive.archive_for("unit-tests", tmp_path).path
    assert len({tests, other_kind, other_version}) == 3
    assert other_version.name.startswith("unit-tests-9.9.9-")


def test_it_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARK_CLASS_ARCHIVE", "off")
    archive = class_archive.archive_for("unit-tests", tmp_path)
    assert archive == class_archive.Archive(None)
    assert archive.java_options() == ""
    assert list(tmp_path.iterdir()) == []
