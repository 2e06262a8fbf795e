"""Summarize the tables of a local run, straight from their parquet folders (no Spark needed).

    medallion summary [--warehouse .local/warehouse]

Prints rows per table, quarantined rows per failed rule, rows per broken warn rule (from the
`_warned_rules` column silver keeps, so every rule counts exactly, whatever its SQL) and, per fact,
how many rows point at the unknown member (`<dim>_sk = -1`) of each dimension, the inferred members
per dimension, and the gold integrity checks that do not hold (`gold_integrity_checks`).
`medallion run-local` prints the same summary at the end of every run.
"""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medallion import project
from medallion import warehouse as tables_on_disk

UNKNOWN_SK = -1
INFERRED_MEMBERS = "inferred_members"  # the integrity row that counts them (integrity.py)


@dataclass
class Summary:
    rows: dict[str, int | None] = field(default_factory=dict)  # dataset -> rows (None: missing)
    quarantined: dict[str, Counter[str]] = field(default_factory=dict)  # table -> rule -> rows
    warned: dict[str, Counter[str]] = field(default_factory=dict)  # table -> rule -> rows
    unknown: dict[str, dict[str, int]] = field(default_factory=dict)  # fact -> <dim>_sk -> rows
    integrity: list[tuple[str, int, str | None]] = field(default_factory=list)  # check, failures
    inferred: dict[str, int] = field(default_factory=dict)  # dim_<t> -> inferred members


def read(warehouse: Path, dataset: str, columns: list[str] | None = None) -> Any:
    """The committed rows of the table (see tools.warehouse) as a pyarrow Table, or None if the
    run has not written it (yet), or a file of it is not whole."""
    return tables_on_disk.read_table(warehouse / dataset, columns)


def datasets(spec: Any) -> list[str]:
    if spec.role == "dimension":
        layers = [f"bronze_{spec.name}", f"silver_{spec.name}", f"silver_{spec.name}_quarantine"]
        return [*layers, f"dim_{spec.name}"]
    return [
        f"bronze_{spec.name}",
        f"silver_{spec.name}",
        f"silver_{spec.name}_quarantine",
        f"fact_{spec.name}",
    ]


def warn_counts(warned_rules: list[list[str] | None], spec: Any) -> Counter[str]:
    """Silver rows breaking each warn rule of `spec`, from silver's `_warned_rules` column
    (every warn rule is listed, with 0 when no row breaks it)."""
    counts: Counter[str] = Counter({rule.name: 0 for rule in spec.rules_with("warn")})
    for rules in warned_rules:
        counts.update(rules or [])
    return counts


def summarize(warehouse: Path, tables: Any) -> Summary:
    summary = Summary()
    for spec in tables.ALL_TABLES:
        for dataset in datasets(spec):
            summary.rows[dataset] = tables_on_disk.row_count(warehouse / dataset)
        quarantine = read(warehouse, f"silver_{spec.name}_quarantine", ["_failed_rules"])
        if quarantine is not None:
            counts: Counter[str] = Counter()
            for rules in quarantine.column("_failed_rules").to_pylist():
                counts.update(rules or [])
            summary.quarantined[spec.name] = counts
        if spec.rules_with("warn"):
            silver = read(warehouse, f"silver_{spec.name}", ["_warned_rules"])
            if silver is not None:
                warned = silver.column("_warned_rules").to_pylist()
                summary.warned[spec.name] = warn_counts(warned, spec)
        if spec.role == "fact":
            star = importlib.import_module(f"{project.package_name()}.star")
            # `<dim>_sk`, or `<column>_sk` for a dimension referenced twice (bill-to, ship-to)
            columns = [star.reference_sk_column(spec, column) for column in spec.references]
            fact = read(warehouse, f"fact_{spec.name}", columns)  # only the keys: facts are big
            if fact is not None:
                summary.unknown[spec.name] = {
                    column: fact.column(column).to_pylist().count(UNKNOWN_SK)
                    for column in fact.column_names
                }
    if (warehouse / "dim_date").is_dir():
        summary.rows["dim_date"] = tables_on_disk.row_count(warehouse / "dim_date")
    checks = read(warehouse, "gold_integrity_checks", ["check_id", "failures", "sample"])
    if checks is not None:
        for row in checks.to_pylist():
            if row["check_id"].endswith(f".{INFERRED_MEMBERS}"):  # a count, not a check
                summary.inferred[row["check_id"].split(".")[0]] = row["failures"]
            else:
                summary.integrity.append((row["check_id"], row["failures"], row["sample"]))
    return summary


def render(summary: Summary) -> str:
    """The summary as aligned plain-text tables."""
    sections: list[tuple[str, list[tuple[str, str, int | str]]]] = [
        (
            "rows per table",
            [
                (name, "", "missing or partial" if n is None else n)
                for name, n in summary.rows.items()
            ],
        ),
        (
            "quarantined rows per failed rule (a row can fail several)",
            [
                (f"silver_{table}_quarantine", rule, rows)
                for table, counts in summary.quarantined.items()
                for rule, rows in (sorted(counts.items()) or [("(none)", 0)])
            ],
        ),
        (
            "warn rules: rows kept in silver that break them",
            [
                (f"silver_{table}", rule, rows)
                for table, counts in summary.warned.items()
                for rule, rows in sorted(counts.items())
            ],
        ),
        (
            "inferred members: keys referenced before their dimension row arrived",
            [(table, "", count) for table, count in summary.inferred.items()],
        ),
        (
            "fact rows pointing at the unknown member (-1)",
            [
                (f"fact_{table}", column, rows)
                for table, counts in summary.unknown.items()
                for column, rows in counts.items()
            ],
        ),
    ]
    broken = [(check, count, sample) for check, count, sample in summary.integrity if count]
    if summary.integrity:
        passed = len(summary.integrity) - len(broken)
        rows = [(check, f"e.g. {sample}", count) for check, count, sample in broken]
        sections.append((f"gold integrity checks: {passed} of {len(summary.integrity)} hold", rows))
    lines = [(a, b, str(c)) for _, rows in sections for a, b, c in rows]
    width_a = max([len(a) for a, _, _ in lines] + [10])
    width_b = max([len(b) for _, b, _ in lines] + [1])
    out: list[str] = []
    for title, rows in sections:
        if not rows and not title.startswith("gold integrity"):
            continue
        out += ["", title] if out else [title]
        for a, b, c in rows:
            out.append(f"  {a:<{width_a}}  {b:<{width_b}}  {c!s:>7}")
    return "\n".join(out)


def main(warehouse: Path | None = None) -> int:
    """Print the summary of the tables under `warehouse` (default: the last `make run-local`)."""
    root = project.root()
    sys.path.insert(0, str(root / "src"))
    tables = importlib.import_module(f"{project.package_name()}.tables")
    print(render(summarize(warehouse or root / ".local" / "warehouse", tables)))
    return 0
