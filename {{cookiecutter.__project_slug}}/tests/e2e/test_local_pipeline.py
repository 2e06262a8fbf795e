"""End to end: the real local engine on the sample data, checked against plain Python.

The pipeline runs as `medallion run-local` does for `make run-local`, on a copy of
`sample_data/` and with its own state dir, so it never touches `.local/` and can run beside a
manual run. Then one new landing file per table arrives (from `tests/e2e/increment/`) and
the pipeline runs again: bronze must grow by exactly those rows (the streaming tables read only
the new files), and every gold number must match what this file computes from the landing files
and their `_manifest.json` with plain Python (no Spark), using the documented semantics. Last (the
fixture `reruns`, which only the last tests request), a run with nothing new must change nothing,
and a full refresh of the existing tables must rebuild the same tables from all the files.

The semantics are those of `tests/e2e/oracle.py`.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.__package_name }} import tables as TABLES

from .oracle import SPECS, UNKNOWN, as_day, landed_rows, parse, sk_column
from .runs import contents, run_pipeline, table, table_names

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
INCREMENT = Path(__file__).resolve().parent / "increment"  # the next landing file per table


# --- the checks ----------------------------------------------------------------------------------

TABLE_NAMES = [spec.name for spec in TABLES.ALL_TABLES]


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_first_run_matches_the_sample_data(runs: dict[str, Any], name: str) -> None:
    first = runs["first"][name]
    assert len(first["bronze"]) == first["expected"].bronze


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_second_run_reads_only_the_new_file(runs: dict[str, Any], name: str) -> None:
    bronze = table(runs["state"], f"bronze_{name}")
    new_rows = (
        len(landed_rows(runs["landing"], SPECS[name])) - runs["first"][name]["expected"].bronze
    )
    assert len(runs["new_files"][name]) == 1
    assert new_rows > 0
    # Re-reading old files would duplicate their rows; only the new file's rows may be added,
    # all in one new load.
    assert len(bronze) == runs["first"][name]["expected"].bronze + new_rows
    old_loads = {row["_load_id"] for row in runs["first"][name]["bronze"]}
    new_loads = Counter(row["_load_id"] for row in bronze if row["_load_id"] not in old_loads)
    assert list(new_loads.values()) == [new_rows]
    new_file = runs["new_files"][name][0].name
    assert all(
        row["_source_file"].endswith(new_file) for row in bronze if row["_load_id"] in new_loads
    )


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_quarantine_holds_every_dropped_row_with_its_rules(runs: dict[str, Any], name: str) -> None:
    expected = runs["expected"][name]
    quarantine = table(runs["state"], f"silver_{name}_quarantine")
    assert len(quarantine) == expected.quarantined_rows
    assert (
        Counter(rule for row in quarantine for rule in row["_failed_rules"]) == expected.quarantined
    )


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_quarantine_keeps_the_text_of_records_that_do_not_parse(
    runs: dict[str, Any], name: str
) -> None:
    quarantine = table(runs["state"], f"silver_{name}_quarantine")
    texts = sorted(
        row["_corrupt_record"] for row in quarantine if "malformed_record" in row["_failed_rules"]
    )
    assert texts == runs["expected"][name].malformed_texts
    # Not in a snapshot: a row whose key is unknown stops the update (tests/unit/test_cdc.py).
    if TABLES.SOURCE_FORMAT in ("json", "csv", "kafka") and not SPECS[name].snapshot_by:
        assert texts, "the sample data has a malformed record for every text format"


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_silver_shows_which_rows_break_a_warn_rule(runs: dict[str, Any], name: str) -> None:
    silver = table(runs["state"], f"silver_{name}")
    actual = Counter(rule for row in silver for rule in row["_warned_rules"])
    assert actual == runs["expected"][name].warned
    for rule in SPECS[name].rules_with("warn"):  # the run summary counts every rule exactly
        count = runs["expected"][name].warned[rule.name]
        assert re.search(rf"silver_{name}\s+{rule.name}\s+{count}\n", runs["summary"])


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_silver_and_gold_row_counts(runs: dict[str, Any], name: str) -> None:
    expected = runs["expected"][name]
    prefix = "dim" if SPECS[name].role == "dimension" else "fact"
    assert len(table(runs["state"], f"silver_{name}")) == expected.silver
    assert len(table(runs["state"], f"{prefix}_{name}")) == expected.gold


@pytest.mark.parametrize("name", [s.name for s in TABLES.ALL_TABLES if s.role == "dimension"])
def test_dimension_members_and_unknown_row(runs: dict[str, Any], name: str) -> None:
    spec, expected = SPECS[name], runs["expected"][name]
    dim = table(runs["state"], f"dim_{name}")
    unknown = [row for row in dim if row[f"{name}_sk"] == UNKNOWN]
    assert len(unknown) == 1 and not unknown[0]["is_inferred"]
    real = [row for row in dim if row not in unknown and not row["is_inferred"]]
    members = Counter(tuple(row[k] for k in spec.keys) for row in real)
    want = Counter({key: len(v) for key, v in (expected.members or {}).items() if v})
    assert members == want
    inferred = [row for row in dim if row["is_inferred"]]
    assert {tuple(row[k] for k in spec.keys) for row in inferred} == expected.inferred
    assert len(inferred) == len(expected.inferred), "one inferred member per key"
    assert len({row[f"{name}_sk"] for row in dim}) == len(dim), "surrogate keys must be unique"


def expected_fact(spec: Any, want: dict[str, Any], inferred: dict[str, set]) -> tuple:
    """What the oracle says a gold fact row holds: see `gold_fact`."""
    resolved = []
    for column, dimension in spec.references.items():
        ref = want[f"__ref_{column}"]
        if ref is None:
            resolved.append(UNKNOWN)
            continue
        key, start = ref
        if start is None and key in inferred[dimension]:
            resolved.append((key, "inferred"))
        else:
            resolved.append((key, start if SPECS[dimension].scd_type == 2 else None))
    days = [as_day(want[column]) for column in spec.date_columns]
    dates = [int(day.strftime("%Y%m%d")) if day else UNKNOWN for day in days]
    return fact_signature(spec, want, resolved, [want[c] for c in spec.attributes], dates)


def gold_fact(spec: Any, got: dict[str, Any], dims: dict[str, dict[int, dict]]) -> tuple:
    """A gold fact row with each surrogate key replaced by the member it points at: its natural
    key and version start, "inferred" for an inferred member, -1 for the unknown member."""
    resolved = []
    for column, dimension in spec.references.items():
        sk, dim_spec = got[sk_column(spec, column)], SPECS[dimension]
        if sk == UNKNOWN:
            resolved.append(UNKNOWN)
            continue
        member = dims[dimension][sk]
        key = tuple(member[k] for k in dim_spec.keys)
        if member["is_inferred"]:
            resolved.append((key, "inferred"))
        elif dim_spec.scd_type == 2 and dim_spec.snapshot_by:
            resolved.append((key, member["__START_AT"]))
        elif dim_spec.scd_type == 2:
            sequence_type = dim_spec.columns[dim_spec.sequence_by]
            resolved.append((key, parse(member["__START_AT"], sequence_type)))
        else:
            resolved.append((key, None))
    attributes = [parse(got[c], spec.columns[c]) for c in spec.attributes]
    dates = [got[date_key] for date_key in date_keys(spec)]
    return fact_signature(spec, got, resolved, attributes, dates)


def date_keys(spec: Any) -> list[str]:
    return ["date_sk" if c == spec.date_column else f"{c}_sk" for c in spec.date_columns]


def fact_signature(
    spec: Any, row: dict[str, Any], resolved: list, attributes: list, dates: list
) -> tuple:
    measures = [None if row[m] is None else Decimal(str(row[m])) for m in spec.measures]
    keys = [row[k] for k in spec.keys]
    return (*keys, *resolved, *dates, *attributes, *measures)


@pytest.mark.parametrize("name", [s.name for s in TABLES.ALL_TABLES if s.role == "fact"])
def test_fact_rows_resolve_like_the_oracle(runs: dict[str, Any], name: str) -> None:
    """Every gold fact row, compared as a whole with the oracle's: keys, the member each
    reference resolves to (by date for SCD2, inferred or unknown), date keys, attributes and
    measures. As a multiset, so a fact with no key (an event log) is checked duplicates and
    all."""
    spec, expected = SPECS[name], runs["expected"][name]
    gold = table(runs["state"], f"fact_{name}")
    dims = {
        d: {row[f"{d}_sk"]: row for row in table(runs["state"], f"dim_{d}")}
        for d in set(spec.references.values())
    }
    inferred = {d: runs["expected"][d].inferred for d in dims}
    want = Counter(expected_fact(spec, row, inferred) for row in expected.facts or [])
    got = Counter(gold_fact(spec, row, dims) for row in gold)
    assert got == want, (
        f"missing: {list((want - got).elements())[:3]}, extra: {list((got - want).elements())[:3]}"
    )
    if not spec.keys:
        identities = {row[f"{name}_sk"] for row in gold}
        assert len(identities) == len(gold), "each row of a fact with no key has its own sk"


def test_snowflaked_dimensions_point_at_current_referenced_members(runs: dict[str, Any]) -> None:
    """Every `<dim>_sk` of a dimension that references another (none in a plain star)."""
    for spec in TABLES.ALL_TABLES:
        if spec.role == "dimension":
            check_snowflake(runs, spec)


def check_snowflake(runs: dict[str, Any], spec: Any) -> None:
    name = spec.name
    dim = table(runs["state"], f"dim_{name}")
    for column, dimension in spec.references.items():
        referenced = table(runs["state"], f"dim_{dimension}")
        key = SPECS[dimension].keys[0]
        sk = f"{dimension}_sk"
        current = {
            row[key]: row[sk]
            for row in referenced
            if row[sk] != UNKNOWN and row.get("__END_AT") is None
        }
        for row in dim:
            expected = current.get(row[column], UNKNOWN) if row[column] is not None else UNKNOWN
            assert row[sk_column(spec, column)] == expected, (name, column, row[column])


def test_dim_date_covers_every_fact_date(runs: dict[str, Any]) -> None:
    if not (runs["state"] / "warehouse" / "dim_date").exists():
        pytest.skip("no fact has a date column")
    days = {
        as_day(row[column])
        for spec in TABLES.ALL_TABLES
        if spec.role == "fact"
        for column in spec.date_columns
        for row in runs["expected"][spec.name].facts or []
        if row[column] is not None
    }
    dim_date = table(runs["state"], "dim_date")
    assert len(dim_date) == (max(days) - min(days)).days + 1 + 1  # every day, plus unknown


def test_run_prints_a_summary(runs: dict[str, Any]) -> None:
    summary = runs["summary"]
    for spec in TABLES.ALL_TABLES:
        assert f"bronze_{spec.name}" in summary
    assert "unknown member" in summary
    for spec in TABLES.ALL_TABLES:
        expected = runs["expected"][spec.name]
        for column in spec.references if spec.role == "fact" else ():
            unknown = sum(1 for row in expected.facts or [] if row[f"__ref_{column}"] is None)
            line = rf"fact_{spec.name}\s+{sk_column(spec, column)}\s+{unknown}\n"
            assert re.search(line, summary), line
        if expected.inferred:
            line = rf"dim_{spec.name}\s+{len(expected.inferred)}\n"
            assert re.search(line, summary), line
    checks = re.search(r"gold integrity checks: (\d+) of (\d+) hold", summary)
    assert checks and checks.group(1) == checks.group(2), "every integrity check holds"


# --- re-runs: nothing new, then a full refresh (these run last: they change the tables) ---------


@pytest.fixture(scope="module")
def reruns(runs: dict[str, Any]) -> dict[str, Any]:
    state, landing = runs["state"], runs["landing"]
    warehouse = state / "warehouse"
    files = {str(path): path.stat().st_mtime_ns for path in warehouse.rglob("*") if path.is_file()}
    before = {name: contents(state, name) for name in table_names()}
    unchanged = run_pipeline(landing, state)
    files_after = {
        str(path): path.stat().st_mtime_ns for path in warehouse.rglob("*") if path.is_file()
    }
    refreshed = run_pipeline(landing, state, "--full-refresh")
    return {
        "unchanged_output": unchanged,
        "files_unchanged": files == files_after,
        "before": before,
        "after": {name: contents(state, name) for name in table_names()},
        "refreshed_output": refreshed,
    }


def test_a_run_with_nothing_new_changes_nothing(reruns: dict[str, Any]) -> None:
    assert "nothing changed since the run that finished" in reruns["unchanged_output"]
    assert "rows per table" in reruns["unchanged_output"]  # the summary, from the tables
    assert reruns["files_unchanged"]


@pytest.mark.parametrize("name", table_names())
def test_a_full_refresh_of_existing_tables_rebuilds_the_same_rows(
    reruns: dict[str, Any], name: str
) -> None:
    """Every table recomputed from all landing files in one run equals what the first run plus
    the incremental one built (bronze: one row per landed row, none read twice)."""
    assert "(full refresh)" in reruns["refreshed_output"]
    assert reruns["after"][name] == reruns["before"][name]
