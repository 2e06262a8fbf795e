"""What `medallion sync` says after a merge: conflicts named, and a moved tool pin announced (the
new tool arrives only with `make install`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from medallion import template_sync


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "databricks.yml").write_text("bundle:\n  name: p\n")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "tool.txt").write_text("dlt-medallion-tool @ git+https://h/r@1\n")
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", "--all")
    git(tmp_path, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "bake")
    monkeypatch.setenv("MEDALLION_PROJECT", str(tmp_path))
    return tmp_path


def test_a_moved_pin_asks_for_make_install(project: Path, capsys) -> None:
    (project / "requirements" / "tool.txt").write_text("dlt-medallion-tool @ git+https://h/r@2\n")
    git(project, "add", "requirements/tool.txt")  # cruft's `git apply -3` stages what it merges
    assert template_sync.report() == 0
    assert "run `make install` to take it" in capsys.readouterr().out


def test_an_unmoved_pin_says_nothing_of_it(project: Path, capsys) -> None:
    assert template_sync.report() == 0
    assert "make install" not in capsys.readouterr().out
