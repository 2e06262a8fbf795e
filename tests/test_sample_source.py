"""bake.sample_source: the sample rows drawn from a team's files, and the masking of personal
columns. The end-to-end proof (the baked project's own oracle test on a drawn sample) is in
tests/test_bring_your_own_data.py."""

from __future__ import annotations

import importlib.util
import random
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from bake import sample_data
from bake.jinja_extension import TEMPLATE_DIR
from bake.sample_source import looks_personal, masked_columns, parse, pseudonym, read_source


def _generated_spec_module():
    """The generated project's spec.py (plain Python, no template syntax), as the bake loads it."""
    path = Path(TEMPLATE_DIR) / "{{cookiecutter.__project_slug}}" / "src"
    path = path / "{{cookiecutter.__package_name}}" / "spec.py"
    module_spec = importlib.util.spec_from_file_location("generated_spec", path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules["generated_spec"] = module  # dataclasses look their module up
    module_spec.loader.exec_module(module)
    return module


Spec = _generated_spec_module().TableSpec


CUSTOMERS = Spec(
    name="customers",
    role="dimension",
    keys=("email",),
    columns={"email": "string", "segment": "string", "credit": "decimal(10,2)"},
    null_values=("NA",),
)
ORDERS = Spec(
    name="orders",
    role="fact",
    keys=("order_id",),
    columns={"order_id": "bigint", "buyer": "string", "placed_on": "date", "amount": "double"},
    references={"buyer": "customers"},
    date_column="placed_on",
    measures=("amount",),
)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_personal_looking_columns() -> None:
    assert looks_personal("orders", "e_mail", "e-mail")
    assert looks_personal("stores", "manager", "Manager Phone")  # the landed name counts too
    assert looks_personal("customers", "name", "name")  # a person's name in a person table
    assert not looks_personal("products", "name", "name")
    assert not looks_personal("orders", "amount", "amount")


def test_a_reference_to_a_masked_key_is_masked_too_so_it_still_joins() -> None:
    masked = masked_columns((CUSTOMERS, ORDERS))
    assert masked == {"customers": {"email"}, "orders": {"buyer"}}
    assert pseudonym("ana@example.com") == pseudonym("ana@example.com")
    assert pseudonym("ana@example.com") != pseudonym("ben@example.com")


def test_pseudonyms_keep_the_type_and_hide_the_value() -> None:
    email = pseudonym("ana.silva@corp.com")
    assert email.endswith("@example.invalid") and "silva" not in email
    phone = pseudonym("+49 (30) 123-4567")
    assert len(phone) == len("+49 (30) 123-4567") and phone != "+49 (30) 123-4567"
    assert [c for c in phone if not c.isdigit()] == list("+ () -")
    assert pseudonym(date(1984, 7, 3)) == date(1984, 1, 1)  # a birth date keeps its year only
    assert isinstance(pseudonym(4930123), int) and pseudonym(4930123) != 4930123
    assert pseudonym(None) is None


def test_values_parse_as_silver_types_them() -> None:
    assert parse("42", "integer", None) == (True, 42)
    assert parse("4.2", "integer", None) == (False, None)
    assert parse("12.345", "decimal", 2) == (True, Decimal("12.35"))
    assert parse("0.0375", "decimal", None) == (True, Decimal("0.0375"))  # a double keeps digits
    assert parse("NaN", "decimal", None) == (False, None)
    assert parse("2024-03-01", "date", None) == (True, date(2024, 3, 1))
    assert parse("2024-03-01T10:00:00+02:00", "timestamp", None) == (
        True,
        datetime(2024, 3, 1, 8, 0),  # the instant, in UTC, as the pipeline's session has it
    )
    assert parse("", "integer", None) == (True, None)
    assert parse("", "string", None) == (True, "")  # text stays text: only markers are NULL
    assert parse("TRUE", "boolean", None) == (True, True)
    assert parse("yes", "boolean", None) == (True, True)  # as Spark's cast reads it
    assert parse("maybe", "boolean", None)[0] is False


def test_facts_keep_their_references_and_dimensions_hold_those_members(tmp_path: Path) -> None:
    customers = "email,segment,credit\n" + "".join(
        f"c{n}@corp.com,{'gold' if n % 2 else 'NA'},{n}.5\n" for n in range(1, 61)
    )
    _write(tmp_path / "customers" / "a.csv", customers)
    orders = "order_id,buyer,placed_on,amount\n" + "".join(
        f"{n},c{60 - n % 40}@corp.com,2024-02-{1 + n % 28:02d},{n}.25\n" for n in range(1, 200)
    )
    orders += "200,c1@corp.com,not-a-date,1.0\n"  # does not parse: never sampled
    _write(tmp_path / "orders" / "a.csv", orders)
    drawn = read_source(tmp_path, (CUSTOMERS, ORDERS))
    sampled_orders, sampled_customers = drawn.rows["orders"], drawn.rows["customers"]
    assert len(sampled_orders) == 80
    # 40 distinct buyers are more than the MEMBERS - 2 (30) the facts may use: in file order,
    # orders 1-30 bring buyers c59..c30; the rows of the ten other buyers are left out.
    room = sample_data.MEMBERS - 2
    fitting = [n for n in range(1, 200) if 1 <= n % 40 <= room]
    assert [row["order_id"] for row in sampled_orders] == fitting[:80]
    buyers = {row["buyer"] for row in sampled_orders}
    assert len(buyers) == room
    # Each buyer is a sampled customer, first in the dimension's order, masked alike.
    first = [row["email"] for row in sampled_customers[:room]]
    assert set(first) == buyers
    assert all(value.endswith("@example.invalid") for value in buyers)
    assert drawn.masked == {"customers": ["email"], "orders": ["buyer"]}
    # The null marker is NULL; every customer once.
    assert sum(row["segment"] is None for row in sampled_customers) > 0
    assert len({row["email"] for row in sampled_customers}) == len(sampled_customers) == 48


def test_the_generator_builds_its_hard_cases_from_the_drawn_rows(tmp_path: Path) -> None:
    _write(
        tmp_path / "customers" / "a.csv",
        "email,segment,credit\n" + "".join(f"c{n}@x.com,s{n},{n}\n" for n in range(1, 50)),
    )
    _write(
        tmp_path / "orders" / "a.csv",
        "order_id,buyer,placed_on,amount\n"
        + "".join(
            f"{n},c{n % 20 + 1}@x.com,2024-05-{n % 28 + 1:02d},{n}.5\n" for n in range(1, 99)
        ),
    )
    drawn = read_source(tmp_path, (CUSTOMERS, ORDERS))
    datasets = sample_data.build((CUSTOMERS, ORDERS), "csv", 7, drawn.rows)
    team_keys = {row["order_id"] for row in drawn.rows["orders"]}
    good = [row.values for row in datasets["orders"].files[1] if row.kind == "good"]
    assert good and all(values["order_id"] in team_keys for values in good)
    by_key = {row["order_id"]: row for row in drawn.rows["orders"]}
    assert all(values["buyer"] == by_key[values["order_id"]]["buyer"] for values in good)
    # The deliberate rows are still there: a correction, a duplicate, an unknown member.
    kinds = {row.kind for rows in datasets["orders"].files.values() for row in rows}
    assert {"correction", "duplicate", "unknown_member"} <= kinds
    unknown = next(
        row
        for rows in datasets["orders"].files.values()
        for row in rows
        if row.kind == "unknown_member"
    )
    drawn_customers = {row["email"] for row in drawn.rows["customers"]}
    assert unknown.values["buyer"] not in drawn_customers  # an invented key is never a team's


def test_a_fact_row_whose_member_the_dimension_lacks_is_not_sampled(tmp_path: Path) -> None:
    """An orphan code would have to be swapped for another member: the row would no longer be
    the team's. The sample leaves it out (its own unknown-member row covers the case)."""
    _write(tmp_path / "customers" / "a.csv", "email,segment,credit\nc1@corp.com,gold,1.5\n")
    orders = "order_id,buyer,placed_on,amount\n"
    orders += "1,c1@corp.com,2024-02-01,1.25\n2,c404@corp.com,2024-02-02,2.25\n"
    orders += "3,,2024-02-03,3.25\n"  # a NULL reference stays: gold gives it the -1 member
    _write(tmp_path / "orders" / "a.csv", orders)
    drawn = read_source(tmp_path, (CUSTOMERS, ORDERS))
    assert [row["order_id"] for row in drawn.rows["orders"]] == [1, 3]


def test_sample_values_are_moved_inside_rules_on_strings_dates_and_nulls() -> None:
    """A drawn value that breaks a rule is replaced by one that keeps it, whatever the column's
    type: `label IS NULL` made the bake fail with a TypeError (str + int)."""
    rules = {
        "no_label": "label IS NULL",
        "late_code": "code > 'm'",
        "early_name": "name < 'b'",
        "recent": "on_day >= '2030-01-01'",
        "after": "at > '2030-01-01 00:00:00'",
    }
    spec = SimpleNamespace(
        name="t",
        keys=["id"],
        columns={
            "id": "bigint",
            "label": "string",
            "code": "string",
            "name": "string",
            "on_day": "date",
            "at": "timestamp",
        },
        rules=[SimpleNamespace(name=name, expr=expr) for name, expr in rules.items()],
    )
    plan = sample_data.TablePlan(spec, 0, random.Random(1))
    assert plan.within_rules("label", "label-1") is None
    assert plan.within_rules("code", "a") == "m~"
    assert plan.within_rules("on_day", date(2024, 1, 1)) == date(2030, 1, 1)
    assert plan.within_rules("at", datetime(2024, 1, 1)) == datetime(2030, 1, 1, 0, 0, 1)
    assert plan.within_rules("code", "z") == "z"  # kept as drawn
    assert plan.within_rules("name", "name-1") == ""
