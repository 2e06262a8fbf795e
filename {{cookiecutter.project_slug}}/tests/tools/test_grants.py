"""tools/grants.py: statement splitting, and the real Databricks SDK against a local fake server.

The server on 127.0.0.1 answers the two statement-execution endpoints the SDK calls
(POST /api/2.0/sql/statements, GET /api/2.0/sql/statements/<id>), so the SDK's request and
response handling runs for real; no Databricks workspace is involved.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tools import grants

pytest.importorskip("databricks.sdk", reason="databricks-sdk is in the local dependency group")


class FakeWarehouse:
    """Scripted answers per statement: 'ok', 'pending' (PENDING, then SUCCEEDED) or 'fail'."""

    def __init__(self, script: dict[str, str]):
        self.script = script
        self.received: list[dict] = []
        self.polls: list[str] = []
        self.pending: dict[str, str] = {}

    def status_for(self, statement: str) -> dict:
        behaviour = next((b for key, b in self.script.items() if key in statement), "ok")
        if behaviour == "fail":
            return {
                "state": "FAILED",
                "error": {
                    "error_code": "BAD_REQUEST",
                    "message": "[PRINCIPAL_DOES_NOT_EXIST] Could not find principal with name x.",
                },
            }
        return {"state": "PENDING" if behaviour == "pending" else "SUCCEEDED"}


def _serve(warehouse: FakeWarehouse):
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            if self.path != "/api/2.0/sql/statements":
                return self._reply(404, {"error_code": "NOT_FOUND", "message": self.path})
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            request["authorization"] = self.headers.get("Authorization")
            warehouse.received.append(request)
            statement_id = f"stmt-{len(warehouse.received)}"
            status = warehouse.status_for(request["statement"])
            if status["state"] == "PENDING":
                warehouse.pending[statement_id] = request["statement"]
            return self._reply(200, {"statement_id": statement_id, "status": status})

        def do_GET(self):
            prefix = "/api/2.0/sql/statements/"
            if not self.path.startswith(prefix):  # e.g. the SDK's host-metadata probe
                return self._reply(404, {"error_code": "NOT_FOUND", "message": self.path})
            statement_id = self.path[len(prefix) :]
            warehouse.polls.append(statement_id)
            return self._reply(
                200, {"statement_id": statement_id, "status": {"state": "SUCCEEDED"}}
            )

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A profile `local` pointing the SDK at a fake warehouse server; returns a factory."""
    servers = []

    def start(script: dict[str, str] | None = None) -> FakeWarehouse:
        warehouse = FakeWarehouse(script or {})
        server = _serve(warehouse)
        servers.append(server)
        config = tmp_path / "databrickscfg"
        config.write_text(f"[local]\nhost = http://127.0.0.1:{server.server_port}\ntoken = t0k\n")
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
        return warehouse

    for name in ("HOST", "TOKEN", "CLIENT_ID", "CLIENT_SECRET", "CONFIG_PROFILE", "AUTH_TYPE"):
        monkeypatch.delenv(f"DATABRICKS_{name}", raising=False)
    monkeypatch.delenv("WAREHOUSE_ID", raising=False)
    monkeypatch.setattr(grants, "POLL_SECONDS", 0.01)
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


SQL = """
-- set-up
CREATE SCHEMA IF NOT EXISTS `main`.`sales`;
GRANT USE SCHEMA ON SCHEMA `main`.`sales` TO `data-engineers`;
GRANT SELECT ON TABLE `main`.`sales`.`dim_customers` TO `ghost`;
GRANT SELECT ON TABLE `main`.`sales`.`fact_orders` TO `data-analysts`;
"""


@pytest.fixture
def sql_file(tmp_path):
    path = tmp_path / "grants.sql"
    path.write_text(SQL)
    return path


