"""Fixtures of the tool's tests: `workspace`, the real Databricks SDK pointed at fake_warehouse.py;
and the table of faults tried (test_faults.py), printed at the end of the session."""

from __future__ import annotations

import pytest

from medallion import admin_grants

from . import baked, faults
from .fake_warehouse import TOKEN, FakeWarehouse, serve

# The faults tried in this session, from every worker's test reports (printed at the end).
OUTCOMES: list[tuple[str, str, str]] = []


@pytest.fixture(autouse=True)
def in_the_baked_project(monkeypatch):
    """Every command works on the default bake unless a test names another project."""
    monkeypatch.setenv("MEDALLION_PROJECT", str(baked.PROJECT))


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A profile `local` pointing the SDK at a fake warehouse server; returns a factory."""
    servers = []

    def start(script: dict[str, str] | None = None, rows: dict | None = None) -> FakeWarehouse:
        warehouse = FakeWarehouse(script or {}, rows)
        server = serve(warehouse)
        servers.append(server)
        warehouse.url = f"http://127.0.0.1:{server.server_port}"
        config = tmp_path / "databrickscfg"
        config.write_text(f"[local]\nhost = {warehouse.url}\ntoken = {TOKEN}\n")
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
        return warehouse

    for name in ("HOST", "TOKEN", "CLIENT_ID", "CLIENT_SECRET", "CONFIG_PROFILE", "AUTH_TYPE"):
        monkeypatch.delenv(f"DATABRICKS_{name}", raising=False)
    monkeypatch.delenv("WAREHOUSE_ID", raising=False)
    monkeypatch.setattr(admin_grants, "POLL_SECONDS", 0.01)
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.user_properties.extend(("fault tried", row) for row in faults.take_recorded())
    return report


def pytest_runtest_logreport(report) -> None:
    OUTCOMES.extend(tuple(row) for key, row in report.user_properties if key == "fault tried")


def pytest_terminal_summary(terminalreporter) -> None:
    if not OUTCOMES:
        return
    widths = [
        max(len(row[i]) for row in [("fault", "expected", "outcome"), *OUTCOMES]) for i in range(3)
    ]
    terminalreporter.section("faults tried")
    for row in [("fault", "expected", "outcome"), *OUTCOMES]:
        terminalreporter.write_line(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        )
