"""Every dataset and column name the generated pipeline will create, and the collisions among them.

Names are derived (`<singular>_id` keys, `silver_<t>_checked` views, `<dimension>_sk` columns), so a
spec whose own names are each fine can still make two things with one name: a table `products`
beside `products_checked` (two `silver_products_checked`), a key `_load_id` from a table `_loads`
(a bronze audit column), a column `customers_sk` in `dim_customers`. `problems(tables)` lists each
collision once, naming both sides. Unity Catalog and Spark compare names ignoring case, and so do
the checks here. The names mirror the generated package (`ingest.AUDIT_COLUMNS`, `star`,
`flows.create_cdc_table`); the template tests bake projects and compare.
"""

from __future__ import annotations

from typing import Any

# Bronze adds these to every landed row (ingest.py), silver adds the rule outcomes (quality.py).
AUDIT_COLUMNS = ("_ingested_at", "_source_file", "_source_modified_at", "_load_id")
LANDING_COLUMNS = ("_corrupt_record", "_rescued_data")
SILVER_COLUMNS = ("_failed_rules", "_warned_rules")
SCD2_COLUMNS = ("__START_AT", "__END_AT", "is_current")
DATE_SK = "date_sk"
# tables.py names each table's spec by its upper-cased name. These would clash: the module's own
# names, and the one-letter names ruff refuses as ambiguous (E741); those get `_TABLE` after them.
TABLES_MODULE_NAMES = ("SOURCE_FORMAT", "ALL_TABLES", "SPECS", "INTEGRITY_CHECKS")
AMBIGUOUS_NAMES = ("I", "L", "O")


def spec_constant(table: str) -> str:
    """The tables.py constant of a table: customers -> CUSTOMERS, specs -> SPECS_TABLE."""
    name = table.upper()
    return f"{name}_TABLE" if name in TABLES_MODULE_NAMES + AMBIGUOUS_NAMES else name


def datasets(tables: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(dataset name, what makes it) for every table and view of the pipeline."""
    made = []
    for table in tables:
        t = table["name"]
        made += [
            (f"bronze_{t}", f"the bronze table of {t}"),
            (f"silver_{t}", f"the silver table of {t}"),
        ]
        made.append((f"silver_{t}_quarantine", f"the quarantine of {t}"))
        if table["sequence_by"]:
            made.append((f"silver_{t}_changes", f"the change-event view of {t} (AUTO CDC)"))
        elif not table["snapshot_by"]:
            made.append((f"silver_{t}_checked", f"the rule-checking view of {t}"))
        gold = "dim" if table["role"] == "dimension" else "fact"
        made.append((f"{gold}_{t}", f"the gold table of {t}"))
    if any(table_date_columns(table) for table in tables):
        made.append(("dim_date", "the calendar dimension"))
    made.append(("gold_integrity_checks", "the integrity checks"))
    return made


def table_date_columns(table: dict[str, Any]) -> list[str]:
    dated = [table["date_column"]] if table["date_column"] else []
    return dated + [
        c
        for c in table["attributes"]
        if table["columns"].get(c) in ("date", "timestamp", "timestamp_ntz")
    ]


def landed_fields(table: dict[str, Any]) -> list[tuple[str, str]]:
    """(field name in the landed files, what it is) for one table's bronze rows."""
    fields = [
        (
            table["sources"].get(column, column),
            f"column {column!r}"
            + (f" (landed as {table['sources'][column]!r})" if column in table["sources"] else ""),
        )
        for column in table["columns"]
    ]
    fields += [(name, "a bronze audit column") for name in (*AUDIT_COLUMNS, *LANDING_COLUMNS)]
    return fields


def gold_columns(table: dict[str, Any]) -> list[tuple[str, str]]:
    """(column name, what it is) for the table's silver and gold columns."""
    columns = [(column, f"column {column!r}") for column in table["columns"]]
    columns += [(name, "a silver rule-outcome column") for name in SILVER_COLUMNS]
    targets = list(table["references"].values())
    for column, dimension in table["references"].items():
        sk = f"{column}_sk" if targets.count(dimension) > 1 else f"{dimension}_sk"
        columns.append((sk, f"the surrogate key for reference {column!r}"))
    if table["role"] == "dimension":
        columns.append((f"{table['name']}_sk", "the dimension's surrogate key"))
        columns.append(("is_inferred", "the inferred-member flag"))
        if table["scd_type"] == 2:
            columns += [(name, "an SCD type 2 history column") for name in SCD2_COLUMNS]
    else:
        if not table["keys"]:
            columns.append((f"{table['name']}_sk", "the row identity of a fact with no key"))
        for column in table_date_columns(table):
            sk = DATE_SK if column == table["date_column"] else f"{column}_sk"
            columns.append((sk, f"the dim_date key of {column!r}"))
    return columns


def _duplicates(named: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(name, first thing, second thing) for each name given twice, ignoring case."""
    first: dict[str, str] = {}
    found = []
    for name, what in named:
        if name.lower() in first:
            found.append((name, first[name.lower()], what))
        else:
            first[name.lower()] = what
    return found


def problems(tables: list[dict[str, Any]]) -> list[str]:
    """One line per collision: `where: 'name' is both <one> and <other> -- rename one`."""
    constants = [(spec_constant(t["name"]), f"the tables.py name of {t['name']}") for t in tables]
    # Datasets and Python constants are separate namespaces: each is checked on its own.
    errors = [
        f"tables: {name!r} is both {one} and {other} -- rename one of the tables"
        for named in (datasets(tables), constants)
        for name, one, other in _duplicates(named)
    ]
    for table in tables:
        where = f"tables.{table['name']}"
        for column in table["columns"]:
            if column.startswith("_"):
                errors.append(
                    f"{where}.columns: {column!r} -- names starting with _ are kept for audit "
                    "columns (a key derived from a table name starting with _?); rename it"
                )
        for name, one, other in _duplicates(landed_fields(table)):
            errors.append(f"{where}.columns: the landed field {name!r} is both {one} and {other} "
                          "-- each column needs its own field (source)")  # fmt: skip
        for name, one, other in _duplicates(gold_columns(table)):
            errors.append(f"{where}.columns: {name!r} is both {one} and {other} -- rename the "
                          "column")  # fmt: skip
    return errors
