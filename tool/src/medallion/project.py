"""The project the tool works on: the bundle folder it is run in, and the few facts every command
reads from it (the pipeline library's package, the pipeline's name).

The tool is installed into the project's .venv and run by its Makefile from the project folder, so
the project is the nearest folder, from the working directory up, that holds `databricks.yml`.
`MEDALLION_PROJECT` names another one (tests, scripts run from elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

import tomllib
import yaml

BUNDLE_FILE = "databricks.yml"


class ProjectError(Exception):
    """The working directory is not inside a project, or a project file lacks what is needed."""


def root() -> Path:
    explicit = os.environ.get("MEDALLION_PROJECT")
    if explicit:
        return Path(explicit).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / BUNDLE_FILE).is_file():
            return folder
    raise ProjectError(
        f"no {BUNDLE_FILE} in {here} or any folder above it: run the tool from the project folder "
        "(or set MEDALLION_PROJECT)"
    )


def package_name(project: Path | None = None) -> str:
    """The pipeline library under src/: the one package pyproject.toml builds."""

    project = project or root()
    config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    packages = config.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
    packages = packages.get("wheel", {}).get("packages", [])
    if len(packages) != 1 or not packages[0].startswith("src/"):
        raise ProjectError(
            "pyproject.toml must name one package under src/ in "
            "[tool.hatch.build.targets.wheel] packages, e.g. ['src/my_project']"
        )
    return packages[0].removeprefix("src/")


def pipeline_name(project: Path | None = None) -> str:
    """The display name of the bundle's one pipeline (resources/pipeline.yml)."""
    project = project or root()
    path = project / "resources" / "pipeline.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pipelines = (document.get("resources") or {}).get("pipelines") or {}
    if len(pipelines) != 1:
        raise ProjectError(f"{path} must define exactly one pipeline (found {len(pipelines)})")
    (pipeline,) = pipelines.values()
    return str(pipeline.get("name") or next(iter(pipelines)))
