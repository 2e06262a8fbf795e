"""The `workspace` fixture: the real Databricks SDK pointed at tests/tools/fake_warehouse.py."""

from __future__ import annotations

import pytest
from fake_warehouse import TOKEN, FakeWarehouse, serve

from tools import admin_grants


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
