"""A local stand-in for the Statement Execution API of a SQL warehouse, for the real Databricks SDK.

The server on 127.0.0.1 answers the endpoints the SDK calls (POST /api/2.0/sql/statements,
GET /api/2.0/sql/statements/<id>, POST .../<id>/cancel), so the SDK's request and response
handling runs for real; no Databricks workspace is involved. It checks requests the way the API
documents them (databricks-sdk-go service/sql/model.go, ExecuteStatementRequest;
https://docs.databricks.com/api/workspace/statementexecution): a bearer token, a non-empty
`statement` and `warehouse_id`, `wait_timeout` of `0s` or `5s`..`50s`, the `on_wait_timeout`,
`disposition` and `format` enums. Rejections use the API's error shape (`{"error_code",
"message"}`, 400 INVALID_PARAMETER_VALUE, 401, 404); their message texts are ours. A succeeded
statement returns the rows scripted for it inline (`manifest` and `result.data_array`, every
value as a string, as the JSON_ARRAY format does).
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "t0k"
WAIT_TIMEOUT = re.compile(r"0s|([5-9]|[1-4][0-9]|50)s")
ENUMS = {
    "on_wait_timeout": {"CONTINUE", "CANCEL"},
    "disposition": {"INLINE", "EXTERNAL_LINKS"},
    "format": {"JSON_ARRAY", "ARROW_STREAM", "CSV"},
}


class FakeWarehouse:
    """Scripted answers per statement: 'ok', 'pending' (PENDING, then SUCCEEDED) or 'fail'; and
    `rows`: statement substring -> (column names, rows) for statements that return data."""

    def __init__(self, script: dict[str, str], rows: dict[str, tuple] | None = None):
        self.script = script
        self.rows = rows or {}
        self.url = ""  # set when the server starts
        self.received: list[dict] = []
        self.polls: list[str] = []
        self.statements: dict[str, str] = {}  # statement id -> its state after a poll
        self.texts: dict[str, str] = {}  # statement id -> its text

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

    def result_for(self, statement: str) -> dict:
        """`manifest` and `result` of a succeeded statement (none when nothing is scripted)."""
        scripted = next((r for key, r in self.rows.items() if key in statement), None)
        if scripted is None:
            return {}
        names, rows = scripted
        columns = [
            {"name": name, "position": i, "type_name": "STRING"} for i, name in enumerate(names)
        ]
        data = [[None if value is None else str(value) for value in row] for row in rows]
        return {
            "manifest": {
                "format": "JSON_ARRAY",
                "schema": {"column_count": len(names), "columns": columns},
                "total_row_count": len(data),
            },
            "result": {
                "chunk_index": 0,
                "row_offset": 0,
                "row_count": len(data),
                "data_array": data,
            },
        }


def request_problem(request: dict) -> str | None:
    """Why the Statement Execution API would refuse this body (400), or None."""
    for name in ("statement", "warehouse_id"):
        if not isinstance(request.get(name), str) or not request[name].strip():
            return f"{name} is required"
    wait = request.get("wait_timeout", "10s")
    if not isinstance(wait, str) or not WAIT_TIMEOUT.fullmatch(wait):
        return f"wait_timeout must be 0s or between 5s and 50s, got {wait!r}"
    for name, allowed in ENUMS.items():
        if name in request and request[name] not in allowed:
            return f"{name} must be one of {sorted(allowed)}, got {request[name]!r}"
    if request.get("format") in ("ARROW_STREAM", "CSV") and (
        request.get("disposition", "INLINE") != "EXTERNAL_LINKS"
    ):
        return f"format {request['format']} needs disposition EXTERNAL_LINKS"
    return None


def serve(warehouse: FakeWarehouse) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorized(self) -> bool:
            if self.headers.get("Authorization") == f"Bearer {TOKEN}":
                return True
            message = "Credential was not sent or was of an unsupported type for this API."
            self._reply(401, {"error_code": "UNAUTHENTICATED", "message": message})
            return False

        def do_POST(self):
            base = "/api/2.0/sql/statements"
            if not self._authorized():
                return None
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b"{}"
            match = re.fullmatch(rf"{base}/([^/]+)/cancel", self.path)
            if match:
                if match.group(1) not in warehouse.statements:
                    return self._reply(404, {"error_code": "NOT_FOUND", "message": self.path})
                warehouse.statements[match.group(1)] = "CANCELED"
                return self._reply(200, {})
            if self.path != base:
                return self._reply(404, {"error_code": "NOT_FOUND", "message": self.path})
            try:
                request = json.loads(body)
            except ValueError:
                return self._reply(400, {"error_code": "MALFORMED_REQUEST", "message": "not JSON"})
            problem = request_problem(request)
            if problem:
                return self._reply(
                    400, {"error_code": "INVALID_PARAMETER_VALUE", "message": problem}
                )
            warehouse.received.append(request)
            statement_id = str(uuid.uuid4())
            status = warehouse.status_for(request["statement"])
            warehouse.statements[statement_id] = (
                "SUCCEEDED" if status["state"] == "PENDING" else status["state"]
            )
            warehouse.texts[statement_id] = request["statement"]
            answer = {"statement_id": statement_id, "status": status}
            if status["state"] == "SUCCEEDED":
                answer.update(warehouse.result_for(request["statement"]))
            return self._reply(200, answer)

        def do_GET(self):
            prefix = "/api/2.0/sql/statements/"
            if not self.path.startswith(prefix):  # e.g. the SDK's host-metadata probe
                return self._reply(404, {"error_code": "NOT_FOUND", "message": self.path})
            if not self._authorized():
                return None
            statement_id = self.path[len(prefix) :]
            if statement_id not in warehouse.statements:
                return self._reply(404, {"error_code": "NOT_FOUND", "message": statement_id})
            warehouse.polls.append(statement_id)
            state = warehouse.statements[statement_id]
            answer = {"statement_id": statement_id, "status": {"state": state}}
            if state == "SUCCEEDED":
                answer.update(warehouse.result_for(warehouse.texts[statement_id]))
            return self._reply(200, answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
