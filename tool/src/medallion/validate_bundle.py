"""Validate the Databricks bundle offline, then with `databricks bundle validate --strict`.

    medallion validate [--online auto|required|off] [--target dev] [--profile NAME]

Offline, what `bundle validate` would say but cannot without a workspace: every YAML file parses
(a duplicate key is an error); top-level and target keys are known; every resource loads into the
typed models of `databricks-bundles` (unknown fields and invalid enum values are errors); every
`${var.*}` and `${resources.*}` reference is defined; every pipeline library path and glob matches
.py or .sql files. Online: `databricks bundle validate --strict --target T [--profile P]`, after the
same pre-flight as make's CLI targets (`medallion workspace check`: CLI version, credentials, and
DATABRICKS_HOST equal to the target's host). `--profile ""` means environment credentials (CI).
`--online auto` (default) skips the online check, with a note, when there is no CLI or no
credentials; `required` makes that an error (CI must not pass without it); `off` (or `--offline`)
never runs it. Problems print as `file: path: reason` and the exit code is 1.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from medallion import databricks_cli

TOP_LEVEL_KEYS = {
    "artifacts", "bundle", "experimental", "include", "permissions", "presets", "python",
    "resources", "run_as", "scripts", "sync", "targets", "variables", "workspace",
}  # fmt: skip
TARGET_KEYS = {
    "artifacts", "bundle", "cluster_id", "compute_id", "default", "git", "mode", "permissions",
    "presets", "resources", "run_as", "sync", "variables", "workspace",
}  # fmt: skip
# Resource types checked against a typed model: type -> (module, class).
MODELS = {
    "alerts": ("databricks.bundles.alerts", "Alert"),
    "dashboards": ("databricks.bundles.dashboards", "Dashboard"),
    "jobs": ("databricks.bundles.jobs", "Job"),
    "pipelines": ("databricks.bundles.pipelines", "Pipeline"),
    "schemas": ("databricks.bundles.schemas", "Schema"),
    "volumes": ("databricks.bundles.volumes", "Volume"),
}
REFERENCE = re.compile(r"\$\{(var|resources)\.([\w-]+)(?:\.([\w-]+))?")
LIBRARY_SUFFIXES = {".py", ".sql"}
HINT = (
    "the `databricks-bundles` package is not installed, so resources were only checked for "
    "structure; run `make install` and then `make validate` for the full check"
)


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class Report:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[str] = []
        self.notes: list[str] = []

    def error(self, file: Path, where: str, reason: str) -> None:
        self.problems.append(f"{self.relative(file)}: {where}: {reason}")

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def load_yaml(path: Path, report: Report) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        reason = getattr(exc, "problem", None) or str(exc)
        report.error(path, where, f"YAML does not parse: {reason}")
    except OSError as exc:
        report.error(path, "(file)", f"cannot read: {exc}")
    return None


def load_config(root: Path, report: Report) -> dict[Path, dict]:
    """databricks.yml and every file its `include` globs match, by path."""
    main = root / "databricks.yml"
    if not main.is_file():
        report.error(main, "(file)", "missing: run this from the bundle's root folder")
        return {}
    config = load_yaml(main, report)
    if not isinstance(config, dict):
        if config is not None or not report.problems:
            report.error(main, "(file)", "must be a YAML mapping")
        return {}
    files = {main: config}
    includes = config.get("include") or []
    if not isinstance(includes, list):
        report.error(main, "include", "must be a list of glob patterns")
        includes = []
    for i, pattern in enumerate(includes):
        matches = sorted(root.glob(str(pattern)))
        if not matches:
            report.error(main, f"include[{i}]", f"pattern {pattern!r} matches no file")
        for path in matches:
            data = load_yaml(path, report)
            if data is not None and not isinstance(data, dict):
                report.error(path, "(file)", "must be a YAML mapping")
            elif data is not None:
                files[path] = data
    return files


def check_structure(files: dict[Path, dict], report: Report) -> None:
    for path, data in files.items():
        for key in data:
            if key not in TOP_LEVEL_KEYS:
                report.error(path, str(key), "unknown top-level key")
        targets = data.get("targets") or {}
        for name, target in targets.items() if isinstance(targets, dict) else ():
            for key in target if isinstance(target, dict) else ():
                if key not in TARGET_KEYS:
                    report.error(path, f"targets.{name}.{key}", "unknown target key")
        for where, section in resource_sections(data):
            groups = section.values() if isinstance(section, dict) else [section]
            if not all(isinstance(group, dict) for group in groups):
                report.error(path, where, "must map resource types to mappings of named resources")


def resource_sections(data: dict):
    """(yaml path, value) of the top-level `resources` and of every target's `resources`."""
    if data.get("resources") is not None:
        yield "resources", data["resources"]
    targets = data.get("targets") if isinstance(data.get("targets"), dict) else {}
    for name, target in targets.items():
        if isinstance(target, dict) and target.get("resources") is not None:
            yield f"targets.{name}.resources", target["resources"]


