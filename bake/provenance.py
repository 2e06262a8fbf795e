"""Record where a generated project came from: in cruft's format, so `cruft update` can upgrade it,
and as the pin of the `medallion` tool it installs (`requirements/tool.txt`).

`cruft create` writes `.cruft.json` itself. A plain `cookiecutter` bake records nothing, and such a
project could never take a template fix: the post-gen hook calls `record()`, which writes the file
cruft would have written (the template's git URL, its commit, the answers). Under cruft (`create`,
and the two renders `update` diffs) the context already carries `_commit` and cruft writes the
file itself, so `record()` does nothing there: a render must not contain `.cruft.json`, or the
update's diff would fight cruft over it.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

CRUFT_FILE = ".cruft.json"
TOOL_FILE = "requirements/tool.txt"
TOOL_DISTRIBUTION = "dlt-medallion-tool"
TOOL_FOLDER = "tool"  # the tool's package, inside this template's repository
# Keys cookiecutter adds for one machine's run: they mean nothing on a teammate's machine.
MACHINE_KEYS = ("_output_dir", "_repo_dir", "_checkout")


def _git(template_dir: Path, *args: str) -> str | None:
    result = subprocess.run(
        ["git", "-C", str(template_dir), *args], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def local_checkout(context: dict[str, Any], template_dir: Path) -> Path | None:
    """The local folder the bake was given as its template, or None for a git URL.

    cookiecutter renders a local folder in place (`_repo_dir` is `_template`, possibly relative:
    hooks run in the output folder, so `template_dir` stands for it); cruft renders a clone of it
    and records the folder's absolute path as `_template`.
    """
    given = str(context.get("_template", ""))
    if given and given == context.get("_repo_dir"):
        return Path(template_dir).resolve()
    path = Path(given).expanduser()
    return path.resolve() if given and path.is_absolute() and path.is_dir() else None


def template_url(template_dir: Path, context: dict[str, Any]) -> str | None:
    """Where `cruft update` can clone the template again: the local checkout the bake was given,
    or the remote cookiecutter cloned into its cache (`gh:org/repo` arrives as a cache folder)."""
    if _git(template_dir, "rev-parse", "--show-toplevel") != str(template_dir.resolve()):
        return None  # not a git checkout (a zip, or a folder inside another repository)
    local = local_checkout(context, template_dir)
    return str(local) if local else _git(template_dir, "remote", "get-url", "origin")


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
    url = template_url(Path(template_dir), context)
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


def pip_git_url(url: str) -> str:
    """`url` as pip's VCS syntax: `git+https://...`, `git+ssh://...` (from `git@host:org/repo`),
    `git+file:///...` (a local repository)."""
    if url.startswith("git+"):
        return url
    scp_like = re.fullmatch(r"([\w.-]+@[\w.-]+):(?!//)(.+)", url)
    if scp_like:
        return f"git+ssh://{scp_like.group(1)}/{scp_like.group(2)}"
    if "://" not in url:
        return "git+" + Path(url).expanduser().resolve().as_uri()
    return f"git+{url}"


def tool_requirement(context: dict[str, Any], template_dir: Path) -> str:
    """The pip requirement of the tool, at the template version this bake renders.

    A bake from a local checkout installs the tool from that checkout (as it is on disk: a
    template developer tries both together). A bake from a git URL installs it from the same
    repository at the commit rendered, so `cruft update` moves the pin with the template: every
    render of one template version writes the same line, and a newer version a newer commit.
    """
    local = local_checkout(context, template_dir)
    if local:
        return f"{TOOL_DISTRIBUTION} @ {(local / TOOL_FOLDER).as_uri()}"
    url = _git(template_dir, "remote", "get-url", "origin") or str(context.get("_template"))
    commit = context.get("_commit") or _git(template_dir, "rev-parse", "HEAD")
    if not commit:  # a zip or a tarball: only the unpacked copy has the tool
        return f"{TOOL_DISTRIBUTION} @ {(template_dir.resolve() / TOOL_FOLDER).as_uri()}"
    return f"{TOOL_DISTRIBUTION} @ {pip_git_url(url)}@{commit}#subdirectory={TOOL_FOLDER}"


def pin_tool(project_dir: Path, context: dict[str, Any], template_dir: Path) -> str:
    """Write requirements/tool.txt; return its requirement."""
    requirement = tool_requirement(context, Path(template_dir))
    header = (
        "# The medallion tool (make install: pip install --no-deps -r requirements/tool.txt), at\n"
        "# the template version this project was baked from; `make upgrade-template` moves it.\n"
        "# Its dependencies are pinned with hashes in requirements/local.txt.\n"
    )
    (Path(project_dir) / TOOL_FILE).write_text(header + requirement + "\n", encoding="utf-8")
    return requirement
