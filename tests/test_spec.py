"""bake.spec and bake.spark_types: the normalized spec, its defaults, errors and JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bake import spark_types, spec, spec_schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = spec_schema.schema()
EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))


def example_tables(path: Path) -> dict:
    return yaml.safe_load(path.read_text())["default_context"]["tables"]


TPCH = {
    "customer": {
        "role": "dimension",
        "keys": ["c_custkey"],
        "scd_type": 1,
        "sequence_by": "updated_at",
        "columns": {"c_custkey": "bigint", "c_name": "string", "updated_at": "timestamp"},
        "expectations": {"valid_key": {"expr": "c_custkey IS NOT NULL", "action": "fail"}},
    },
    "orders": {
        "role": "fact",
        "keys": ["o_orderkey"],
        "references": {"o_custkey": "customer"},
        "date_column": "o_orderdate",
        "measures": ["o_totalprice"],
        "columns": {
            "o_orderkey": "bigint",
            "o_custkey": "bigint",
            "o_totalprice": "DECIMAL(15, 2)",
            "o_orderdate": "date",
        },
    },
}


def with_entry(name: str, **changes) -> dict:
    """TPCH with one table's entry changed (a value of None removes the key)."""
    tables = json.loads(json.dumps(TPCH))
    for key, value in changes.items():
        if value is None:
            tables[name].pop(key, None)
        else:
            tables[name][key] = value
    return tables


# --- names only ----------------------------------------------------------------------------------


def test_names_only_default_matches_the_contract():
    normalized = spec.normalize("customers, products, orders", {})
    assert normalized["dimensions"] == ["customers", "products"]
    assert normalized["facts"] == ["orders"]
    assert normalized["has_dim_date"] is True
    customers, products, orders = normalized["tables"]
    assert customers == {
        "name": "customers",
        "singular": "customer",
        "role": "dimension",
        "keys": ["customer_id"],
        "scd_type": 2,
        "sequence_by": "updated_at",
        "snapshot_by": None,
        "delete_when": "operation = 'DELETE'",
        "except_columns": ["operation"],
        "columns": {
            "customer_id": "bigint",
            "name": "string",
            "category": "string",
            "updated_at": "timestamp",
            "operation": "string",
        },
        # NULL keys and sequence values are the implicit not_null_* rules' business.
        "expectations": [{"name": "has_name", "expr": "name IS NOT NULL", "action": "warn"}],
        "sources": {},
        "null_values": [],
        "column_comments": {},
        "references": {},
        "date_column": None,
        "date_range": None,
        "measures": [],
        "attributes": [],
        "date_columns": [],
        "comment": "Customer records, one row per customer_id.",
    }
    assert products["scd_type"] == 1
    assert orders["role"] == "fact" and orders["scd_type"] is None
    assert list(orders["columns"]) == [
        "order_id", "customer_id", "product_id", "order_date", "quantity", "amount", "updated_at",
    ]  # fmt: skip
    assert orders["references"] == {"customer_id": "customers", "product_id": "products"}
    assert orders["date_column"] == "order_date"
    assert orders["date_range"] == ["1900-01-01", "2099-12-31"]
    assert orders["sequence_by"] == "updated_at" and orders["delete_when"] is None
    assert orders["measures"] == ["quantity", "amount"]
    assert [rule["name"] for rule in orders["expectations"]] == [
        "positive_quantity", "non_negative_amount",
    ]  # fmt: skip


