"""Bring your own data: bake from a folder of a team's files, then run the pipeline on them as-is.

The messy dataset (tests/infer_messy.py, every table as csv): null markers (`NA`, `\\N`), a change
feed with deletes, an event log with no key, orphan store and customer codes, NULL references, a
dimension referenced twice (bill-to and ship-to customer), names with spaces and dashes, a JSON
text column with RFC 4180 doubled quotes. `cookiecutter <template> __source_sample=<folder>`
infers the spec; the local run reads the same folder. Every number is checked against DuckDB over
the raw files, never against the pipeline's own code.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import bake_project, run_checked, run_cookiecutter_cli, warehouse_views
from infer_messy import ORPHAN_STORES, write_messy

from bake import source_sample


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("byod")
    landing = write_messy(work / "landing", all_csv=True)
    answers = {"project_name": "Messy Retail", "source_format": "csv"}
    project = bake_project(work / "out", {**answers, "__source_sample": str(landing)})
    state = work / "state"
    command = [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
    run_checked([*command, "--state-dir", str(state)], cwd=project, timeout=900)
    return {"project": project, "landing": landing, "warehouse": state / "warehouse"}


@pytest.fixture(scope="module")
def raw(messy) -> duckdb.DuckDBPyConnection:
    """The landed csv files as text, exactly as written: no types, no null markers applied."""
    connection = duckdb.connect()
    for folder in sorted(messy["landing"].iterdir()):
        files = str(folder / "*.csv").replace("'", "''")
        connection.execute(
            f"CREATE VIEW {folder.name} AS SELECT * FROM "
            f"read_csv('{files}', header = true, all_varchar = true)"
        )
    return connection


@pytest.fixture(scope="module")
def gold(messy) -> duckdb.DuckDBPyConnection:
    return warehouse_views(messy["warehouse"])


def test_tables_yml_keeps_the_evidence_and_cruft_records_the_spec_not_the_folder(messy) -> None:
    text = (messy["project"] / "tables.yml").read_text()
    assert "keys: [sale_id]  # 1,000 rows, unique, never null" in text
    assert "keys: []  # no key" in text  # the event log
    assert "null_values:" in text
    cruft = messy["project"] / ".cruft.json"
    if cruft.exists():  # written when the template is a git checkout (it is, in CI)
        recorded = json.loads(cruft.read_text())["context"]["cookiecutter"]
        # An upgrade renders from the recorded spec: it never needs the folder again.
        assert isinstance(recorded["tables"], str) and "keys: [sale_id]" in recorded["tables"]


def count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    return connection.execute(sql).fetchone()[0]


def test_every_landed_row_reaches_silver_and_none_is_quarantined(raw, gold) -> None:
    for table in ("sales", "events", "stores"):
        assert count(gold, f"SELECT count(*) FROM silver_{table}") == count(
            raw, f"SELECT count(*) FROM {table}"
        ), table
    for table in ("customers", "sales", "events", "stores"):
        assert count(gold, f"SELECT count(*) FROM silver_{table}_quarantine") == 0, table
    # The change feed: one row per customer whose latest event is not a delete.
    current = """
        SELECT count(*) FROM (
            SELECT "Customer ID", arg_max(op, updated_at) AS last_op FROM customers GROUP BY 1
        ) WHERE last_op <> 'D'"""
    assert count(gold, "SELECT count(*) FROM silver_customers") == count(raw, current)


def test_sales_per_store_from_gold_equal_the_raw_files_orphan_codes_included(raw, gold) -> None:
    """Sales in stores the store file lacks keep their codes: each is an inferred member."""
    from_raw = raw.execute(
        "SELECT store_code, count(*), sum(CAST(Amount AS DECIMAL(18, 2))) FROM sales "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall()
    from_gold = gold.execute(
        "SELECT d.store_code, count(*), sum(f.amount) FROM fact_sales f "
        "JOIN dim_stores d ON f.stores_sk = d.stores_sk GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert from_gold == from_raw
    inferred = gold.execute(
        "SELECT store_code FROM dim_stores WHERE is_inferred ORDER BY 1"
    ).fetchall()
    assert [code for (code,) in inferred] == sorted(ORPHAN_STORES)


def test_an_event_log_keeps_every_row_with_its_own_identity(raw, gold) -> None:
    from_raw = raw.execute("SELECT store_code, count(*) FROM events GROUP BY 1 ORDER BY 1")
    from_gold = gold.execute(
        "SELECT d.store_code, count(*) FROM fact_events f "
        "JOIN dim_stores d ON f.stores_sk = d.stores_sk GROUP BY 1 ORDER BY 1"
    )
    assert from_gold.fetchall() == from_raw.fetchall()
    identities = "SELECT count(DISTINCT events_sk) = count(*) FROM fact_events"
    assert gold.execute(identities).fetchone()[0]


@pytest.mark.parametrize(
    ("column", "landed"),
    [("bill_to_customer", "Bill-To Customer"), ("ship_to_customer", "Ship-To Customer")],
)
def test_each_reference_to_customers_resolves_on_its_own(raw, gold, column, landed) -> None:
    """Bill-to and ship-to reference one dimension: each has its own key in the fact."""
    # `\N` (a null marker) and an empty field are both missing: the unknown member, -1.
    missing = f'SELECT count(*) FROM sales WHERE "{landed}" IS NULL OR "{landed}" = \'\\N\''
    unknown = f"SELECT count(*) FROM fact_sales WHERE {column}_sk = -1"
    assert count(gold, unknown) == count(raw, missing)
    per_customer = (
        f'SELECT CAST("{landed}" AS BIGINT), count(*) FROM sales '
        f"WHERE \"{landed}\" <> '\\N' GROUP BY 1 ORDER BY 1"
    )
    from_gold = (
        f"SELECT d.customer_id, count(*) FROM fact_sales f JOIN dim_customers d "
        f"ON f.{column}_sk = d.customers_sk WHERE f.{column}_sk <> -1 GROUP BY 1 ORDER BY 1"
    )
    assert gold.execute(from_gold).fetchall() == raw.execute(per_customer).fetchall()


def test_a_folder_in_several_formats_stops_the_bake_naming_them(tmp_path: Path) -> None:
    landing = write_messy(tmp_path / "landing")  # csv, json lines and parquet side by side
    out = tmp_path / "out"
    result = run_cookiecutter_cli(out, "source_format=csv", f"__source_sample={landing}")
    message = result.stdout + result.stderr  # cookiecutter prints a refusal on stdout
    assert result.returncode != 0
    assert "__source_sample:" in message
    assert "csv: customers, sales; json: stores; parquet: events" in message
    assert "land every table in one format" in message
    assert not any(out.iterdir()), "nothing is written"


def test_a_missing_folder_stops_the_bake_naming_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cookiecutter_cli(out, f"__source_sample={tmp_path / 'nowhere'}")
    assert result.returncode != 0
    assert f"__source_sample: {tmp_path / 'nowhere'}" in result.stdout + result.stderr
    assert not any(out.iterdir())


def test_an_explicit_spec_wins_and_the_folder_is_not_read(tmp_path: Path) -> None:
    context = {"tables": "orders: {role: fact, keys: [id], columns: {id: bigint}}"}
    context[source_sample.ANSWER] = str(tmp_path / "nowhere")
    source_sample.resolve(context)  # no error: the folder is never looked at
    assert context["tables"].startswith("orders:")


def test_the_inference_libraries_are_asked_for_before_anything_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_sample, "missing_libraries", lambda: ["duckdb"])
    with pytest.raises(source_sample.SourceSampleProblem, match="pip install duckdb"):
        source_sample.resolve({source_sample.ANSWER: str(tmp_path), "tables": {}})


def _sample_rows(folder: Path) -> list[dict[str, str]]:
    """Rows of a table's sample files (csv text), in file order."""
    return [
        row
        for path in sorted(folder.glob("*.csv"))
        for row in csv.DictReader(path.read_text().splitlines())
    ]


