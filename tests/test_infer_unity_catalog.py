"""Inference from Unity Catalog: the real Databricks SDK against a strict local tables API.

The schema below is what a team's catalog holds: dimensions with primary keys, a fact with two
foreign keys to one dimension (bill-to and ship-to), a keyless event table, a column name with a
space, a foreign key to another schema and one to a key of two columns. Every expected entry is
written by hand from the catalog's constraints."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from databricks.sdk import WorkspaceClient
from fake_unity_catalog import LIST_PATH, TOKEN, FakeUnityCatalog, serve, table

from bake.infer import InferError, render_tables_yml
from bake.infer.__main__ import main
from bake.infer.unity_catalog import infer_unity_catalog, parse_source
from bake.spec import validate

CATALOG, SCHEMA = "main", "sales"


def sales_schema() -> list[dict]:
    full = f"{CATALOG}.{SCHEMA}"
    return [
        table(
            CATALOG,
            SCHEMA,
            "stores",
            [("store_code", "string", False), ("city", "string", True)],
            ["store_code"],
        ),  # fmt: skip
        table(
            CATALOG,
            SCHEMA,
            "customers",
            [
                ("customer_id", "bigint", False),
                ("Full Name", "string", True),
                ("updated_at", "timestamp", False),
            ],
            ["customer_id"],
        ),
        table(
            CATALOG,
            SCHEMA,
            "sales",
            [
                ("sale_id", "bigint", False),
                ("sale_date", "date", True),
                ("bill_to", "bigint", True),
                ("ship_to", "bigint", True),
                ("store_code", "string", True),
                ("amount", "decimal(18,2)", True),
                ("quantity", "int", True),
                ("channel", "string", True),
                ("region_code", "string", True),
                ("country", "string", True),
            ],
            ["sale_id"],
            [
                (["bill_to"], f"{full}.customers", ["customer_id"]),
                (["ship_to"], f"{full}.customers", ["customer_id"]),
                (["store_code"], f"{full}.stores", ["store_code"]),
                (["region_code"], "main.geo.regions", ["region_code"]),
                (["region_code", "country"], f"{full}.stores", ["store_code", "city"]),
            ],
        ),
        table(
            CATALOG,
            SCHEMA,
            "events",
            [
                ("event_time", "timestamp", False),
                ("store_code", "string", True),
                ("temperature", "double", True),
                ("tags", "array<string>", True),
            ],
            None,
            [(["store_code"], f"{full}.stores", ["store_code"])],
        ),
    ]


@pytest.fixture
def catalog(tmp_path, monkeypatch):
    fake = FakeUnityCatalog({f"{CATALOG}.{SCHEMA}": sales_schema(), "main.empty": []})
    server = serve(fake)
    config = tmp_path / "databrickscfg"
    config.write_text(f"[DEFAULT]\nhost = {fake.url}\ntoken = {TOKEN}\n")
    for name in [n for n in os.environ if n.startswith("DATABRICKS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
    yield fake
    server.shutdown()


def client(fake: FakeUnityCatalog, token: str = TOKEN) -> WorkspaceClient:
    return WorkspaceClient(host=fake.url, token=token, auth_type="pat")


def test_the_spec_comes_from_the_catalog_constraints(catalog) -> None:
    inferred = infer_unity_catalog(CATALOG, SCHEMA, client=client(catalog), progress=lambda _: None)
    assert list(inferred.tables) == ["customers", "stores", "events", "sales"]  # dimensions first
    assert inferred.tables["customers"] == {
        "role": "dimension",
        "keys": ["customer_id"],
        "sequence_by": "updated_at",
        "columns": {
            "customer_id": "bigint",
            "full_name": {"type": "string", "source": "Full Name"},
            "updated_at": "timestamp",
        },
    }
    assert inferred.tables["sales"] == {
        "role": "fact",
        "keys": ["sale_id"],
        "references": {"bill_to": "customers", "ship_to": "customers", "store_code": "stores"},
        "date_column": "sale_date",
        "measures": ["amount", "quantity"],
        "attributes": ["channel", "region_code", "country"],
        "columns": {
            "sale_id": "bigint",
            "sale_date": "date",
            "bill_to": "bigint",
            "ship_to": "bigint",
            "store_code": "string",
            "amount": "decimal(18,2)",
            "quantity": "int",
            "channel": "string",
            "region_code": "string",
            "country": "string",
        },
    }
    assert inferred.tables["events"] == {
        "role": "fact",
        "keys": [],
        "references": {"store_code": "stores"},
        "date_column": "event_time",
        "measures": ["temperature"],
        "attributes": ["tags"],
        "columns": {
            "event_time": "timestamp",
            "store_code": "string",
            "temperature": "double",
            "tags": "array<string>",
        },
    }
    assert inferred.tables["stores"]["role"] == "dimension"
    evidence = inferred.evidence["sales"]
    assert evidence["keys"] == "PRIMARY KEY sales_pk"
    assert evidence["references.ship_to"] == (
        "FOREIGN KEY sales_fk2: ship_to -> main.sales.customers(customer_id)"
    )
    assert "no row read" in evidence["table"]
    notes = " | ".join(inferred.notes["sales"])
    assert "main.geo.regions(region_code): not a reference here (another schema)" in notes
    assert "region_code, country -> main.sales.stores" in notes and "several columns" in notes
    assert "no sequence_by" in notes  # a Delta source would need it


def test_every_page_is_read_and_constraints_come_from_get(catalog) -> None:
    infer_unity_catalog(CATALOG, SCHEMA, client=client(catalog), progress=lambda _: None)
    pages = [query for path, query in catalog.requests if path == LIST_PATH]
    assert len(pages) == 2  # four tables, two a page
    assert pages[0]["max_results"] == ["0"] and "page_token" not in pages[0]
    assert pages[1]["page_token"] == ["2"]
    fetched = sorted(path.rsplit("/", 1)[1] for path, _ in catalog.requests if path != LIST_PATH)
    assert fetched == [f"main.sales.{n}" for n in ("customers", "events", "sales", "stores")]


def test_the_inferred_spec_renders_to_a_tables_yml_the_bake_accepts(catalog) -> None:
    inferred = infer_unity_catalog(CATALOG, SCHEMA, client=client(catalog), progress=lambda _: None)
    text = render_tables_yml(inferred)
    assert yaml.safe_load(text) == inferred.tables
    assert "# Inferred from uc:main.sales" in text
    assert "keys: [sale_id]  # PRIMARY KEY sales_pk" in text
    assert validate("", text, "parquet") == []
    problems = validate("", text, "delta")  # a Delta source needs sequence_by on each table
    assert problems and all(".sequence_by: missing" in line for line in problems)
    assert not [line for line in problems if line.startswith("tables.customers.")]


def test_named_tables_only(catalog) -> None:
    inferred = infer_unity_catalog(
        CATALOG, SCHEMA, ["sales"], client=client(catalog), progress=lambda _: None
    )
    assert list(inferred.tables) == ["sales"]
    # Every table is still read: sales' references need the dimensions' keys.
    assert inferred.tables["sales"]["references"]["store_code"] == "stores"
    with pytest.raises(InferError, match="has no table orders; it has "):
        infer_unity_catalog(
            CATALOG, SCHEMA, ["orders"], client=client(catalog), progress=lambda _: None
        )


@pytest.mark.parametrize(
    ("schema", "token", "message"),
    [
        ("nowhere", TOKEN, r"main\.nowhere: .*Schema 'main\.nowhere' does not exist"),
        (SCHEMA, "wrong", r"main\.sales: .*Credential was not sent"),
        ("empty", TOKEN, r"main\.empty: it has no tables"),
    ],
)
def test_what_the_api_refuses_is_named(catalog, schema, token, message) -> None:
    with pytest.raises(InferError, match=message):
        infer_unity_catalog(CATALOG, schema, client=client(catalog, token), progress=lambda _: None)


def test_a_type_the_spec_cannot_declare_is_named(catalog) -> None:
    catalog.schemas["main.odd"] = [
        table(
            CATALOG, "odd", "t", [("id", "bigint", False), ("span", "interval day", True)], ["id"]
        ),  # fmt: skip
    ]
    with pytest.raises(InferError, match=r"main\.odd\.t\.span: type 'interval day'"):
        infer_unity_catalog(CATALOG, "odd", client=client(catalog), progress=lambda _: None)


def test_the_fake_refuses_what_the_api_refuses(catalog) -> None:
    """The fake is only worth something if it is strict."""
    assert catalog.list_page({"catalog_name": ["main"]})[0] == 400  # schema_name is required
    code, body = catalog.list_page(
        {"catalog_name": ["main"], "schema_name": ["sales"], "max_results": ["-1"]}
    )
    assert (code, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    code, _ = catalog.list_page({"catalog_name": ["main"], "schema_name": ["sales"], "x": ["1"]})
    assert code == 400
    code, body = catalog.list_page({"catalog_name": ["main"], "schema_name": ["sales"]})
    assert code == 200 and all("table_constraints" not in t for t in body["tables"])


def test_the_command_merges_uc_tables_and_writes_nothing_on_failure(catalog, tmp_path) -> None:
    spec = tmp_path / "tables.yml"
    spec.write_text("stores:\n  role: dimension\n  keys: [store_code]\n")
    assert main([f"uc:{CATALOG}.{SCHEMA}", "--merge", str(spec), "--write"]) == 0
    merged = yaml.safe_load(spec.read_text())
    assert merged["stores"] == {"role": "dimension", "keys": ["store_code"]}  # left as it was
    assert merged["sales"]["references"]["bill_to"] == "customers"
    before = spec.read_text()
    assert main(["uc:main.nowhere", "--merge", str(spec), "--write"]) == 2
    assert spec.read_text() == before
    assert main(["uc:main.sales", "--profile", "missing", "--merge", str(spec)]) == 2


def test_a_source_is_a_folder_unless_it_says_uc() -> None:
    assert parse_source("uc:main.sales") == ("main", "sales")
    assert parse_source(str(Path("landing"))) is None
    for bad in ("uc:main", "uc:main.sales.orders", "uc:`main`.sales", "uc:"):
        with pytest.raises(InferError, match="uc:<catalog>.<schema>"):
            parse_source(bad)
