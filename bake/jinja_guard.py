"""Make cookiecutter's Jinja safe for answers: no answer is evaluated, nothing written unchecked.

cookiecutter renders every answer (command line, config file, `.cruft.json` under cruft) as a
Jinja template before any hook runs, and creates the project folder before the pre-gen hook runs.
This template's Jinja extension is loaded before either, so it guards the environment itself:

- `from_string` refuses a string holding `{{`, `{%` or `{#` unless it is the template's own text
  (a cookiecutter.json default, a hook, a file or folder name of the template): an answer with
  template syntax stops the bake with one message instead of being evaluated;
- the environment is Jinja's sandbox (`SandboxedEnvironment`), so even the template's own
  expressions cannot reach Python internals (`__class__`, `__globals__`), files or processes;
- rendering the project folder's name first infers `tables` from `__source_sample` when given
  (bake.source_sample), then checks every answer with bake.validation, so a rejected bake creates
  nothing (no `../` folder outside the output folder, no half-made project);
- the config file cookiecutter read (`--config-file`, COOKIECUTTER_CONFIG, ~/.cookiecutterrc) is
  read again with bake.strict_yaml before any answer is rendered: an anchor, alias or duplicate key
  there is refused with its line (cookiecutter's own safe_load keeps the last of two keys and
  expands aliases while rendering).

Rejections raise `AnswersRejected`, a FailedHookException: cookiecutter's command line prints its
message and exits 1, with no traceback.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

from cookiecutter.exceptions import FailedHookException
from jinja2 import Environment
from jinja2.sandbox import SandboxedEnvironment, safe_range

from bake import source_sample, strict_yaml, validation
from bake.answers import JINJA_DELIMITERS

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
PROJECT_FOLDER = "{{cookiecutter.__project_slug}}"


class AnswersRejected(FailedHookException):
    """An answer was refused before anything was rendered or written; the message says why."""


@cache
def _template_text(template_dir: Path) -> tuple[frozenset[str], frozenset[str]]:
    """(whole strings, path parts) of the template's own text that may hold Jinja."""
    whole: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, str):
            whole.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8")))
    for hook in (template_dir / "hooks").glob("*"):
        if hook.is_file():
            whole.add(hook.read_text(encoding="utf-8"))
    parts = {PROJECT_FOLDER}
    for _, folders, files in os.walk(template_dir / PROJECT_FOLDER):
        parts.update(name for name in folders + files if _has_jinja(name))
    return frozenset(whole), frozenset(parts)


def _has_jinja(text: str) -> bool:
    return any(marker in text for marker in JINJA_DELIMITERS)


def is_template_text(source: str, template_dir: Path = TEMPLATE_DIR) -> bool:
    """True when `source` holds no Jinja, or its Jinja is the template's own: a whole string of
    cookiecutter.json or a hook, or a path whose every part with Jinja is a template file name
    (cookiecutter renders `<output folder>/<project>/src/{{cookiecutter.__package_name}}`)."""
    if not _has_jinja(source):
        return True
    whole, parts = _template_text(template_dir)
    if source in whole:
        return True
    pieces = source.replace(os.sep, "/").split("/")
    return all(piece in parts for piece in pieces if _has_jinja(piece))


def refuse_template_syntax(source: str) -> None:
    if not is_template_text(source):
        marker = next(m for m in JINJA_DELIMITERS if m in source)
        line = next(text for text in source.splitlines() if marker in text)
        where = f", line {source.splitlines().index(line) + 1}" if "\n" in source else ""
        shown = line.strip() if len(line) <= 200 else line.strip()[:200] + "..."
        raise AnswersRejected(
            f"{validation.HEADING}\n  {_field_being_rendered()}{where}: {shown!r} -- contains "
            f"{marker!r}: template syntax in answers and specs is never evaluated; remove it"
        )


def _field_being_rendered() -> str:
    """The answer cookiecutter is rendering (`key` in its prompt_for_config loop), to name it in
    the message; "an answer" when it cannot be told (the refusal never depends on it)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "prompt_for_config" and isinstance(
            frame.f_locals.get("key"), str
        ):
            return frame.f_locals["key"]
        frame = frame.f_back
    return "an answer"


class _CheckedFolderName:
    """The project folder's name template: renders only when every answer is valid."""

    def __init__(self, template: Any) -> None:
        self.template = template

    def render(self, *args: Any, **kwargs: Any) -> str:
        context = kwargs.get("cookiecutter", {})
        try:  # in place: every file, hook and .cruft.json renders from this same context
            source_sample.resolve(context)
        except source_sample.SourceSampleProblem as problem:
            raise AnswersRejected(validation.report([str(problem)])) from None
        errors = validation.problems(context)
        if errors:
            raise AnswersRejected(validation.report(errors))
        return self.template.render(*args, **kwargs)


def _sandboxed(environment: Environment) -> None:
    """Turn cookiecutter's environment into a sandbox in place (its class is cookiecutter's, so
    the sandbox is mixed in: the attributes SandboxedEnvironment.__init__ would set, then the
    class). Called while the environment is being built, before anything is compiled."""
    if isinstance(environment, SandboxedEnvironment):
        return
    environment.globals["range"] = safe_range
    environment.binop_table = dict(SandboxedEnvironment.default_binop_table)
    environment.unop_table = dict(SandboxedEnvironment.default_unop_table)
    environment.__class__ = _sandbox_class(type(environment))


@cache
def _sandbox_class(base: type) -> type:
    return type(f"Sandboxed{base.__name__}", (SandboxedEnvironment, base), {})


def config_file_in_use() -> Path | None:
    """The user config file of the cookiecutter (or cruft) call that is building this environment,
    as cookiecutter's get_user_config chose it. cookiecutter keeps no record of it, so it is read
    from that call's `config_file` argument."""
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(("cookiecutter.main", "cruft.")) and "config_file" in frame.f_locals:
            if frame.f_locals.get("default_config"):
                return None
            chosen = frame.f_locals["config_file"] or os.environ.get("COOKIECUTTER_CONFIG")
            path = Path(chosen).expanduser() if chosen else Path("~/.cookiecutterrc").expanduser()
            return path if path.is_file() else None
        frame = frame.f_back
    return None


def refuse_loose_config_file() -> None:
    path = config_file_in_use()
    if path is None:
        return
    try:
        strict_yaml.load(path.read_text(encoding="utf-8"))
    except strict_yaml.YamlProblem as problem:
        raise AnswersRejected(f"{validation.HEADING}\n  --config-file {path}: {problem}") from None


def guard(environment: Environment) -> None:
    """Sandbox `environment`, refuse template syntax in answers, check answers before writing."""
    refuse_loose_config_file()
    _sandboxed(environment)
    compile_string = environment.from_string

    def from_string(source: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(source, str):
            refuse_template_syntax(source)
        template = compile_string(source, *args, **kwargs)
        return _CheckedFolderName(template) if source == PROJECT_FOLDER else template

    environment.from_string = from_string  # type: ignore[method-assign]