def test_single_name_is_an_scd1_dimension_and_no_dim_date():
    normalized = spec.normalize(" categories ", None)
    (table,) = normalized["tables"]
    assert (table["name"], table["singular"], table["keys"]) == (
        "categories", "category", ["category_id"],
    )  # fmt: skip
    assert table["scd_type"] == 1
    assert normalized["facts"] == [] and normalized["has_dim_date"] is False


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("", "table_names: empty"),
        ("customers, Customers", "duplicate of 'customers'"),
        ("customers, customer", "share the singular"),
        ("customers, orders:facts", "'orders:facts' -- mark a table with :fact or :dimension"),
        ("customers, order-lines", "'order-lines' -- not a valid table name"),
        ("date, orders", "'date' -- reserved: the pipeline generates dim_date"),
        ("orders, orders_quarantine", "must not end in _quarantine"),
    ],
)
def test_bad_names(names, message):
    errors = spec.validate(names, {})
    assert any(message in error for error in errors), errors
    with pytest.raises(spec.SpecError):
        spec.normalize(names, {})


# --- full spec ---------------------------------------------------------------------------------


def test_full_spec_normalizes_with_defaults():
    normalized = spec.normalize("ignored, when, tables, given", TPCH)
    customer, orders = normalized["tables"]
    assert customer["scd_type"] == 1 and customer["delete_when"] is None
    assert customer["expectations"] == [
        {"name": "valid_key", "expr": "c_custkey IS NOT NULL", "action": "fail"}
    ]
    assert orders["columns"]["o_totalprice"] == "decimal(15,2)"  # canonical type string
    assert orders["expectations"] == []  # keys are covered by the implicit not_null_* rules
    assert orders["date_range"] == ["1900-01-01", "2099-12-31"]  # the default calendar
    assert orders["comment"] == "Order events, one row per o_orderkey."
    assert normalized["dimensions"] == ["customer"] and normalized["facts"] == ["orders"]


def test_cookiecutter_text_values_are_accepted():
    """cookiecutter renders every value of a dict answer to text: scd_type "2" means 2."""
    normalized = spec.normalize("", with_entry("customer", scd_type="2"))
    assert normalized["tables"][0]["scd_type"] == 2


def test_entry_without_columns_gets_generic_columns():
    normalized = spec.normalize("", {"stores": {}, "sales": {"role": "fact"}})
    stores, sales = normalized["tables"]
    assert stores["keys"] == ["store_id"] and "updated_at" in stores["columns"]
    assert sales["references"] == {"store_id": "stores"}


def test_expectation_shorthand_and_default_action():
    tables = with_entry("orders", expectations={"has_date": "o_orderdate IS NOT NULL"})
    rules = spec.normalize("", tables)["tables"][1]["expectations"]
    assert rules == [{"name": "has_date", "expr": "o_orderdate IS NOT NULL", "action": "drop"}]


