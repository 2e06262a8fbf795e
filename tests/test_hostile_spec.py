"""Hostile and careless specs and answers, checked without baking (issue 19).

Each case names what it breaks when the check is reverted; test_hostile_bakes.py runs the same
kind of input through cookiecutter itself.
"""

from __future__ import annotations

import time

import pytest
from test_answers import default_answers
from test_spec import TPCH, with_entry

from bake import answers, expressions, generated_names, spark_types, spec, strict_yaml

# --- YAML: aliases, duplicate keys, booleans ------------------------------------------------------

ALIAS_BOMB = "\n".join(
    [
        'a: &a ["x","x","x","x","x","x","x","x","x"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


def test_an_alias_bomb_is_refused_at_once():
    assert len(ALIAS_BOMB) < 450  # 9**9 strings once expanded
    started = time.perf_counter()
    with pytest.raises(strict_yaml.YamlProblem, match=r"line 1: anchors and aliases"):
        strict_yaml.load(ALIAS_BOMB)
    assert time.perf_counter() - started < 1


def test_duplicate_keys_are_refused_with_both_lines():
    text = "customers:\n  role: dimension\norders: {}\ncustomers:\n  role: fact\n"
    with pytest.raises(strict_yaml.YamlProblem) as raised:
        strict_yaml.load(text)
    assert str(raised.value) == "line 4: duplicate key 'customers' (first given on line 1)"


def test_yaml_booleans_that_collide_say_why():
    with pytest.raises(strict_yaml.YamlProblem, match="YAML reads yes/no/on/off"):
        strict_yaml.load("t:\n  columns: {yes: int, on: int}\n")


def test_tables_given_as_text_are_read_strictly():
    """`make apply-spec` sends tables.yml as text: the template reads it, so the same rules hold."""
    good = "customers: {}\norders: {role: fact}\n"
    assert spec.validate("", good) == []
    assert [t["name"] for t in spec.normalize("", good)["tables"]] == ["customers", "orders"]
    assert spec.validate("", "customers: {}\ncustomers: {role: fact}\n") == [
        "tables (tables.yml): line 2: duplicate key 'customers' (first given on line 1)"
    ]
    assert spec.validate("", "a: &x {}\nb: *x\n")[0].startswith("tables (tables.yml): line 1:")
    assert spec.validate("", "# only comments\n") == [
        "tables (tables.yml): give a mapping of table name -> spec (see README)"
    ]


@pytest.mark.parametrize(
    ("tables", "where"),
    [
        ({True: {}}, "tables: True -- YAML read this name as True"),
        ({"t": {"keys": ["k"], "columns": {"k": "int", None: "int"}}}, "tables.t.columns: None"),
        (
            with_entry("customer", expectations={True: "c_custkey > 0"}),
            "tables.customer.expectations: True -- YAML read",
        ),
    ],
)
def test_yaml_booleans_and_nulls_as_names_are_refused(tables, where):
    errors = spec.validate("", tables)
    assert any(error.startswith(where) for error in errors), errors
    assert any("quote it" in error for error in errors)


# --- template syntax and invisible characters -----------------------------------------------------

JINJA = ["{{ 7*7 }}", "{% raw %}{{ x }}{% endraw %}", "{# x #}", "{{ cycler.__init__ }}"]


@pytest.mark.parametrize("text", JINJA)
@pytest.mark.parametrize(
    "place",
    ["comment", "column comment", "source", "table name", "expression", "column type"],
)
def test_template_syntax_is_refused_in_every_spec_string(text, place):
    tables = with_entry("customer")
    customer = tables["customer"]
    if place == "comment":
        customer["comment"] = f"Customers {text}"
    elif place == "column comment":
        customer["columns"]["c_name"] = {"type": "string", "comment": text}
    elif place == "source":
        customer["columns"]["c_name"] = {"type": "string", "source": text}
    elif place == "table name":
        tables[text] = {}
    elif place == "expression":
        customer["expectations"] = {"ok": f"c_name = '{text}'"}
    else:
        customer["columns"]["c_name"] = f"string{text}"
    errors = spec.validate("", tables)
    assert any("template syntax is never evaluated" in error for error in errors), errors


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066", "\x00", "\u2028"])
def test_invisible_characters_are_refused(char):
    errors = spec.validate("", with_entry("customer", comment=f"Customers{char}"))
    assert any(f"contains U+{ord(char):04X}" in error for error in errors), errors
    errors = answers.validate({**default_answers(), "engineers_group": f"eng{char}ineers"})
    assert [error.split(":")[0] for error in errors] == ["engineers_group"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("databricks_profile", "--help"),
        ("databricks_profile", "-p"),
        ("workspace_host", "https://my-workspace.cloud.databricks.com:"),
        ("workspace_host", "https://my-workspace.cloud.databricks.com?#"),
        ("workspace_host", "https://my-workspace.cloud.databricks.com#"),
        ("source_format", "JSON"),
        ("pipeline_mode", "Triggered"),
        ("table_names", "customers, {{ 7*7 }}"),
        ("catalog", True),
    ],
)
def test_careless_answers(field, value):
    errors = answers.validate({**default_answers(), field: value})
    errors += spec.validate(value if field == "table_names" else "customers", {})
    assert [error.split(":")[0] for error in errors] == [field], errors


def test_the_bake_needs_the_pinned_ruff(monkeypatch):
    assert answers.formatter_problem() is None  # this environment has it
    monkeypatch.setattr(answers, "RUFF_VERSION", "0.0.1")
    assert answers.formatter_problem().endswith(
        "pip install ruff==0.0.1 sqlglot beside cookiecutter"
    )
    monkeypatch.setattr(answers.importlib.util, "find_spec", lambda name, *args: None)
    assert answers.formatter_problem().startswith(
        "ruff: the bake needs ruff 0.0.1 (it has 0.17.6) and sqlglot in the Python running"
    )


# --- expressions ----------------------------------------------------------------------------------

BAD_EXPRESSIONS = {
    "c_custkey > 0 --": "must not contain an SQL comment",
    "c_custkey > 0 /* x */": "must not contain an SQL comment",
    "c_custkey > 0 /*": "is not valid Spark SQL",
    'c_name <> "abc': "is not valid Spark SQL",
    "c_name = ')' OR (1 = 1": "is not valid Spark SQL",
    "c_custkey > 0), false) OR (true": "is not valid Spark SQL",
    "c_custkey > 0; DROP TABLE x": "must not contain ';'",
    "c_custkey IN (SELECT 1)": "must not contain a query",
    "c_custkey + 1": "is not a boolean expression",
    "'yes'": "is not a boolean expression",
    "c_custkey AND c_name": "is not a boolean expression",
    "c_custkey AS ok": "is not a boolean expression",
    "c_nope IS NOT NULL": "'c_nope' is not a declared column",
    "other.c_custkey > 0": "'other.c_custkey' is not a declared column",
    "c_name RLIKE '\\\\d'": "must not contain '\\\\'",
}


@pytest.mark.parametrize(("expr", "message"), BAD_EXPRESSIONS.items())
def test_expressions_are_parsed_not_pattern_matched(expr, message):
    errors = spec.validate("", with_entry("customer", expectations={"rule_x": expr}))
    assert errors == [
        f"tables.customer.expectations.rule_x.expr: {expr!r} -- {errors[0].split(' -- ', 1)[1]}"
    ]
    assert message in errors[0]
    delete = spec.validate("", with_entry("customer", delete_when=expr))
    assert delete and delete[0].startswith("tables.customer.delete_when: ") and message in delete[0]


@pytest.mark.parametrize(
    "expr",
    [
        'c_name <> "abc"',
        "`c_name` IS NOT NULL AND c_custkey BETWEEN 1 AND 10",
        "c_name IN ('a', 'b') OR NOT (c_custkey > 0)",
        "isnotnull(c_name)",
        "CASE WHEN c_custkey > 0 THEN true ELSE false END",
        "C_NAME LIKE 'x%'",
    ],
)
def test_good_expressions(expr):
    assert expressions.problem(expr, TPCH["customer"]["columns"]) is None


# --- collisions between generated names ----------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "tables", "message"),
    [
        ("_loads, orders", {}, "tables._loads.columns: '_load_id' -- names starting with _"),
        (
            "",
            {
                "products": {"keys": ["id"], "columns": {"id": "int"}},
                "products_checked": {"keys": ["id"], "columns": {"id": "int"}},
            },
            "tables: 'silver_products_checked' is both the rule-checking view of products and "
            "the silver table of products_checked -- rename one of the tables",
        ),
        (
            "products, products_changes, orders",
            {},
            "'silver_products_changes' is both the change-event view of products (AUTO CDC) and "
            "the silver table of products_changes",
        ),
        (
            "",
            {
                "c": {
                    "keys": ["a"],
                    "columns": {
                        "a": {"type": "int", "source": "X"},
                        "b": {"type": "int", "source": "x"},
                    },
                }
            },
            "tables.c.columns: the landed field 'x' is both column 'a' (landed as 'X') and column "
            "'b' (landed as 'x')",
        ),  # fmt: skip
        (
            "",
            {"c": {"keys": ["a"], "columns": {"a": {"type": "int", "source": "b"}, "b": "int"}}},
            "the landed field 'b' is both column 'a' (landed as 'b') and column 'b'",
        ),
        (
            "",
            {"c": {"keys": ["a"], "columns": {"a": {"type": "int", "source": "_corrupt_record"}}}},
            "'_corrupt_record' is both column 'a' (landed as '_corrupt_record') and a bronze audit",
        ),
        (
            "",
            {"c": {"keys": ["a"], "columns": {"a": "int", "c_sk": "int"}}},
            "tables.c.columns: 'c_sk' is both column 'c_sk' and the dimension's surrogate key",
        ),
        (
            "",
            with_entry("orders", columns={**TPCH["orders"]["columns"], "date_sk": "int"}),
            "tables.orders.columns: 'date_sk' is both column 'date_sk' and the dim_date key",
        ),
        (
            "",
            with_entry(
                "customer", scd_type=2, columns={**TPCH["customer"]["columns"], "IS_CURRENT": "int"}
            ),
            "'is_current' is both column 'IS_CURRENT' and an SCD type 2 history column",
        ),
        (
            "specs, specs_table",
            {},
            "tables: 'SPECS_TABLE' is both the tables.py name of specs and the tables.py name of "
            "specs_table -- rename one of the tables",
        ),
    ],
)
def test_generated_names_never_collide(names, tables, message):
    errors = spec.validate(names, tables)
    assert any(message in error for error in errors), errors


