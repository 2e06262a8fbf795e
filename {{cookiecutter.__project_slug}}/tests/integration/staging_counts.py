"""Rows per table of a deployed target, against what tests/e2e/oracle.py expects of the same files.

`make test-staging` (CI, after landing sample_data/ in staging and running one update) uses it
through test_staging_gold.py; the medallion tool's tests/test_staging_counts.py runs it against
the local SQL warehouse of its tests/fake_warehouse.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from {{ cookiecutter.__package_name }} import tables as TABLES


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def deployed_tables(summary: dict[str, Any]) -> dict[str, str]:
    """Dataset name -> `catalog`.`schema`.`table` where the deployed pipeline publishes it, from
    `databricks bundle summary -o json`: bronze and silver in the pipeline's schema, gold in the
    gold schema."""
    schemas = summary["resources"]["schemas"]
    medallion, gold = schemas["medallion"], schemas["gold"]
    where = {"medallion": medallion, "gold": gold}
    placed = {}
    for spec in TABLES.ALL_TABLES:
        placed[f"bronze_{spec.name}"] = "medallion"
        placed[f"silver_{spec.name}"] = "medallion"
        placed[f"silver_{spec.name}_quarantine"] = "medallion"
        placed[f"{'dim' if spec.is_dimension else 'fact'}_{spec.name}"] = "gold"
    return {
        name: ".".join(
            quote(part) for part in (where[schema]["catalog_name"], where[schema]["name"], name)
        )
        for name, schema in placed.items()
    }


def expected_counts(expected: dict[str, Any]) -> dict[str, int]:
    """Dataset name -> rows, from the oracle's `expectations(landing)`."""
    counts = {}
    for spec in TABLES.ALL_TABLES:
        table = expected[spec.name]
        counts[f"bronze_{spec.name}"] = table.bronze
        counts[f"silver_{spec.name}"] = table.silver
        counts[f"silver_{spec.name}_quarantine"] = table.quarantined_rows
        counts[f"{'dim' if spec.is_dimension else 'fact'}_{spec.name}"] = table.gold
    return counts


def count_query(tables: dict[str, str]) -> str:
    """One statement that counts every table: `dataset, rows` per row."""
    parts = [
        f"SELECT '{name}' AS dataset, COUNT(*) AS row_count FROM {full_name}"
        for name, full_name in tables.items()
    ]
    return "\nUNION ALL\n".join(parts)


def count_rows(client: Any, warehouse_id: str, tables: dict[str, str]) -> dict[str, int]:
    """Run `count_query` on the warehouse (Statement Execution API, inline JSON rows)."""
    response = client.statement_execution.execute_statement(
        statement=count_query(tables), warehouse_id=warehouse_id, wait_timeout="50s"
    )
    state = response.status.state.value if response.status and response.status.state else None
    if state != "SUCCEEDED":
        error = response.status.error if response.status else None
        raise AssertionError(f"counting the tables ended {state}: {error and error.message}")
    rows: Iterable[list[str]] = response.result.data_array or []
    return {dataset: int(count) for dataset, count in rows}


def mismatches(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    """One line per table whose row count differs (or that is missing)."""
    return [
        f"{name}: {actual.get(name, 'missing')} rows, the oracle expects {rows}"
        for name, rows in expected.items()
        if actual.get(name) != rows
    ]
