"""Re-render this project from its template: apply a table spec change, add a table, or upgrade.

    medallion sync apply-spec                    # after editing tables.yml
    medallion sync add-table returns [--role fact]
    medallion sync infer-spec ~/exports [--tables a,b]  # then apply-spec
    medallion sync infer-spec uc:main.sales [--profile DEFAULT]  # Unity Catalog
    medallion sync upgrade [--checkout v1.4.0]   # a newer template

All three are `cruft update` (`.cruft.json` records the template and the answers): the template
is rendered twice, as recorded and as asked, and the difference is merged into this repository
with `git apply -3`. So your edits to generated files stay, and a file both sides changed is left
with conflict markers: this command then lists it and exits 1 (cruft itself reports success).
A spec change renders at the recorded template commit, so it never brings an upgrade along.
tables.yml goes to the template as the text it is: the template reads it (no YAML anchors or
aliases, no duplicate keys: each refused with its line) and validates it with the same rules as a
bake; when it refuses, tables.yml keeps your edit.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from medallion import project

SPEC_FILE = "tables.yml"
CRUFT_FILE = ".cruft.json"
TOOL_PIN = "requirements/tool.txt"  # this package, at the template version (bake.provenance)
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# cookiecutter renders every recorded answer and the new spec as Jinja before the template's own
# checks run, and a `.cruft.json` edited in a pull request could switch those checks off
# (`_extensions`): nothing holding template syntax is handed to it.
JINJA_DELIMITERS = ("{{", "{%", "{#")


class SyncError(Exception):
    """Why nothing was changed, in words the user can act on."""


def git(*args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=project.root(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SyncError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def recorded_state() -> dict[str, Any]:
    path = project.root() / CRUFT_FILE
    if not path.exists():
        raise SyncError(
            f"{CRUFT_FILE} is missing, so the template this project came from is unknown; "
            "link it once with `cruft link <template git url>`"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def changed_files(allowed: tuple[str, ...] = ()) -> list[str]:
    """Tracked files with uncommitted changes, except `allowed`."""
    if git("rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        raise SyncError("this project is not a git repository: `git init`, then commit it first")
    lines = git("status", "--porcelain", "--untracked-files=no").splitlines()
    return [line[3:] for line in lines if line[3:] not in allowed]


def require_clean(allowed: tuple[str, ...] = ()) -> None:
    dirty = changed_files(allowed)
    if dirty:
        raise SyncError(
            "commit or stash these changes first (the merge needs a clean tree to stay "
            f"reversible): {', '.join(dirty)}"
        )


def template_syntax(value: Any, where: str) -> str | None:
    """Where the first string of `value` (keys included) holds Jinja, or None."""
    if isinstance(value, str):
        return where if any(marker in value for marker in JINJA_DELIMITERS) else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, item in items:
        found = template_syntax(key, where) or template_syntax(item, f"{where}.{key}")
        if found:
            return found
    return None


def refuse_template_syntax(spec_text: str, state: dict[str, Any]) -> None:
    found = template_syntax(spec_text, SPEC_FILE) or template_syntax(
        state.get("context", {}), CRUFT_FILE
    )
    if found:
        raise SyncError(
            f"{found} holds template syntax ({', '.join(JINJA_DELIMITERS)}), which cookiecutter "
            "would evaluate: remove it (answers and specs are data, never templates)"
        )


def cruft_update(checkout: str | None, variables: dict[str, Any] | None) -> None:
    import cruft  # imported here: `make help` and the tests of this module do not need it

    try:
        applied = cruft.update(
            project_dir=project.root(),
            checkout=checkout,
            skip_apply_ask=True,
            extra_context=variables,
        )
    except Exception as exc:  # a template hook refused the answers: its output says why
        raise SyncError(f"the template did not render ({type(exc).__name__}: {exc})") from exc
    if not applied:
        raise SyncError("cruft did not apply the update (see its message above)")


def unresolved() -> list[str]:
    """Files the merge left for a person: conflict markers, or `.rej` hunks."""
    conflicted = git("diff", "--name-only", "--diff-filter=U").splitlines()
    rejected = git("ls-files", "--others", "--exclude-standard", "*.rej").splitlines()
    return conflicted + rejected


def report() -> int:
    left = unresolved()
    if left:
        print(
            "Merged with conflicts: both your edit and the template's are in these files "
            "(between <<<<<<< and >>>>>>>, or in a .rej file beside it). Resolve them, then "
            f"commit: {', '.join(left)}",
            file=sys.stderr,
        )
        return 1
    print("Done: review `git diff`, then commit (with .cruft.json, which records the new state).")
    if git("status", "--porcelain", "--", TOOL_PIN, check=False).strip():
        print(f"{TOOL_PIN} moved to the new template's tool: run `make install` to take it.")
    return 0


def apply_spec(edited: str, before: str, keep_text: bool = True) -> int:
    """Render the project for the spec in `edited`; on failure, tables.yml goes back to `before`.
    `keep_text`: tables.yml stays the text the team wrote (comments, evidence, layout), not the
    template's rendering of it; add-table wants the rendering (the conventions spelled out)."""
    spec_path = project.root() / SPEC_FILE
    require_clean(allowed=(SPEC_FILE,))
    state = recorded_state()
    refuse_template_syntax(edited, state)
    # The render writes tables.yml itself: start the merge from the committed file.
    git("checkout", "--", SPEC_FILE)
    try:
        cruft_update(checkout=state["commit"], variables={"tables": edited})
    except SyncError:
        spec_path.write_text(before, encoding="utf-8")
        raise
    if keep_text:
        spec_path.write_text(edited, encoding="utf-8")
        git("reset", "--quiet", "--", SPEC_FILE)  # the merge's view of it no longer matters
    return report()


