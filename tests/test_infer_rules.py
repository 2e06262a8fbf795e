"""bake.infer's pure rules: Spark types from text, null markers, names, rounding, rendering and
merging `tables.yml` (no files read)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bake.infer import InferError, merge_into, render_tables_yml
from bake.infer.classify import classify, decimal_type, integer_type, split_markers
from bake.infer.expectations import round_outward
from bake.infer.model import InferredSpec
from bake.infer.names import clean, clean_table_name, reference_affinity, unique
from bake.infer.render import scalar

# --- types --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "-2", "+3", " 4 "], "integer"),
        (["1.50", "2", "-.25"], "decimal"),
        (["1e5", "2.5"], "double"),
        (["inf", "1.0"], "double"),
        (["2024-01-05", "2024-2-9"], "date"),
        (["2024-01-05 10:00", "2024-01-05T10:00:00.123"], "timestamp_ntz"),
        (["2024-01-05 10:00:00+02:00", "2024-01-05 10:00:00"], "timestamp"),  # one offset: instants
        (["2024-01-05T10:00:00Z"], "timestamp"),
        (["2024-01-05", "2024-01-05 10:00:00"], "timestamp_ntz"),
        (["true", "FALSE"], "boolean"),
        # Forms Spark's cast rejects (or reads differently) stay text:
        (["2024/01/05"], "string"),
        (["2023-02-29"], "string"),  # no such day
        (["2024-01-05 10:00+02:00"], "string"),  # Spark reads a zone only after the seconds
        (["1_000"], "string"),
        (["0x10"], "string"),
        (["yes", "no"], "string"),  # booleans only as true/false
        (["1", "0"], "integer"),  # not booleans
        (["007", "12"], "string"),  # leading zeros are part of a code
        (["."], "string"),
    ],
)
def test_classify(values, kind):
    assert classify(values).kind == kind


def test_leading_zeros_say_why():
    assert classify(["00123"]).note == "leading zeros (e.g. '00123') kept as text"


@given(st.lists(st.integers(-(2**70), 2**70), min_size=1))
def test_integers_keep_their_range(numbers):
    guess = classify({str(n) for n in numbers})
    assert (guess.kind, guess.minimum, guess.maximum) == ("integer", min(numbers), max(numbers))


@given(st.lists(st.decimals(-(10**9), 10**9, places=3, allow_nan=False), min_size=1))
def test_fixed_point_text_is_decimal_with_its_scale(values):
    texts = {f"{value:.3f}" for value in values}
    guess = classify(texts)
    assert guess.kind == "decimal" and guess.scale == 3
    assert guess.integer_digits == max(len(str(abs(int(v)))) if abs(v) >= 1 else 0 for v in values)


@given(st.lists(st.dates(date(1000, 1, 1), date(9999, 12, 31)), min_size=1))
def test_iso_dates(days):
    assert classify({day.isoformat() for day in days}).kind == "date"


@given(st.lists(st.datetimes(datetime(1000, 1, 1)), min_size=1), st.booleans())
def test_iso_timestamps(moments, with_offset):
    suffix = "+02:00" if with_offset else ""
    texts = {moment.isoformat(sep=" ", timespec="seconds") + suffix for moment in moments}
    assert classify(texts).kind == ("timestamp" if with_offset else "timestamp_ntz")


@pytest.mark.parametrize(
    ("minimum", "maximum", "identifier", "expected"),
    [
        (1, 50, False, "int"),
        (1, 50, True, "bigint"),  # identifiers grow
        (-(2**31), 2**31 - 1, False, "int"),
        (0, 2**31, False, "bigint"),
        (0, 2**63, False, "decimal(38,0)"),
    ],
)
def test_integer_type(minimum, maximum, identifier, expected):
    assert integer_type(minimum, maximum, identifier) == expected


@pytest.mark.parametrize(
    ("digits", "scale", "expected"),
    [(6, 2, "decimal(18,2)"), (0, 2, "decimal(18,2)"), (16, 2, "decimal(18,2)"),
     (17, 2, "decimal(38,2)"), (30, 8, "decimal(38,8)")],
)  # fmt: skip
def test_decimal_type(digits, scale, expected):
    assert decimal_type(digits, scale) == expected


# --- null markers --------------------------------------------------------------------------------


def test_a_marker_among_numbers_is_a_null_marker():
    guess, markers = split_markers({"1", "NA", "\\N", "3"})
    assert (guess.kind, markers) == ("integer", ["\\N", "NA"])


def test_an_ambiguous_marker_among_text_is_a_value():
    """`NA` is North America (or Namibia) in a text column; `NULL` is not ambiguous."""
    assert split_markers({"North", "NA", "South"})[1] == []
    assert split_markers({"x", "NULL"})[1] == ["NULL"]


def test_empty_string_is_a_marker_in_typed_columns():
    assert split_markers({"", "2024-01-05"}) == (classify(["2024-01-05"]), [""])


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("landed", "expected"),
    [
        ("Customer ID", "customer_id"),
        ("CustomerID", "customer_id"),
        ("customerId", "customer_id"),
        ("e-mail", "e_mail"),
        ("_op", "op"),
        ("2019 Sales", "col_2019_sales"),
        ("#", "col_3"),
        ("Größe (m²)", "grosse_m2"),
        ("HTTPStatus", "http_status"),
    ],
)
def test_clean(landed, expected):
    assert clean(landed, position=3) == expected


@given(st.text())
def test_clean_names_are_identifiers_the_spec_accepts(landed):
    from bake.answers import identifier_problem

    name = clean(landed, position=1)
    assert identifier_problem(name, allow_reserved=True) is None and not name.startswith("_")


def test_table_names_the_spec_reserves():
    assert clean_table_name("date") == "date_data"
    assert clean_table_name("orders_quarantine") == "orders_quarantine_data"
    assert clean_table_name("Order Items") == "order_items"


def test_collisions_after_cleaning_are_numbered():
    assert unique(["order_date", "Order_Date", "order_date"]) == [
        "order_date",
        "Order_Date_2",
        "order_date_3",
    ]


@pytest.mark.parametrize(
    ("column", "column_prefix", "table", "key", "key_prefix", "linked"),
    [
        ("l_orderkey", "l_", "orders", "o_orderkey", "o_", True),
        ("ship_to_customer_id", "", "customers", "customer_id", "", True),
        ("bill_to_customer", "", "customers", "id", "", True),
        ("store_code", "", "stores", "store_code", "", True),
        ("year", "", "calendar", "year_id", "", False),
        ("l_linenumber", "l_", "nation", "n_nationkey", "n_", False),
        ("customer_id", "", "stores", "id", "", False),  # ends with the generic `id` only
    ],
)
def test_reference_affinity(column, column_prefix, table, key, key_prefix, linked):
    assert bool(reference_affinity(column, column_prefix, table, key, key_prefix)) == linked


# --- expectations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "up", "expected"),
    [(104949.5, True, "110000"), (904, False, "900"), (-994.79, False, "-1000"),
     (0.1, True, "0.1"), (0, True, "0"), (50, True, "50"), (9987.71, True, "10000")],
)  # fmt: skip
def test_round_outward(value, up, expected):
    assert format(round_outward(value, up), "f") == expected


@given(st.decimals(-(10**12), 10**12, allow_nan=False, allow_infinity=False, places=4))
def test_round_outward_never_cuts_into_the_data(value):
    assert round_outward(value, up=False) <= value <= round_outward(value, up=True)


# --- rendering and merging -----------------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_entries = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["dimension", "fact"]),
        "keys": st.lists(_text, max_size=2),
        "null_values": st.lists(_text, max_size=3),
        "references": st.dictionaries(_text, _text, max_size=2),
        "date_range": st.lists(_text, min_size=2, max_size=2),
        "columns": st.dictionaries(
            _text, st.one_of(_text, st.fixed_dictionaries({"type": _text, "source": _text}))
        ),
        "expectations": st.dictionaries(
            _text, st.fixed_dictionaries({"expr": _text, "action": st.just("warn")})
        ),
    }
)


@given(st.dictionaries(_text, _entries, max_size=3), st.dictionaries(_text, _text))
def test_rendered_text_reads_back_to_the_same_tables(tables, evidence):
    """Whatever the names, sources, markers and evidence hold (quotes, `#`, `: `, newlines,
    YAML words like `null` and `yes`), the text loads back to the same mapping."""
    inferred = InferredSpec(
        Path("x\ny"),
        tables,
        {name: {"table": text, "keys": text, "role": text} for name, text in evidence.items()},
    )
    assert (yaml.safe_load(render_tables_yml(inferred)) or {}) == tables


@pytest.mark.parametrize(
    ("value", "written"),
    [("orders", "orders"), ("null", '"null"'), ("yes", '"yes"'), ("NA", "NA"),
     ("\\N", '"\\\\N"'), ("", '""'), ("decimal(18,2)", '"decimal(18,2)"')],
)  # fmt: skip
def test_scalars_stay_plain_only_when_they_read_back_the_same(value, written):
    assert scalar(value) == written


def _inferred() -> InferredSpec:
    tables = {
        "customers": {
            "role": "dimension",
            "keys": ["customer_id"],
            "columns": {"customer_id": "bigint"},
        },
        "orders": {
            "role": "fact",
            "keys": ["order_id"],
            "references": {"customer_id": "customers"},
            "columns": {"order_id": "bigint", "customer_id": "bigint"},
        },
    }
    evidence = {"orders": {"references.customer_id": "100.0% found", "keys": "unique"}}
    return InferredSpec(Path("landing"), tables, evidence)


EXISTING = """\
# our tables: hand-edited, keep this comment
customers:
  keys: [customer_id]   # we renamed nothing
  columns: {customer_id: bigint, name: string}
