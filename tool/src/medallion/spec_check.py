"""Prove that the spec's Python form is the spec: `src/<package>/tables.py` must be exactly what the
template, at the commit recorded in `.cruft.json`, renders from today's `tables.yml`.

    medallion sync check-spec      # make check-spec; CI runs it

tables.py is generated (the pipeline imports it; Databricks runs it), tables.yml is what a team
edits. A hand edit to tables.py, or a tables.yml change without `make apply-spec`, would make the
two disagree silently: this renders a fresh project into a temporary folder and compares.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from medallion import project
from medallion.template_sync import (
    SPEC_FILE,
    SyncError,
    git,
    recorded_state,
    refuse_template_syntax,
)


def fresh_render(state: dict, spec_text: str, scratch: Path) -> Path:
    """The project the recorded template renders for the recorded answers and `spec_text`."""
    clone = scratch / "template"
    git("clone", "--quiet", state["template"], str(clone))
    git("-C", str(clone), "checkout", "--quiet", state["commit"])
    answers = state["context"]["cookiecutter"]
    context = {key: value for key, value in answers.items() if not key.startswith("_")}
    context["tables"] = spec_text
    config = scratch / "cookiecutter.yml"
    settings = {
        "default_context": context,
        "cookiecutters_dir": str(scratch / "cache"),
        "replay_dir": str(scratch / "replay"),
    }
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    out = scratch / "out"
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config)]
    result = subprocess.run(
        [*command, "--output-dir", str(out), str(clone)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SyncError(f"the template refused {SPEC_FILE}:\n{result.stdout}{result.stderr}")
    (rendered,) = out.iterdir()
    return rendered


def check_spec() -> int:
    root = project.root()
    spec_text = (root / SPEC_FILE).read_text(encoding="utf-8")
    state = recorded_state()
    refuse_template_syntax(spec_text, state)
    generated = Path("src") / project.package_name(root) / "tables.py"
    with tempfile.TemporaryDirectory(prefix="check-spec-") as scratch:
        want = (fresh_render(state, spec_text, Path(scratch)) / generated).read_text()
    have = (root / generated).read_text(encoding="utf-8")
    if have == want:
        print(f"{generated} is what {SPEC_FILE} renders.")
        return 0
    diff = difflib.unified_diff(
        want.splitlines(keepends=True),
        have.splitlines(keepends=True),
        f"{generated} (rendered from {SPEC_FILE})",
        f"{generated} (in this project)",
    )
    sys.stdout.writelines(diff)
    print(
        f"\n{generated} differs from what {SPEC_FILE} renders (above): edit {SPEC_FILE} and run "
        "`make apply-spec` rather than editing the generated file.",
        file=sys.stderr,
    )
    return 1
