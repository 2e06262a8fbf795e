"""bake.infer on TPC-H (tpchgen-cli csv, scale 0.01, all eight tables): the inferred star against
the hand-written `examples/tpch.yml`.

Same as the example: every table's role (orders is a dimension: lineitem references it, so it
cannot be a fact), every key (lineitem's `l_orderkey, l_linenumber` and partsupp's
`ps_partkey, ps_suppkey` found as the tightest unique pairs), every reference (nine, including
the nation -> region snowflake), lineitem's date column, date range, measures and attributes,
partsupp's measures and attributes, and every integer type.

Differences, each deliberate:
- decimals are `decimal(18,2)`, not `decimal(15,2)`: the files show at most 6 digits before the
  point, and the inference leaves room to grow up to 18 digits (still 64 bits) rather than
  guessing TPC-H's 15;
- `l_quantity` is `int`, not `decimal(15,2)`: every value in the files is a whole number;
- the expectations are suggestions from profiling, all `warn` (`has_<c>`, `<c>_range`,
  `<c>_values`), not the example's `positive_key` (fail), `positive_quantity` (drop) and
  `discount_is_a_rate` (warn);
- no table or column comments (the example documents `c_mktsegment` and each table).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bake import spec
from bake.infer import infer_folder, render_tables_yml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = yaml.safe_load((ROOT / "examples" / "tpch.yml").read_text())["default_context"]["tables"]
TYPE_DIFFERENCES = {"decimal(15,2)": "decimal(18,2)"}
COLUMN_DIFFERENCES = {("lineitem", "l_quantity"): "int"}
STRUCTURE = ("role", "keys", "references", "date_column", "date_range", "measures", "attributes")


@pytest.fixture(scope="module")
def tpch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tpch")
    tpchgen = Path(sys.executable).parent / "tpchgen-cli"
    subprocess.run(
        [tpchgen, "csv", "-s", "0.01", "--output-dir", folder], check=True, capture_output=True
    )
    return infer_folder(folder, progress=lambda line: None)


def _example_type(table: str, column: str, declared) -> str:
    type_ = declared["type"] if isinstance(declared, dict) else declared
    return COLUMN_DIFFERENCES.get((table, column), TYPE_DIFFERENCES.get(type_, type_))


def test_all_eight_tables(tpch):
    assert sorted(tpch.tables) == sorted(EXAMPLE)


@pytest.mark.parametrize("table", sorted(EXAMPLE))
def test_structure_matches_the_example(tpch, table):
    inferred, example = tpch.tables[table], {"role": "dimension", **EXAMPLE[table]}
    assert {f: inferred.get(f) for f in STRUCTURE} == {f: example.get(f) for f in STRUCTURE}


@pytest.mark.parametrize("table", sorted(EXAMPLE))
def test_types_match_the_example_but_for_the_documented_differences(tpch, table):
    expected = {c: _example_type(table, c, t) for c, t in EXAMPLE[table]["columns"].items()}
    assert tpch.tables[table]["columns"] == expected


def test_the_keys_and_references_carry_their_evidence(tpch):
    evidence = tpch.evidence["lineitem"]
    assert evidence["keys"] == (
        "60,175 rows, (l_orderkey, l_linenumber) unique, never null; no single column is"
    )
    assert evidence["references.l_orderkey"] == (
        "100.0% of 60,175 values found in orders.o_orderkey (same name as the key)"
    )
    assert tpch.evidence["orders"]["keys"] == "15,000 rows, unique, never null"
    assert tpch.evidence["orders"]["role"] == "dimension: referenced by lineitem"


def test_every_suggested_expectation_only_warns_and_quotes_its_column(tpch):
    for table in tpch.tables.values():
        for rule in table.get("expectations", {}).values():
            assert rule["action"] == "warn"
            assert rule["expr"].startswith("`")


def test_suggested_expectations_of_lineitem(tpch):
    rules = tpch.tables["lineitem"]["expectations"]
    assert rules["l_quantity_range"] == {"expr": "`l_quantity` BETWEEN 1 AND 50", "action": "warn"}
    assert rules["l_discount_range"]["expr"] == "`l_discount` BETWEEN 0 AND 0.1"
    assert rules["l_shipmode_values"]["expr"] == (
        "`l_shipmode` IN ('AIR', 'FOB', 'MAIL', 'RAIL', 'REG AIR', 'SHIP', 'TRUCK')"
    )
    assert "has_l_orderkey" not in rules  # a key: the pipeline's not_null_<key> covers it


def test_the_inferred_spec_is_valid_for_the_template(tpch):
    assert spec.validate("", tpch.tables, "csv") == []


def test_tables_yml_round_trips(tpch):
    assert yaml.safe_load(render_tables_yml(tpch)) == tpch.tables


def test_named_tables_only_but_judged_with_the_others(tpch):
    """`tables` limits the result, not the reading: orders stays a dimension (lineitem, not
    returned, references it)."""
    orders = infer_folder(tpch.folder, ["orders"], progress=lambda line: None)
    assert list(orders.tables) == ["orders"]
    assert orders.tables["orders"] == tpch.tables["orders"]
    assert orders.evidence["orders"]["role"] == "dimension: referenced by lineitem"


def test_where_each_table_was_read_from(tpch):
    source = tpch.sources["nation"]
    assert source["format"] == "csv" and source["rows"] == 25
    assert source["dialect"] == {"delimiter": ",", "quote": '"', "escape": '"'}
    assert [Path(file).name for file in source["files"]] == ["nation.csv"]
    # tpchgen-cli writes one file per table; the pipeline reads one folder per table
    assert tpch.notes["nation"] == [
        "the pipeline reads <landing>/nation/: land nation.csv in a folder named nation"
    ]