def _value(text: str) -> str | None:
    """A csv cell as a value: the dataset's null markers and an empty cell are NULL."""
    return None if text in ("", "\\N", "NA") else text


def test_sample_data_is_drawn_from_the_team_files_with_personal_columns_masked(messy) -> None:
    project, landing = messy["project"], messy["landing"]
    manifest = json.loads((project / "sample_data" / "_manifest.json").read_text())
    drawn = manifest["drawn_from_team_files"]
    assert drawn["masked_columns"] == {"customers": ["e_mail", "full_name"]}
    deliberate = {
        (entry["file"], entry["row"])
        for entry in manifest["tables"]["sales"]["rows"]
        if entry["kind"] != "good" or entry["failed_rules"]
    }
    landed = {row["Sale ID"]: row for row in _sample_rows(landing / "sales")}
    sample = sorted((project / "sample_data" / "sales").glob("*.csv"))
    plain = [
        row
        for path in sample
        for number, row in enumerate(csv.DictReader(path.read_text().splitlines()), start=1)
        if (path.name, number) not in deliberate and row["Sale ID"] in landed
    ]
    assert len(plain) >= 40  # the rest have invented keys: the generator needs more rows
    sampled_customers = _sample_rows(project / "sample_data" / "customers")
    # The sample invents new versions of a few customers; a sale on such a day would resolve by
    # the time of day, so the generator moves it to another of the team's dates.
    changed_on = {(row["Customer ID"], (row["updated_at"] or "")[:10]) for row in sampled_customers}
    moved = 0
    for row in plain:  # a team's sale, its store and both customers as they landed
        team = landed[row["Sale ID"]]
        for column in ("store_code", "Bill-To Customer", "Ship-To Customer"):
            assert _value(row[column]) == _value(team[column]), (row["Sale ID"], column)
        if row["Sale Date"] != team["Sale Date"]:
            moved += 1
            days = {(team[c], team["Sale Date"]) for c in ("Bill-To Customer", "Ship-To Customer")}
            assert days & changed_on, (row["Sale ID"], "moved off a day with no change")
    assert moved <= 3
    customers = {row["Customer ID"] for row in sampled_customers}
    referenced = {row[c] for row in plain for c in ("Bill-To Customer", "Ship-To Customer")}
    assert referenced - {"\\N", ""} <= customers, "a sampled fact's customers are in the sample"
    # No e-mail address or name of the team's files is in a committed sample file.
    personal = {
        value
        for row in _sample_rows(landing / "customers")
        for value in (row["e-mail"], row["Full Name"])
        if value not in ("", "\\N", "NA")
    }
    committed = [project / "sample_data", project / "tests" / "e2e" / "increment"]
    text = "".join(p.read_text() for folder in committed for p in folder.rglob("*.csv"))
    assert not [value for value in personal if value in text]
    assert "@example.invalid" in text


def test_the_baked_project_passes_its_own_oracle_on_the_drawn_sample(messy) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(["src", "."])}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    # Not tests/unit: they build their own specs and frames, the same in every bake
    # (tests/test_install.py runs them); the end-to-end test is what reads this bake's tables.
    output = run_checked(
        [*command, "tests/e2e/test_local_pipeline.py"],
        cwd=messy["project"],
        env=env,
        timeout=1200,
    )
    assert " passed" in output and "failed" not in output and "skipped" not in output
