"""The one validator: every answer and the whole table spec, as the templates will render them.

cookiecutter calls it (through bake.jinja_guard) just before it creates the project folder, with
the answers exactly as rendering will see them (no JSON copy: a YAML `yes` is still `True`); the
pre-gen hook calls it again; `make apply-spec` and `make add-table` reach it through cruft. So a
config file, the command line, the prompts and tables.yml edits all meet the same rules.
"""

from __future__ import annotations

from typing import Any

from bake import answers, spec

HEADING = "The answers are not valid; nothing was generated:"


def problems(context: dict[str, Any]) -> list[str]:
    """One line per problem, each naming the field, the value and what would be valid."""
    errors = answers.validate(context)
    if answers.formatter_problem():
        return errors  # the spec's rules need sqlglot: say what to install first
    errors += spec.validate(
        context.get("table_names"), context.get("tables"), context.get("source_format")
    )
    output = context.get("_output_dir")
    if isinstance(output, str) and answers.text_problem(output):
        # cookiecutter renders the output folder into every path it writes
        errors.append(f"--output-dir: {output!r} -- {answers.text_problem(output)}")
    return errors


def report(errors: list[str]) -> str:
    return "\n".join([HEADING, *(f"  {error}" for error in errors)])
