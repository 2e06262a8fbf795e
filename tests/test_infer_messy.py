"""bake.infer on the messy landing folder of tests/infer_messy.py: what a real dataset looks like.

The expected tables are written out by hand from what the generator writes. Two fields are new
to the spec (issue 21, wired into the pipeline separately): `null_values` (a table's null
markers) and `keys: []` (a fact with no key: an event log, every row kept).
"""

from __future__ import annotations

import pytest
import yaml

from bake import spec
from bake.infer import infer_folder, render_tables_yml
from tests.infer_messy import write_messy

CUSTOMERS = {
    "role": "dimension",
    "keys": ["customer_id"],
    "null_values": ["\\N", "NA"],
    "sequence_by": "updated_at",
    "delete_when": "`op` = 'D'",
    "except_columns": ["op"],
    "columns": {
        "customer_id": {"type": "bigint", "source": "Customer ID"},
        "full_name": {"type": "string", "source": "Full Name"},
        "e_mail": {"type": "string", "source": "e-mail"},
        "country": {"type": "string", "source": "Country"},
        "year": {"type": "int", "source": "Year"},
        "vip": {"type": "boolean", "source": "VIP"},
        "credit_limit": {"type": "decimal(18,2)", "source": "Credit Limit"},
        "updated_at": "timestamp_ntz",
        "op": "string",
    },
}
STORES = {
    "role": "dimension",
    "keys": ["store_code"],
    "columns": {
        "store_code": "string",
        "name": {"type": "string", "source": "Name"},
        "city": {"type": "string", "source": "City"},
        "opened": "date",
        "sq_m": {"type": "int", "source": "sq-m"},
        "year": "int",
        "manager": "string",
    },
}
SALES = {
    "role": "fact",
    "keys": ["sale_id"],
    "null_values": ["\\N", "NA"],
    "references": {
        "store_code": "stores",
        "bill_to_customer": "customers",
        "ship_to_customer": "customers",
    },
    "date_column": "sale_date",
    "date_range": ["2024-01-01", "2025-12-31"],
    "measures": ["amount", "quantity"],
    "attributes": ["year", "channel", "recorded_at"],
    "columns": {
        "sale_id": {"type": "bigint", "source": "Sale ID"},
        "sale_date": {"type": "date", "source": "Sale Date"},
        "store_code": "string",
        "bill_to_customer": {"type": "bigint", "source": "Bill-To Customer"},
        "ship_to_customer": {"type": "bigint", "source": "Ship-To Customer"},
        "amount": {"type": "decimal(18,2)", "source": "Amount"},
        "quantity": {"type": "int", "source": "Quantity"},
        "year": "int",
        "channel": {"type": "string", "source": "Channel"},
        "recorded_at": {"type": "timestamp", "source": "Recorded At"},
    },
}
EVENTS = {
    "role": "fact",
    "keys": [],
    "references": {"store_code": "stores"},
    "date_column": "event_time",
    "date_range": ["2024-01-01", "2025-12-31"],
    "measures": ["temperature"],
    "attributes": ["sensor", "batch_id", "door_open"],
    "columns": {
        "event_time": "timestamp",
        "store_code": "string",
        "sensor": "string",
        "temperature": "double",
        "batch_id": "bigint",
        "door_open": {"type": "boolean", "source": "door-open"},
    },
}
EXPECTED = {"customers": CUSTOMERS, "stores": STORES, "events": EVENTS, "sales": SALES}


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    folder = write_messy(tmp_path_factory.mktemp("messy"))
    return infer_folder(folder, progress=lambda line: None)


def test_tables_in_order_dimensions_first(messy):
    assert list(messy.tables) == ["customers", "stores", "events", "sales"]


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_inferred_table(messy, table):
    inferred = {k: v for k, v in messy.tables[table].items() if k != "expectations"}
    assert inferred == EXPECTED[table]


def test_suggested_expectations(messy):
    sales = messy.tables["sales"]["expectations"]
    assert sales["channel_values"] == {
        "expr": "`channel` IN ('phone', 'store', 'web')",
        "action": "warn",
    }
    # NULLs (the `NA` marker) are not a broken range: a warn rule would flag each one
    assert sales["quantity_range"]["expr"] == "`quantity` IS NULL OR `quantity` BETWEEN 1 AND 19"
    assert "has_quantity" not in sales  # quantity has NULLs
    assert sales["has_amount"] == {"expr": "`amount` IS NOT NULL", "action": "warn"}
    customers = messy.tables["customers"]["expectations"]
    # the key and the change time are checked by the pipeline's implicit rules; op is not kept
    assert not {"has_customer_id", "has_updated_at", "has_op", "op_values"} & set(customers)
    assert customers["country_values"]["expr"] == "`country` IN ('BE', 'DE', 'FR', 'NL')"
    assert "has_full_name" not in customers  # the name `NA` reads as NULL: see test_evidence


def test_evidence(messy):
    sales = messy.evidence["sales"]
    assert sales["references.store_code"] == (
        "97.4% of 1,000 values found in stores.store_code (same name as the key); "
        "26 rows with 2 codes not found (S098, S099)"
    )
    assert sales["references.bill_to_customer"] == (
        "99.3% of 921 values found in customers.customer_id (names the table customers); "
        "6 rows with 1 code not found (999); 79 NULL"
    )
    assert sales["null_values"] == (
        "'\\\\N' in bill_to_customer; 'NA' in quantity: read as NULL in every column"
    )
    assert messy.evidence["events"]["keys"].startswith("no key: no column or pair is unique")
    assert messy.evidence["customers"]["keys"] == (
        "a change feed: 245 events of 200 keys, unique per updated_at, never null"
    )
    assert messy.evidence["customers"]["delete_when"] == "op has values D, I, U: D deletes the key"
    assert messy.evidence["stores"]["columns.manager"].startswith("string: nested JSON")
    # A table's null markers hold in every column, even where the marker is a real value
    assert messy.evidence["customers"]["columns.full_name"] == (
        "string: text up to 12 characters; 1 NULL of 245 (null markers here: 'NA')"
    )


def test_year_is_never_linked(messy):
    """`year` is in three tables and is no key: same-named columns are not references."""
    for table in messy.tables.values():
        assert "year" not in table.get("references", {})


def test_tables_yml_round_trips_with_evidence_beside_each_field(messy):
    text = render_tables_yml(messy)
    assert yaml.safe_load(text) == messy.tables
    assert "  keys: []  # no key: no column or pair is unique" in text
    assert '    credit_limit: {type: "decimal(18,2)", source: "Credit Limit"}  # decimal' in text


def test_valid_for_the_template_once_the_new_fields_are(messy):
    """The current spec knows neither `null_values` nor keyless facts: without those, the rest
    of the inferred spec passes the template's own validation."""
    known = {
        name: {k: v for k, v in entry.items() if k != "null_values"}
        for name, entry in messy.tables.items()
        if entry["keys"]
    }
    assert spec.validate("", known, "csv") == []