def test_statements_arrive_in_order_with_the_warehouse_id(workspace, sql_file, capsys):
    warehouse = workspace({"dim_customers": "pending"})

    code = grants.main(["--profile", "local", "--warehouse-id", "wh-1", "--file", str(sql_file)])

    assert code == 0, capsys.readouterr().err
    assert [r["statement"] for r in warehouse.received] == [
        "CREATE SCHEMA IF NOT EXISTS `main`.`sales`",
        "GRANT USE SCHEMA ON SCHEMA `main`.`sales` TO `data-engineers`",
        "GRANT SELECT ON TABLE `main`.`sales`.`dim_customers` TO `ghost`",
        "GRANT SELECT ON TABLE `main`.`sales`.`fact_orders` TO `data-analysts`",
    ]
    assert {r["warehouse_id"] for r in warehouse.received} == {"wh-1"}
    assert {r["wait_timeout"] for r in warehouse.received} == {"30s"}
    assert {r["authorization"] for r in warehouse.received} == {"Bearer t0k"}
    assert warehouse.polls == ["stmt-3"], "only the PENDING statement is polled, until SUCCEEDED"
    assert "All 4 statements succeeded on warehouse wh-1." in capsys.readouterr().out


def test_stops_at_the_first_failure_with_statement_and_server_message(workspace, sql_file, capsys):
    warehouse = workspace({"`ghost`": "fail"})

    code = grants.main(["--profile", "local", "--warehouse-id", "wh-1", "--file", str(sql_file)])

    err = capsys.readouterr().err
    assert code == 1
    assert len(warehouse.received) == 3, "the statement after the failing one is not sent"
    assert "Statement 3 of 4 failed" in err
    assert "GRANT SELECT ON TABLE `main`.`sales`.`dim_customers` TO `ghost`" in err
    assert "[PRINCIPAL_DOES_NOT_EXIST] Could not find principal with name x." in err
    assert "FAILED (BAD_REQUEST)" in err


def test_warehouse_id_from_the_environment(workspace, sql_file, monkeypatch):
    warehouse = workspace()
    monkeypatch.setenv("WAREHOUSE_ID", "wh-env")

    assert grants.main(["--profile", "local", "--file", str(sql_file)]) == 0
    assert {r["warehouse_id"] for r in warehouse.received} == {"wh-env"}


def test_dry_run_prints_the_sql_and_sends_nothing(workspace, sql_file, capsys):
    warehouse = workspace()

    assert grants.main(["--profile", "local", "--dry-run", "--file", str(sql_file)]) == 0

    out = capsys.readouterr().out
    assert warehouse.received == []
    assert "GRANT USE SCHEMA ON SCHEMA `main`.`sales` TO `data-engineers`;" in out
    assert "Dry run: 4 statements, nothing was sent." in out


def test_missing_warehouse_id_is_explained(workspace, sql_file, monkeypatch, capsys):
    warehouse = workspace()
    monkeypatch.setattr(grants, "DEFAULT_WAREHOUSE_ID", "")

    assert grants.main(["--profile", "local", "--file", str(sql_file)]) == 1
    assert "make grants WAREHOUSE_ID=<id>" in capsys.readouterr().err
    assert warehouse.received == []


def test_split_respects_quotes_backticks_and_comments():
    sql = (
        "-- a comment; not a statement\n"
        "COMMENT ON SCHEMA `a;b`.`c``d` IS 'it''s; fine';\n"
        "/* block; comment */ SELECT \"x;y\", 'back\\'slash;' ;;\n"
        "SELECT 1 -- trailing; comment\n"
    )

    assert grants.split_statements(sql) == [
        "COMMENT ON SCHEMA `a;b`.`c``d` IS 'it''s; fine'",
        "SELECT \"x;y\", 'back\\'slash;'",
        "SELECT 1",
    ]


def test_split_rejects_an_unterminated_quote():
    with pytest.raises(grants.GrantsError, match="Unterminated"):
        grants.split_statements("GRANT SELECT ON TABLE `oops TO x;")


def test_the_projects_grants_file_splits_into_statements():
    statements = grants.split_statements(grants.GRANTS_SQL.read_text())

    assert statements, "sql/grants.sql has statements"
    assert not [s for s in statements if s.startswith("--") or s.endswith(";")]
