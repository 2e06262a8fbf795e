"""Record where a generated project came from, in cruft's format, so `cruft update` can upgrade it.

`cruft create` writes `.cruft.json` itself. A plain `cookiecutter` bake records nothing, and such a
project could never take a template fix: the post-gen hook calls `record()`, which writes the file
cruft would have written (the template's git URL, its commit, the answers). Under cruft (`create`,
and the two renders `update` diffs) the context already carries `_commit` and cruft writes the
file itself, so `record()` does nothing there: a render must not contain `.cruft.json`, or the
update's diff would fight cruft over it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

CRUFT_FILE = ".cruft.json"
# Keys cookiecutter adds for one machine's run: they mean nothing on a teammate's machine.
MACHINE_KEYS = ("_output_dir", "_repo_dir", "_checkout")


def _git(template_dir: Path, *args: str) -> str | None:
    result = subprocess.run(
        ["git", "-C", str(template_dir), *args], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def template_url(template_dir: Path, given: str) -> str | None:
    """Where `cruft update` can clone the template again: the local checkout the bake was given,
    or the remote cookiecutter cloned into its cache (`gh:org/repo` arrives as a cache folder)."""
    if _git(template_dir, "rev-parse", "--show-toplevel") != str(template_dir.resolve()):
        return None  # not a git checkout (a zip, or a folder inside another repository)
    if Path(given).expanduser().is_dir():
        return str(Path(given).expanduser().resolve())
    return _git(template_dir, "remote", "get-url", "origin")


def cruft_state(context: dict[str, Any], url: str, commit: str) -> dict[str, Any]:
    """The content of `.cruft.json`, as `cruft create` writes it."""
    answers = {key: value for key, value in context.items() if key not in MACHINE_KEYS}
    answers["_template"] = url
    answers["_commit"] = commit
    return {
        "template": url,
        "commit": commit,
        "checkout": None,
        "context": {"cookiecutter": answers},
        "directory": None,
    }


def record(project_dir: Path, context: dict[str, Any], template_dir: Path) -> str:
    """Write `.cruft.json` when the bake came from a git checkout; return what was done."""
    if "_commit" in context:
        return "cruft records the template itself"
    url = template_url(Path(template_dir), str(context.get("_template", template_dir)))
    commit = url and _git(Path(template_dir), "rev-parse", "HEAD")
    if not url or not commit:
        return (
            f"{CRUFT_FILE} not written: the template is not a git checkout, so no later version "
            "can be compared with it (bake with `cruft create <git url>` to upgrade later)"
        )
    state = cruft_state(context, url, commit)
    text = json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"
    (Path(project_dir) / CRUFT_FILE).write_text(text, encoding="utf-8")
    dirty = _git(Path(template_dir), "status", "--porcelain", "--untracked-files=no")
    if dirty:
        return (
            f"{CRUFT_FILE} records commit {commit[:12]}, but the template has uncommitted "
            "changes: an update will see them as your edits"
        )
    return f"{CRUFT_FILE} records {url} at {commit[:12]} (`make upgrade-template` takes newer ones)"
