"""Finish the generated project: per-table files, sample data, ruff's layout, the tool's pin, then
the bundle's offline validation.

The work lives in testable modules (bake.render_tables, bake.sample_data, bake.provenance, and
the medallion tool's validate_bundle, from this template's tool/ folder); this hook only calls
them in order. Any failure exits 1, so cookiecutter deletes the half-made project.
"""

import json
import sys
from pathlib import Path

# Rendered by cookiecutter's Jinja: the values below become JSON string literals (valid Python)
TEMPLATE_DIR = {{ template_dir | tojson }}  # absolute, see bake/jinja_extension.py
sys.path.insert(0, TEMPLATE_DIR)
CONTEXT = json.loads({{ cookiecutter | ordered_json | tojson }})
PROJECT = Path.cwd()  # cookiecutter runs this hook inside the generated project


def fail(message: str) -> None:
    print(f"post_gen_project: {message}; the generated project was removed.", file=sys.stderr)
    sys.exit(1)


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
try:
    print(f"medallion tool: {provenance.pin_tool(PROJECT, CONTEXT, Path(TEMPLATE_DIR))}")
except OSError as exc:
    fail(f"writing {provenance.TOOL_FILE} failed: {exc}")
# The tool's copy in this template, not one installed elsewhere: the version this bake pins.
sys.path.insert(0, str(Path(TEMPLATE_DIR) / provenance.TOOL_FOLDER / "src"))
from medallion import validate_bundle  # noqa: E402

# Offline only: a bake must not depend on, or talk to, whatever workspace the machine's CLI
# happens to be logged in to (the host is still a placeholder answer and the profile may be
# another team's). The online check is `make validate`, with the profile the user chose.
if validate_bundle.main(PROJECT, online="off") != 0:
    fail("the bundle's offline validation failed (see its output above)")
print(provenance.record(PROJECT, CONTEXT, Path(TEMPLATE_DIR)))
print(
    f"""
Next steps:
  cd {PROJECT}
  git init && git add --all && git commit -m "Bake {CONTEXT['project_name']}"
  make install test run-local        # offline: local Spark on the sample data (needs Java 17)
  make deploy run PROFILE={CONTEXT['databricks_profile']}   # to {CONTEXT['workspace_host']}
The README says what each target does; tables.yml is where the tables are described."""
)
