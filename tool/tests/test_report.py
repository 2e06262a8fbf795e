"""`medallion report` opened in headless Chromium (Debian's package): it renders, shows the
numbers of the runs, escapes what the data holds, and logs no console error.

The runs are written by hand, without Spark: two updates in the local event log (the second one
FAILED) and the tables `local_summary` reads, for the default bake's tables. Every number the
page must show is written here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from playwright.sync_api import sync_playwright

from medallion import event_log, report

from . import baked

HOSTILE = "<script>document.title='owned'</script>"
T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC


def table(state: Path, name: str, rows: list[dict]) -> None:
    folder = state / "warehouse" / name
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-00000.parquet")


def flow(started: float, rows: int | None, status: str = "COMPLETED") -> event_log.FlowRun:
    return event_log.FlowRun(started=T0 + started, ended=T0 + started + 2, status=status, rows=rows)


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    state = tmp_path_factory.mktemp("state")
    first = event_log.Update("p", started=T0, ended=T0 + 40, state="COMPLETED")
    first.flows = {
        "bronze_orders": flow(1, 61),
        "silver_orders": flow(5, 54),
        "silver_orders_quarantine": flow(5, 7),
        "fact_orders": flow(9, 54),
    }
    second = event_log.Update("p", started=T0 + 3600, ended=T0 + 3630, state="FAILED")
    second.flows = {"bronze_orders": flow(1, 3), "silver_orders": flow(5, None, "FAILED")}
    for update in (first, second):
        event_log.write(state, update)
    table(state, "silver_orders_quarantine", [
        {"_failed_rules": ["positive_quantity"], "order_id": "7", "note": HOSTILE},
        {"_failed_rules": ["positive_quantity", "not_null_order_id"], "order_id": None, "note": ""},
    ])  # fmt: skip
    table(state, "silver_orders", [{"order_id": 1, "_warned_rules": []}])
    table(state, "fact_orders", [{"customers_sk": -1, "products_sk": 4}] * 3)
    table(state, "gold_integrity_checks", [
        {"check_id": "fact_orders.unique_keys", "failures": 0, "sample": None},
        {"check_id": "fact_orders.known_customers_sk", "failures": 3, "sample": "1013"},
        {"check_id": "dim_customers.inferred_members", "failures": 2, "sample": None},
    ])  # fmt: skip
    return state


@pytest.fixture(scope="module")
def page(state: Path):
    """The report as Chromium shows it, with every console message and page error."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is missing: `make install` installs it"
    with pytest.MonkeyPatch.context() as patch:  # module-scoped: before the autouse fixture
        patch.setenv("MEDALLION_PROJECT", str(baked.PROJECT))
        path = report.write(state)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        shown = browser.new_page()
        messages: list[str] = []
        shown.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
        shown.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
        shown.goto(path.as_uri())
        shown.wait_for_selector("#chart-trend .main-svg")
        yield shown, messages
        browser.close()


def test_the_page_renders_every_chart_without_a_console_message(page) -> None:
    shown, messages = page
    for chart in ("graph", "rows", "timeline", "quarantine", "trend"):
        assert shown.locator(f"#chart-{chart} .main-svg").count() >= 1, chart
    assert messages == []


def test_the_page_shows_the_latest_run_and_the_trend(page) -> None:
    shown, _ = page
    latest = shown.locator("#latest").inner_text()
    assert "Latest local run: FAILED" in latest and "2 runs recorded" in latest
    assert "started 2027-01-15 09:00:00 UTC, 30 s" in latest
    trend = shown.locator("#chart-trend").inner_text()
    assert "01-15 08:00:00" in trend and "01-15 09:00:00" in trend


def test_the_page_shows_the_quarantine_and_the_checks(page) -> None:
    shown, _ = page
    assert "silver_orders_quarantine (2 rows; the first 2)" in shown.content()
    rows = shown.locator("table.samples tbody tr").all_inner_texts()
    assert rows[0].split("\t")[:2] == ["positive_quantity", "7"]
    assert rows[1].split("\t")[:2] == ["positive_quantity, not_null_order_id", "NULL"]
    checks = shown.locator("#checks tbody tr").all_inner_texts()
    assert [row.split("\t") for row in checks] == [
        ["fact_orders.unique_keys", "0", "", "holds"],
        ["fact_orders.known_customers_sk", "3", "1013", "BROKEN"],
    ]
    assert "Integrity checks: 1 of 2 hold" in shown.content()
    assert shown.locator("#inferred tbody tr").all_inner_texts() == ["dim_customers\t2"]
    unknown = shown.locator("#unknown tbody tr").all_inner_texts()
    assert unknown == ["fact_orders\tcustomers_sk\t3", "fact_orders\tproducts_sk\t0"]


def test_what_the_data_holds_is_shown_as_text_never_run(page) -> None:
    shown, _ = page
    assert shown.title() == "retail_lakehouse_pipeline: local run report"
    assert shown.locator("table.samples td", has_text=HOSTILE).count() == 1


def test_the_rows_per_flow_of_the_latest_run(page, state: Path) -> None:
    """The latest run wrote bronze_orders' 3 rows; silver_orders failed (no rows)."""
    history = report.updates(state)
    assert [update["state"] for update in history] == ["COMPLETED", "FAILED"]
    assert history[-1]["flows"]["bronze_orders"]["rows"] == 3
    assert "rows" not in history[-1]["flows"]["silver_orders"]
    shown, _ = page
    nodes = shown.evaluate("document.getElementById('chart-graph').data.at(-1)")
    hover = dict(zip(nodes["text"], nodes["hovertext"], strict=True))
    assert hover["bronze_orders"] == "bronze_orders: COMPLETED, 3 rows, 2.0 s"
    assert hover["silver_orders"] == "silver_orders: FAILED, ? rows, 2.0 s"
    assert hover["dim_customers"] == "dim_customers: not run"
    rows = shown.evaluate("document.getElementById('chart-rows').data[0]")
    assert dict(zip(rows["x"], rows["y"], strict=True)) == {"bronze_orders": 3, "silver_orders": 0}


def test_a_report_before_any_run_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no local run recorded .* run make run-local first"):
        report.write(tmp_path)