BAD_SPECS = [
    (with_entry("customer", colour="red"), "tables.customer: unknown key 'colour' -- valid keys:"),
    (with_entry("customer", role="lookup"), "tables.customer.role: 'lookup' -- use dimension or"),
    (with_entry("orders", keys=None), "tables.orders.keys: missing -- a fact needs"),
    (with_entry("orders", keys=["o_id"]), "tables.orders.keys: 'o_id' -- not a declared column"),
    (
        with_entry("customer", sequence_by="changed_at"),
        "tables.customer.sequence_by: 'changed_at' -- not a declared column",
    ),
    (with_entry("customer", scd_type=3), "tables.customer.scd_type: 3 -- use 1 or 2"),
    (with_entry("orders", scd_type=2), "tables.orders.scd_type: only a dimension may set"),
    (with_entry("customer", measures=["c_custkey"]), "tables.customer.measures: only a fact"),
    (
        with_entry("customer", scd_type=2, sequence_by=None),
        "tables.customer.sequence_by: missing -- SCD type 2 needs",
    ),
    (
        with_entry("orders", references={"o_custkey": "nation"}),
        "tables.orders.references.o_custkey: 'nation' -- no such table",
    ),
    (
        with_entry("orders", references={"o_custkey": "orders"}),
        "tables.orders.references.o_custkey: 'orders' is a fact",
    ),
    (
        with_entry("orders", references={"o_clerk": "customer"}),
        "tables.orders.references: 'o_clerk' -- not a declared column",
    ),
    (with_entry("orders", date_column="o_when"), "tables.orders.date_column: 'o_when' -- not a"),
    (with_entry("orders", date_column="o_orderkey"), "'o_orderkey' is bigint -- use a date"),
    (with_entry("orders", measures=["o_orderdate"]), "'o_orderdate' is date -- measures must be"),
    (
        with_entry("orders", columns={**TPCH["orders"]["columns"], "o_note": "text"}),
        "tables.orders.columns.o_note: 'text' -- not a Spark SQL type (unknown type 'text')",
    ),
    (
        with_entry("orders", columns={**TPCH["orders"]["columns"], "o_x": "decimal(40,2)"}),
        "precision 40 is not between 1 and 38",
    ),
    (
        with_entry("orders", columns={**TPCH["orders"]["columns"], "_load": "int"}),
        "tables.orders.columns: '_load' -- names starting with _ are kept",
    ),
    (
        with_entry("orders", columns={**TPCH["orders"]["columns"], "o x": "int"}),
        "tables.orders.columns: 'o x' -- not a valid column name",
    ),
    (
        with_entry(
            "orders",
            columns={**TPCH["orders"]["columns"], "o_at": {"type": "date", "source": "When`"}},
        ),
        "tables.orders.columns.o_at.source: 'When`' -- must be one line without backticks",
    ),  # fmt: skip
    (
        with_entry(
            "orders",
            columns={**TPCH["orders"]["columns"], "o_at": {"type": "date", "format": "iso"}},
        ),
        "tables.orders.columns.o_at: unknown key 'format' -- valid keys: type, source, comment",
    ),  # fmt: skip
    (
        with_entry("orders", attributes=["o_custkey"]),
        "tables.orders.attributes: 'o_custkey' is a reference already -- gold keeps it",
    ),
    (
        with_entry("orders", attributes=["o_note"]),
        "tables.orders.attributes: 'o_note' -- not a declared column",
    ),
    (with_entry("customer", attributes=["c_name"]), "tables.customer.attributes: only a fact"),
    (
        with_entry("customer", references={"c_custkey": "customer"}),
        "tables.customer.references.c_custkey: 'customer' is this table -- a dimension cannot "
        "reference itself",
    ),
    (
        with_entry("customer", references={"c_custkey": "orders"}),
        "tables.customer.references.c_custkey: 'orders' is a fact -- references point at "
        "dimensions",
    ),
    (
        with_entry("customer", expectations={"ok": {"expr": "a > 0", "action": "stop"}}),
        "tables.customer.expectations.ok.action: 'stop' -- use warn, drop or fail",
    ),
    (
        with_entry("customer", expectations={"ok": {"expr": ""}}),
        "tables.customer.expectations.ok.expr: '' -- give a non-empty",
    ),
    (
        with_entry("customer", expectations={"ok": "a > 0; DROP TABLE x"}),
        "must not contain ';'",
    ),
    (with_entry("customer", expectations={"ok": "a > 0\nOR 1 = 1"}), "contains U+000A"),
    (
        with_entry("customer", expectations={"ok": "(c_custkey > 0"}),
        "tables.customer.expectations.ok.expr: '(c_custkey > 0' -- is not valid Spark SQL",
    ),
    (with_entry("customer", expectations={"ok": "c_name = 'x"}), "is not valid Spark SQL"),
    (with_entry("customer", expectations={"ok": "a = '${x}'"}), "must not contain '${'"),
    (with_entry("customer", expectations={"ok": {"sql": "a"}}), "unknown key 'sql'"),
    (with_entry("customer", delete_when="op = 'D"), 'tables.customer.delete_when: "op = \'D"'),
    (
        with_entry("customer", delete_when="c_name = 'x'", sequence_by=None),
        "tables.customer.delete_when: needs sequence_by -- deletes are applied in sequence order",
    ),
    (
        with_entry("customer", except_columns=["c_custkey"]),
        "tables.customer.except_columns: 'c_custkey' -- the pipeline needs it",
    ),
    (
        with_entry("orders", except_columns=["o_totalprice"]),
        "tables.orders.except_columns: 'o_totalprice' -- the pipeline needs it",
    ),
    (
        with_entry("customer", except_columns=["op"]),
        "tables.customer.except_columns: 'op' -- not a declared column",
    ),
    (
        with_entry("customer", snapshot_by="c_name", sequence_by=None),
        "tables.customer.snapshot_by: 'c_name' is string -- a snapshot version must be one of",
    ),
    (
        with_entry("customer", snapshot_by="updated_at"),
        "tables.customer.sequence_by: not with snapshot_by -- a snapshot source has no change",
    ),
    (
        with_entry("orders", snapshot_by="o_orderdate"),
        "tables.orders.snapshot_by: only a dimension",
    ),
    (
        with_entry("orders", date_range=["2020-01-01", "2019-12-31"]),
        "tables.orders.date_range: ['2020-01-01', '2019-12-31'] -- first must not be after last",
    ),
    (with_entry("orders", date_range=["2020-01-01"]), "-- give [first, last] as ISO dates"),
    (with_entry("orders", date_range=["soon", "later"]), "-- give [first, last] as ISO dates"),
    (
        with_entry("orders", date_column=None, date_range=["2020-01-01", "2030-01-01"]),
        "tables.orders.date_range: needs date_column",
    ),
    (
        with_entry("customer", expectations={"not_null_c_name": "c_name IS NOT NULL"}),
        "tables.customer.expectations: 'not_null_c_name' -- reserved for the pipeline's implicit",
    ),
    (
        with_entry("customer", expectations={"malformed_record": "true"}),
        "'malformed_record' -- reserved for the pipeline's implicit rules",
    ),
    (with_entry("customer", keys=[]), "tables.customer.keys: missing -- a dimension needs"),
    (
        with_entry("orders", keys=[], sequence_by="o_orderdate"),
        "tables.orders.sequence_by: not with keys: [] -- a fact with no key keeps every landed row",
    ),
    (with_entry("orders", null_values=[None]), "tables.orders.null_values: None -- quote it"),
    (with_entry("orders", null_values=[-1]), "tables.orders.null_values: -1 -- quote it"),
    (with_entry("orders", null_values=["N" * 33]), "-- give 1-32 characters"),
    (with_entry("orders", null_values=[""]), "-- give 1-32 characters"),
    (with_entry("orders", null_values={"NA": 1}), "-- give a list of markers, e.g. [NA, 'N/A']"),
    ({"customer": "dimension"}, "tables.customer: 'dimension' -- give a mapping"),
    ({"order-lines": {}}, "tables: 'order-lines' -- not a valid table name"),
    (["customer"], "tables: give a mapping"),
]