def iter_resources(files: dict[Path, dict]):
    """(file, yaml path, type, key, body) for top-level resources and target overrides."""
    for path, data in files.items():
        for prefix, section in resource_sections(data):
            for rtype, group in section.items() if isinstance(section, dict) else ():
                for key, body in group.items() if isinstance(group, dict) else ():
                    yield path, f"{prefix}.{rtype}.{key}", rtype, key, body


def check_models(files: dict[Path, dict], report: Report) -> None:
    """Each resource, and each target's partial override of one, through its typed model.

    `from_dict` rejects unknown fields and invalid enum values (naming the field and the class),
    accepts `${...}` interpolations and does not require fields, so partial overrides load too.
    """
    try:
        importlib.import_module("databricks.bundles.core")
    except ImportError:
        report.notes.append(f"Typed resource check skipped: {HINT}.")
        return
    for path, where, rtype, _key, body in iter_resources(files):
        if not isinstance(body, dict):
            report.error(path, where, "must be a mapping")
        elif rtype in MODELS:
            module, name = MODELS[rtype]
            try:
                getattr(importlib.import_module(module), name).from_dict(body)
            except (ValueError, TypeError, KeyError) as exc:
                report.error(path, where, str(exc))


def walk_strings(value: Any, where: str):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{where}[{index}]")
    elif isinstance(value, str):
        yield where, value


def check_references(files: dict[Path, dict], report: Report) -> None:
    variables = set()
    for data in files.values():
        variables.update((data.get("variables") or {}).keys())
    defined = {(rtype, key) for _, where, rtype, key, _ in iter_resources(files)}
    for path, data in files.items():
        for where, text in walk_strings(data, ""):
            for kind, first, second in REFERENCE.findall(text):
                if kind == "var" and first not in variables:
                    name = "${var." + first + "}"
                    report.error(path, where, f"{name} is not defined under variables")
                if kind == "resources" and (first, second) not in defined:
                    name = "${resources." + f"{first}.{second}" + "}"
                    report.error(path, where, f"{name} is not a resource of this bundle")


def check_libraries(files: dict[Path, dict], report: Report) -> None:
    for path, where, rtype, _key, body in iter_resources(files):
        if rtype != "pipelines" or not isinstance(body, dict):
            continue
        base = path.parent
        root_path = body.get("root_path")
        if isinstance(root_path, str) and not (base / root_path).is_dir():
            report.error(path, f"{where}.root_path", f"folder {root_path!r} does not exist")
        for i, library in enumerate(body.get("libraries") or []):
            for kind, spec in (library or {}).items():
                field = "include" if kind == "glob" else "path"
                pattern = spec.get(field) if isinstance(spec, dict) else None
                if isinstance(pattern, str) and "${" not in pattern:
                    at = f"{where}.libraries[{i}].{kind}.{field}"
                    check_library(path, at, base, pattern, report)