def add_table(name: str, role: str) -> int:
    if not TABLE_NAME.fullmatch(name):
        raise SyncError(f"TABLE={name!r}: use letters, digits and _ (not starting with a digit)")
    spec_path = project.root() / SPEC_FILE
    before = spec_path.read_text(encoding="utf-8")
    if re.search(rf"^{name}:", before, re.MULTILINE):
        raise SyncError(f"{name!r} is already in {SPEC_FILE}; edit it there, then apply-spec")
    # Only the role: the template spells out the conventions (keys, columns, rules) in full.
    edited = before.rstrip("\n") + f"\n\n{name}:\n  role: {role}\n"
    return apply_spec(edited, before, keep_text=False)


def inference_command() -> list[str]:
    """Python with what bake.infer reads with: this one when it has it all, else an ephemeral
    environment from uv (the project pins neither duckdb nor the template's needs)."""
    packages = {"duckdb": "duckdb", "pyarrow": "pyarrow", "yaml": "pyyaml", "sqlglot": "sqlglot"}
    packages["databricks.sdk"] = "databricks-sdk"  # for uc:<catalog>.<schema>
    if all(importlib.util.find_spec(module) for module in packages):
        return [sys.executable]
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    extras = [arg for name in packages.values() for arg in ("--with", name)]
    return [uv, "run", "--no-project", "--python", sys.executable, *extras, "python"]


def infer_spec(source: str, tables: str | None, profile: str | None = None) -> int:
    """Add the tables inferred from `source` (a folder, or uc:<catalog>.<schema>) that
    tables.yml lacks (or `tables`), with their evidence as comments; tables already there are
    left as they are. The inference is the template's (bake.infer), at the recorded commit, so
    it matches what apply-spec renders."""
    require_clean()
    state = recorded_state()
    landing = source if source.startswith("uc:") else str(Path(source).expanduser().resolve())
    with tempfile.TemporaryDirectory(prefix="template-") as clone:
        git("clone", "--quiet", state["template"], clone)
        git("-C", clone, "checkout", "--quiet", state["commit"])
        command = [*inference_command(), "-m", "bake.infer", landing]
        command += ["--merge", str(project.root() / SPEC_FILE), "--write"]
        command += ["--tables", tables] if tables else []
        command += ["--profile", profile] if profile else []
        if subprocess.run(command, cwd=clone).returncode != 0:
            raise SyncError(
                f"the inference refused {landing} (its message is above); {SPEC_FILE} is unchanged"
            )
    print(
        f"Review {SPEC_FILE} (each inferred field's evidence is the comment beside it), "
        "then run `make apply-spec`."
    )
    return 0


def upgrade(checkout: str | None) -> int:
    require_clean()
    refuse_template_syntax("", recorded_state())
    cruft_update(checkout=checkout, variables=None)
    return report()