def test_a_fact_may_have_no_key_and_tables_may_declare_null_markers():
    tables = with_entry("orders", keys=[], null_values="NA")
    tables["customer"]["null_values"] = ["NA", "NA", "\\N", "null"]  # a repeat counts once
    normalized = {t["name"]: t for t in spec.normalize("", tables)["tables"]}
    assert normalized["orders"]["keys"] == []
    assert normalized["orders"]["null_values"] == ["NA"]
    assert normalized["customer"]["null_values"] == ["NA", "\\N", "null"]
    jsonschema.validate(with_entry("orders", keys=[], null_values=["NA"]), SCHEMA)


@pytest.mark.parametrize(("tables", "message"), BAD_SPECS)
def test_bad_specs_name_table_and_field(tables, message):
    errors = spec.validate("", tables)
    assert any(message in error for error in errors), errors


def test_reserved_words_are_names_a_table_and_its_columns_may_have():
    """Sources name columns `order`, `user` or `group`; the generated SQL quotes them."""
    tables = {
        "order": {
            "role": "fact",
            "keys": ["user"],
            "columns": {"user": "bigint", "group": "string", "select": "date"},
            "date_column": "select",
            "expectations": {"from": "`group` IS NOT NULL"},
        }
    }
    assert spec.validate("", tables) == []
    assert spec.validate("order, user:fact", {}) == []