def check_dashboards(files: dict[Path, dict], report: Report) -> None:
    """Each dashboard's `.lvdash.json` exists, parses, and its widgets read datasets it defines."""
    for path, where, rtype, _key, body in iter_resources(files):
        file_path = (
            body.get("file_path") if rtype == "dashboards" and isinstance(body, dict) else None
        )
        if not isinstance(file_path, str) or "${" in file_path:
            continue
        dashboard_file = path.parent / file_path
        try:
            document = json.loads(dashboard_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            report.error(path, f"{where}.file_path", f"{file_path}: {exc}")
            continue
        datasets = {dataset.get("name") for dataset in document.get("datasets") or []}
        if not datasets or not document.get("pages"):
            report.error(path, f"{where}.file_path", f"{file_path}: no datasets or no pages")
        for page in document.get("pages") or []:
            for item in page.get("layout") or []:
                widget = item.get("widget") or {}
                for query in widget.get("queries") or []:
                    name = (query.get("query") or {}).get("datasetName")
                    if name not in datasets:
                        report.error(
                            path,
                            f"{where}.file_path",
                            f"{file_path}: widget {widget.get('name')!r} reads dataset "
                            f"{name!r}, which is not one of {sorted(datasets)}",
                        )


def check_library(path: Path, where: str, base: Path, pattern: str, report: Report) -> None:
    if pattern.endswith("/**"):
        folder = base / pattern[:-3]
        found = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    elif any(char in pattern for char in "*?["):
        found = [p for p in base.glob(pattern) if p.is_file()]
    else:
        found = [base / pattern] if (base / pattern).is_file() else []
    found = [p for p in found if "__pycache__" not in p.parts and not p.name.startswith(".")]
    if not found:
        report.error(path, where, f"{pattern!r} matches no file")
    for file in found:
        if file.suffix not in LIBRARY_SUFFIXES:
            name = report.relative(file)
            report.error(path, where, f"{name} is not a .py or .sql file, the only kinds allowed")


def online_blocker(profile: str) -> str | None:
    """Why `bundle validate` cannot run here (no CLI, no credentials), or None when it can."""
    if shutil.which("databricks") is None:
        return "the `databricks` CLI is not on PATH"
    try:
        databricks_cli.check_auth(profile)  # the same lookup as make's pre-flight check
    except databricks_cli.PreflightError as exc:
        return str(exc).splitlines()[0]
    return None


def default_profile(config: dict, target: str) -> str:
    target_workspace = ((config.get("targets") or {}).get(target) or {}).get("workspace") or {}
    workspace = config.get("workspace") or {}
    return str(target_workspace.get("profile") or workspace.get("profile") or "DEFAULT")


def validate_online(root: Path, target: str, profile: str, required: bool, report: Report) -> None:
    blocker = online_blocker(profile)
    if blocker and not required:
        report.notes.append(f"Online check skipped: {blocker}.")
        return
    where = f"targets.{target}"
    if blocker:
        report.error(root / "databricks.yml", where, f"online check required but {blocker}")
        return
    try:
        databricks_cli.cli_version()  # `validate --strict` needs a recent CLI
        databricks_cli.check_host(target, root / "databricks.yml")
    except databricks_cli.PreflightError as exc:
        report.error(root / "databricks.yml", where, str(exc))
        return
    command = ["databricks", "bundle", "validate", "--strict", "--target", target]
    command += ["--profile", profile] if profile else []
    print("+ " + " ".join(command), flush=True)
    result = subprocess.run(command, cwd=root, check=False)
    if result.returncode != 0:
        report.error(root / "databricks.yml", where, "`databricks bundle validate --strict` failed")


def validate(root: Path, online: str, target: str, profile: str | None) -> Report:
    """Run the checks; `online` is auto, required or off (see the module docstring)."""
    report = Report(root)
    files = load_config(root, report)
    if not report.problems:  # cross-file checks would only repeat a parse error as noise
        check_structure(files, report)
        check_models(files, report)
        check_references(files, report)
        check_libraries(files, report)
        check_dashboards(files, report)
    if online == "off":
        report.notes.append("Online check skipped: offline only.")
    elif report.problems:
        report.notes.append("Online check skipped: fix the problems below first.")
    else:
        main = files.get(root / "databricks.yml", {})
        profile = default_profile(main, target) if profile is None else profile
        validate_online(root, target, profile, online == "required", report)
    return report


def main(root: Path, online: str = "auto", target: str = "dev", profile: str | None = None) -> int:
    """Print the report of `validate`; 1 when it found a problem."""
    report = validate(root, online, target, profile)
    for note in report.notes:
        print(note)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.problems:
        print(f"Bundle validation failed: {len(report.problems)} problem(s).", file=sys.stderr)
        return 1
    print("Bundle validation passed.")
    return 0