"""


def test_merge_appends_new_tables_and_keeps_the_text():
    merged = merge_into(EXISTING, _inferred())
    assert merged.text.startswith(EXISTING)
    assert (merged.added, merged.kept, merged.dropped_references) == (["orders"], ["customers"], [])
    loaded = yaml.safe_load(merged.text)
    assert loaded["customers"] == yaml.safe_load(EXISTING)["customers"]
    assert loaded["orders"] == _inferred().tables["orders"]
    assert "  keys: [order_id]  # unique\n" in merged.text


def test_merge_leaves_out_a_reference_to_a_table_the_file_lacks():
    merged = merge_into("", _inferred(), tables=["orders"])
    assert "references" not in yaml.safe_load(merged.text)["orders"]
    assert merged.dropped_references == [
        "orders.customer_id -> customers: customers is not in tables.yml (infer it too: "
        "TABLES=orders,customers)"
    ]
    assert "# note: customer_id looks like a reference to customers, left out" in merged.text


def test_merge_with_nothing_new_returns_the_file_unchanged():
    both = EXISTING + "orders:\n  keys: [order_id]\n"
    assert merge_into(both, _inferred()).text == both


@pytest.mark.parametrize(
    ("text", "message"),
    [("- a\n- b\n", "expected a mapping"), ("a: [\n", "not valid YAML")],
)
def test_merge_rejects_a_file_that_is_not_a_spec(text, message):
    with pytest.raises(InferError, match=message):
        merge_into(text, _inferred())


def test_merge_names_an_unknown_table():
    expected = "no inferred table lineitem -- inferred: customers, orders"
    with pytest.raises(InferError, match=expected):
        merge_into("", _inferred(), tables=["lineitem"])


def test_iso_timestamp_and_dates_in_one_column_are_timestamps():
    day = date(2024, 1, 5)
    texts = [day.isoformat(), (datetime(2024, 1, 5) + timedelta(hours=3)).isoformat(sep=" ")]
    assert classify(texts).kind == "timestamp_ntz"


def test_rendering_and_merging_import_without_duckdb_or_pyarrow():
    """The bake runs where cookiecutter runs: only reading files may need duckdb and pyarrow."""
    import subprocess
    import sys

    blocked = "import sys; sys.modules['duckdb'] = sys.modules['pyarrow'] = None; "
    code = blocked + "import bake.infer; from bake.infer import merge_into, render_tables_yml"
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