def test_names_only_mode_takes_marked_facts():
    normalized = spec.normalize("stations, trips:fact, readings:fact", {})
    roles = {t["name"]: (t["role"], t["scd_type"], t["references"]) for t in normalized["tables"]}
    assert roles == {
        "stations": ("dimension", 2, {}),
        "trips": ("fact", None, {"station_id": "stations"}),
        "readings": ("fact", None, {"station_id": "stations"}),
    }
    assert spec.normalize("a:dimension, b:dimension", {})["facts"] == []


def test_columns_may_name_their_landed_source_and_a_comment():
    tables = with_entry(
        "customer",
        columns={
            "c_custkey": {"type": "bigint", "source": "CustomerID"},
            "c_name": "string",
            "updated_at": {"type": "timestamp", "source": "Created At", "comment": "Landed."},
            "e_mail": {"type": "string", "source": "e-mail"},
        },
    )
    customer = spec.normalize("", tables)["tables"][0]
    assert customer["columns"]["updated_at"] == "timestamp"
    assert customer["sources"] == {
        "c_custkey": "CustomerID",
        "updated_at": "Created At",
        "e_mail": "e-mail",
    }
    assert customer["column_comments"] == {"updated_at": "Landed."}


def test_dimensions_form_a_snowflake_without_cycles():
    columns = {"r": "int", "n": "int"}
    tables = {
        "region": {"keys": ["r"], "columns": columns, "references": {"n": "nation"}},
        "nation": {"keys": ["n"], "columns": columns, "references": {"r": "region"}},
    }
    assert spec.validate("", tables) == [
        "tables.nation.references.r: 'region' closes a cycle (region -> nation -> region) -- "
        "references between dimensions must form a tree"
    ]
    tables["region"]["references"] = {}
    assert spec.validate("", tables) == []


def test_date_attributes_are_role_playing_dates():
    tables = with_entry(
        "orders",
        columns={**TPCH["orders"]["columns"], "o_shipped": "date", "o_status": "string"},
        attributes=["o_shipped", "o_status"],
    )
    orders = spec.normalize("", tables)["tables"][1]
    assert orders["date_columns"] == ["o_orderdate", "o_shipped"]
    assert orders["date_range"] == ["1900-01-01", "2099-12-31"]


def test_facts_take_change_events_and_dimensions_full_snapshots():
    tables = with_entry(
        "orders",
        columns={**TPCH["orders"]["columns"], "o_status": "string", "changed_at": "timestamp"},
        sequence_by="changed_at",
        delete_when="o_status = 'cancelled'",
        date_range=["1992-01-01", "1998-12-31"],
    )
    tables["customer"] = {**tables["customer"], "sequence_by": None, "scd_type": 2}
    tables["customer"]["snapshot_by"] = "updated_at"
    customer, orders = spec.normalize("", tables)["tables"]
    assert (orders["sequence_by"], orders["delete_when"]) == (
        "changed_at",
        "o_status = 'cancelled'",
    )
    assert orders["except_columns"] == []  # o_status stays: only named event columns are left out
    assert orders["date_range"] == ["1992-01-01", "1998-12-31"]
    assert (customer["snapshot_by"], customer["sequence_by"], customer["scd_type"]) == (
        "updated_at", None, 2,
    )  # fmt: skip


@pytest.mark.parametrize("source_format", ["kafka", "delta"])
def test_snapshots_need_files(source_format):
    tables = with_entry("customer", snapshot_by="updated_at", sequence_by=None)
    assert spec.validate("", tables, "json") == []
    errors = spec.validate("", tables, source_format)
    assert [e for e in errors if not e.startswith("tables.orders.sequence_by")] == [
        f"tables.customer.snapshot_by: not with source_format {source_format!r} -- full "
        "snapshots land as files: use json, csv, parquet"
    ]