def test_generated_names_cover_every_dataset_the_default_bake_makes():
    tables = spec.normalize("customers, products, orders", {})["tables"]
    names = sorted(name for name, _ in generated_names.datasets(tables))
    assert "silver_orders_changes" in names and "silver_customers_quarantine" in names
    assert {"dim_customers", "fact_orders", "dim_date", "gold_integrity_checks"} <= set(names)


# --- Spark types and name lengths -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("varchar(99999999999)", "the length must be 1 to 2147483647"),
        ("char(2147483648)", "the length must be 1 to 2147483647"),
        ("map<map<string,int>,int>", "a map key cannot be or hold a map"),
        ("map<array<map<int,int>>,int>", "a map key cannot be or hold a map"),
    ],
)
def test_types_spark_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        spark_types.canonical(text)


@pytest.mark.parametrize("field", ["sequence_by", "keys"])
def test_a_map_cannot_order_or_key(field):
    columns = {**TPCH["customer"]["columns"], "tags": "map<string,int>"}
    value = ["tags"] if field == "keys" else "tags"
    errors = spec.validate("", with_entry("customer", columns=columns, **{field: value}))
    assert (
        f"tables.customer.{field}: 'tags' is map<string,int> -- Spark cannot compare"
        in "\n".join(errors)
    )


