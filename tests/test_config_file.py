"""`cookiecutter --no-input --config-file <file>` with a full `tables` spec, and bad specs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from conftest import PYTHON, TEMPLATE_DIR, rejection, run_checked, run_cookiecutter_cli

EXAMPLES = TEMPLATE_DIR / "examples"


@pytest.fixture(scope="module")
def tpch(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("tpch") / "out"
    result = run_cookiecutter_cli(output, config_file=EXAMPLES / "tpch.yml")
    assert result.returncode == 0, result.stderr
    return output / "tpch-lakehouse"


def test_tpch_spec_defines_the_tables(tpch):
    src = tpch / "src"
    assert sorted(p.stem for p in (src / "bronze").glob("*.py")) == [
        "customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier",
    ]  # fmt: skip
    assert sorted(p.stem for p in (src / "gold").glob("*.py")) == [
        "dim_customer", "dim_date", "dim_nation", "dim_orders", "dim_part", "dim_region",
        "dim_supplier", "fact_lineitem", "fact_partsupp", "integrity_checks",
    ]  # fmt: skip
    assert not (src / "bronze" / "customers.py").exists()  # table_names is ignored
    tables = (src / "tpch_lakehouse" / "tables.py").read_text()
    ast.parse(tables)
    for name in ("c_custkey", "o_totalprice", "decimal(15,2)", "l_linenumber", "positive_key"):
        assert name in tables
    readme = (tpch / "README.md").read_text()
    assert "| `lineitem` | fact | l_orderkey, l_linenumber |" in readme
    assert "o_custkey -> customer" in readme  # a dimension's reference: the snowflake
    assert "l_commitdate (`l_commitdate_sk`)" in readme  # a role-playing date


def test_tpch_columns_keep_the_order_of_the_config_file(tpch):
    """csv is read by column position locally, so tables.py must list columns as the spec does
    (cookiecutter's own `jsonify` sorts keys; the hooks must not use it)."""
    spec = yaml.safe_load((EXAMPLES / "tpch.yml").read_text())["default_context"]["tables"]
    module = ast.parse((tpch / "src" / "tpch_lakehouse" / "tables.py").read_text())
    generated = {}
    for call in ast.walk(module):
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "TableSpec":
            kwargs = {kw.arg: kw.value for kw in call.keywords}
            columns = ast.literal_eval(kwargs["columns"])
            generated[ast.literal_eval(kwargs["name"])] = list(columns)
    assert list(generated) == list(spec)
    for table, entry in spec.items():
        assert generated[table] == list(entry["columns"]), table


def test_tpch_project_is_clean_and_valid(tpch):
    """Style and bundle checks (test_pipeline_bakes.py runs baked suites; they are slow)."""
    run_checked([PYTHON, "-m", "ruff", "check", "--no-cache", "."], cwd=tpch)
    run_checked([PYTHON, "-m", "ruff", "format", "--no-cache", "--check", "."], cwd=tpch)
    run_checked([PYTHON, "-m", "medallion", "validate"], cwd=tpch)


def test_retail_example_bakes(tmp_path):
    output = tmp_path / "out"
    result = run_cookiecutter_cli(output, config_file=EXAMPLES / "retail.yml")
    assert result.returncode == 0, result.stderr
    tables = (output / "retail-lakehouse" / "src" / "retail_lakehouse" / "tables.py").read_text()
    assert "valid_email" in tables and "list_price" in tables


def write_config(path: Path, tables: dict) -> Path:
    path.write_text(yaml.safe_dump({"default_context": {"tables": tables}}))
    return path


BAD = [
    (
        {"customer": {"keys": ["id"], "columns": {"id": "bigint"}, "colour": "red"}},
        "tables.customer: unknown key 'colour' -- valid keys: role, keys",
    ),
    (
        {
            "customer": {"keys": ["id"], "columns": {"id": "bigint"}},
            "orders": {
                "role": "fact",
                "keys": ["o_id"],
                "columns": {"o_id": "bigint", "c_id": "bigint"},
                "references": {"c_id": "nation"},
            },
        },
        "tables.orders.references.c_id: 'nation' -- no such table",
    ),
    (
        {"orders": {"role": "fact", "columns": {"o_id": "bigint"}}},
        "tables.orders.keys: missing -- a fact needs its business key",
    ),
    (
        {"customer": {"keys": ["id"], "columns": {"id": "bigint", "tags": "array<strin>"}}},
        "tables.customer.columns.tags: 'array<strin>' -- not a Spark SQL type",
    ),
    (
        {"customer": {"keys": ["id"], "columns": {"id": "bigint"}, "scd_type": 3}},
        "tables.customer.scd_type: '3' -- use 1 or 2",
    ),
    (
        {
            "customer": {
                "keys": ["id"],
                "columns": {"id": "bigint"},
                "expectations": {"ok": {"expr": "id > 0", "action": "explode"}},
            }
        },
        "tables.customer.expectations.ok.action: 'explode' -- use warn, drop or fail",
    ),
]


@pytest.mark.parametrize(("tables", "message"), BAD)
def test_bad_spec_is_rejected_and_nothing_is_left(tmp_path, tables, message):
    output = tmp_path / "out"
    config = write_config(tmp_path / "config.yml", tables)
    result = run_cookiecutter_cli(output, config_file=config)
    assert message in rejection(result)
    assert list(output.iterdir()) == []