def test_a_delta_source_needs_a_sequence_for_every_table():
    """Delta rows have no file name or time: without sequence_by, the row kept per key would be
    whatever one micro-batch (a first load, a full refresh) happened to list last."""
    tables = with_entry("customer", sequence_by=None)
    assert spec.validate("", tables, "json") == []
    why = (
        "missing -- a Delta source gives rows no file name or time to order them by, so which "
        "row of a key is kept would be arbitrary: name the column that orders a key's rows "
        "(e.g. updated_at)"
    )
    assert spec.validate("", tables, "delta") == [
        f"tables.customer.sequence_by: {why}",
        f"tables.orders.sequence_by: {why}",
    ]
    assert spec.validate("customers, orders", {}, "delta") == []  # names only: updated_at


def test_reference_to_a_composite_key_dimension():
    tables = with_entry("customer", keys=["c_custkey", "c_name"])
    errors = spec.validate("", tables)
    assert errors == [
        "tables.orders.references.o_custkey: 'customer' has a composite key -- a reference needs "
        "a dimension with a single key column"
    ]


def test_spec_error_lists_every_problem():
    tables = with_entry("orders", keys=None, measures=["nope"])
    with pytest.raises(spec.SpecError) as raised:
        spec.normalize("", tables)
    assert len(raised.value.errors) == 2


# --- JSON Schema -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_valid(path):
    tables = example_tables(path)
    jsonschema.validate(tables, SCHEMA)
    assert spec.validate("", tables) == []


def test_schema_accepts_the_tpch_spec():
    jsonschema.validate(TPCH, SCHEMA)
    events = with_entry(
        "orders", sequence_by="o_orderdate", date_range=["1992-01-01", "1999-12-31"]
    )
    jsonschema.validate(events, SCHEMA)


@pytest.mark.parametrize(
    "tables",
    [
        with_entry("customer", colour="red"),
        with_entry("customer", role="lookup"),
        with_entry("customer", scd_type=3),
        with_entry("orders", keys=None),
        with_entry("orders", scd_type=1),
        with_entry("customer", measures=["c_custkey"]),
        with_entry("customer", expectations={"ok": {"expr": "a > 0", "action": "stop"}}),
        with_entry("customer", expectations={"ok": "a; b"}),
        with_entry("customer", expectations={"castable_c_name": "c_name IS NOT NULL"}),
        with_entry("orders", snapshot_by="o_orderdate"),
        with_entry("customer", date_range=["2020-01-01", "2030-01-01"]),
        with_entry("orders", date_range=["2020-01-01"]),
        {"order-lines": {}},
    ],
)
def test_schema_rejects_bad_specs(tables):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(tables, SCHEMA)
    assert spec.validate("", tables)  # and so does the bake-time check


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


# --- Spark types -------------------------------------------------------------------------------

TYPES = {
    "int": "int",
    "INTEGER": "int",
    "long": "bigint",
    "short": "smallint",
    "byte": "tinyint",
    "real": "float",
    "double": "double",
    "boolean": "boolean",
    "String": "string",
    "binary": "binary",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp_ntz": "timestamp_ntz",
    "decimal": "decimal(10,0)",
    "decimal(5)": "decimal(5,0)",
    "DECIMAL(15, 2)": "decimal(15,2)",
    "numeric(38,38)": "decimal(38,38)",
    "varchar(20)": "varchar(20)",
    "char(3)": "char(3)",
    "array<string>": "array<string>",
    "map<string, array<int>>": "map<string,array<int>>",
    "struct<a: int, b string, c: array<struct<d:date>>>": (
        "struct<a:int,b:string,c:array<struct<d:date>>>"
    ),
}
BAD_TYPES = [
    "", "text", "int(3)", "decimal(0,0)", "decimal(39,0)", "decimal(5,6)", "varchar", "varchar(0)",
    "array<>", "array<int", "map<int>", "struct<>", "struct<a:int,a:int>", "int; DROP", "list<int>",
    "varchar(99999999999)", "char(2147483648)", "map<map<string,int>,int>",
]  # fmt: skip