@pytest.mark.parametrize("type_", ["array<string>", "map<string,int>", "struct<a:int>"])
def test_complex_types_need_a_typed_source(type_):
    """Text sources land strings that silver casts; Spark cannot cast text to a complex type
    (CAST_WITHOUT_SUGGESTION, found by the property test's dry run)."""
    tables = with_entry("customer", columns={**TPCH["customer"]["columns"], "c": type_})
    for source_format in ("json", "csv", "kafka"):
        [error] = spec.validate("", tables, source_format)
        assert error.startswith(f"tables.customer.columns.c: {type_!r} -- a {source_format} source")
    assert spec.validate("", tables, "parquet") == []
    delta = spec.validate("", tables, "delta")  # a Delta source needs sequences, not this
    assert [error for error in delta if "columns.c" in error] == []


def test_a_bad_character_in_yaml_text_is_one_line_with_its_line():
    [error] = spec.validate("", "customers:\n  comment: x\x7f\n")
    assert error.startswith("tables (tables.yml): line 2: not valid YAML (")
    assert "\n" not in error


def test_the_longest_table_name_is_allowed_and_one_more_is_not():
    longest = "t" * spec.MAX_TABLE_NAME
    assert spec.validate(longest, {}) == []
    [error] = spec.validate(longest + "x", {})
    assert error.startswith(f"table_names: {longest + 'x'!r} -- 61 characters; at most 60")
