"""Finish the generated project: per-table files, sample data, ruff's layout, then the bundle's
offline validation.

The work lives in testable modules (bake.render_tables, bake.sample_data, the project's tools/);
this hook only calls them in order. Any failure exits 1, so cookiecutter deletes the half-made
project.
"""

import json
import subprocess
import sys
from pathlib import Path

# Rendered by cookiecutter's Jinja: the values below become JSON string literals (valid Python)
sys.path.insert(0, {{ template_dir | tojson }})  # absolute, see bake/jinja_extension.py
CONTEXT = json.loads({{ cookiecutter | ordered_json | tojson }})
PROJECT = Path.cwd()  # cookiecutter runs this hook inside the generated project


def fail(message: str) -> None:
    print(f"post_gen_project: {message}; the generated project was removed.", file=sys.stderr)
    sys.exit(1)


def run_tool(module: str, *args: str) -> None:
    """Run `python -m tools.<module> [args]` in the project, as `make` would (skipped if absent)."""
    if not (PROJECT / "tools" / f"{module}.py").exists():
        return
    result = subprocess.run([sys.executable, "-m", f"tools.{module}", *args], cwd=PROJECT)
    if result.returncode != 0:
        fail(f"tools/{module}.py exited {result.returncode} (see its output above)")


from bake import format_code, provenance, render_tables, sample_data, source_sample  # noqa: E402

try:
    render_tables.render(PROJECT, CONTEXT)
except Exception as exc:  # any rendering problem must stop the bake with its reason
    fail(f"rendering the per-table files failed: {type(exc).__name__}: {exc}")
try:
    folder = source_sample.sample_folder(CONTEXT)
    sample_data.write_project(PROJECT, CONTEXT["__package_name"], source_folder=folder)
except Exception as exc:
    fail(f"writing the sample data failed: {type(exc).__name__}: {exc}")
try:  # the layout of every Python file is ruff's (the version the project pins)
    format_code.format_project(PROJECT)
except Exception as exc:
    fail(f"formatting the generated code failed: {type(exc).__name__}: {exc}")
# Offline only: a bake must not depend on, or talk to, whatever workspace the machine's CLI
# happens to be logged in to (the host is still a placeholder answer and the profile may be
# another team's). The online check is `make validate`, with the profile the user chose.
run_tool("validate_bundle", "--offline")
print(provenance.record(PROJECT, CONTEXT, Path({{ template_dir | tojson }})))
print(
    f"""
Next steps:
  cd {PROJECT}
  git init && git add --all && git commit -m "Bake {CONTEXT['project_name']}"
  make install test run-local        # offline: local Spark on the sample data (needs Java 17)
  make deploy run PROFILE={CONTEXT['databricks_profile']}   # to {CONTEXT['workspace_host']}
The README says what each target does; tables.yml is where the tables are described."""
)