# Spark's parser accepts these, but no useful column has such a type: we refuse them on purpose.
STRICTER_THAN_SPARK = {"", "decimal(0,0)", "varchar(0)", "struct<>", "struct<a:int,a:int>"}
# Spark's DDL parser reads these, but Spark refuses the type where a pipeline uses it (checked in
# test_spark_refuses_the_map_keys_we_refuse).
REFUSED_WHEN_USED = {"map<map<string,int>,int>"}


@pytest.mark.parametrize(("text", "expected"), TYPES.items())
def test_canonical_types(text, expected):
    assert spark_types.canonical(text) == expected


@pytest.mark.parametrize("text", BAD_TYPES)
def test_bad_types(text):
    with pytest.raises(ValueError):
        spark_types.canonical(text)


def test_numeric():
    assert spark_types.is_numeric("decimal(12,2)") and spark_types.is_numeric("bigint")
    assert not spark_types.is_numeric("string") and not spark_types.is_numeric("date")


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_agrees_with_the_bake_time_parser(spark):
    """pyspark's own DDL parser reads our canonical strings as the same types, and rejects ours."""
    from pyspark.sql.types import DataType

    for text, expected in TYPES.items():
        parsed = DataType.fromDDL(text)
        ours = DataType.fromDDL(expected)
        assert parsed == ours, (text, parsed, ours)
    for text in BAD_TYPES:
        if text in STRICTER_THAN_SPARK | REFUSED_WHEN_USED:
            continue
        with pytest.raises(Exception):  # noqa: B017  (Spark raises its own parse errors)
            DataType.fromDDL(text)


@pytest.mark.parametrize(
    ("type_", "error_class"),
    [
        ("map<map<string,int>,int>", "INVALID_JSON_MAP_KEY_TYPE"),
        ("map<int,string>", "INVALID_JSON_MAP_KEY_TYPE"),
        ("struct<a:map<array<int>,int>>", "INVALID_JSON_MAP_KEY_TYPE"),
    ],
)
def test_spark_refuses_the_map_keys_we_refuse(spark, type_, error_class):
    """Spark's own analysis refuses these map keys; the bake refuses a map key holding a map for
    every source, and any complex column for text sources (silver casts text)."""
    with pytest.raises(Exception, match=error_class):  # noqa: B017
        spark.sql(f"SELECT from_json('{{}}', 'c {type_}')").collect()
    tables = with_entry("customer", columns={**TPCH["customer"]["columns"], "c": type_})
    assert any("tables.customer.columns.c" in error for error in spec.validate("", tables, "json"))
    spark.sql("SELECT from_json('{}', 'c map<string,array<int>>')").collect()  # this one is fine


def test_the_schema_is_built_from_the_validators_definitions(monkeypatch):
    """One definition of a table entry: the schema's fields, roles, actions and limits are
    bake/spec.py's; a field the validator gains without a schema fails the build."""
    table = SCHEMA["$defs"]["table"]
    assert tuple(table["properties"]) == spec.ENTRY_KEYS
    assert table["properties"]["role"]["enum"] == list(spec.ROLES)
    expectation = table["properties"]["expectations"]["additionalProperties"]["oneOf"][1]
    assert expectation["properties"]["action"]["enum"] == list(spec.ACTIONS)
    marker = table["properties"]["null_values"]["oneOf"][0]
    assert marker["maxLength"] == spec.MAX_NULL_VALUE
    monkeypatch.setattr(spec, "ENTRY_KEYS", (*spec.ENTRY_KEYS, "owner"))
    with pytest.raises(ValueError, match="owner"):
        spec_schema.schema()
