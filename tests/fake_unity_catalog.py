"""A local stand-in for the Unity Catalog tables API, for the real Databricks SDK.

The server on 127.0.0.1 answers what `WorkspaceClient.tables` calls: GET
/api/2.1/unity-catalog/tables (list, paginated) and GET /api/2.1/unity-catalog/tables/<full name>
(get), so the SDK's own request, paging and error handling run. It checks requests as the API
documents them (https://docs.databricks.com/api/workspace/tables/list and /get; the SDK's
TablesAPI): a bearer token, `catalog_name` and `schema_name` required, only the documented query
parameters, `max_results` not negative; a page may be shorter than asked and ends with
`next_page_token` until the last one. As documented, the list answer carries no
`table_constraints`; only get does. Rejections use the API's error shape (`{"error_code",
"message"}`: 400 INVALID_PARAMETER_VALUE, 401 UNAUTHENTICATED, 404 NOT_FOUND); the texts are ours.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "uc-t0k"
LIST_PATH = "/api/2.1/unity-catalog/tables"
LIST_PARAMETERS = {
    "catalog_name",
    "schema_name",
    "max_results",
    "page_token",
    "include_browse",
    "include_manifest_capabilities",
    "omit_columns",
    "omit_properties",
    "omit_username",
}
GET_PARAMETERS = {"include_browse", "include_delta_metadata", "include_manifest_capabilities"}
PAGE = 2  # the server's page length: small, so that every listing spans pages


def table(
    catalog: str,
    schema: str,
    name: str,
    columns: list[tuple[str, str, bool]],
    primary: list[str] | None = None,
    foreign: list[tuple[list[str], str, list[str]]] = (),
) -> dict[str, Any]:
    """A TableInfo as the get API returns it: columns as (name, type_text, nullable), the primary
    key's columns, foreign keys as (columns, parent table full name, parent columns)."""
    constraints = []
    if primary:
        constraints.append(
            {"primary_key_constraint": {"name": f"{name}_pk", "child_columns": primary}}
        )
    for number, (child, parent, parent_columns) in enumerate(foreign, start=1):
        constraints.append(
            {
                "foreign_key_constraint": {
                    "name": f"{name}_fk{number}",
                    "child_columns": child,
                    "parent_table": parent,
                    "parent_columns": parent_columns,
                }
            }
        )
    info = {
        "name": name,
        "catalog_name": catalog,
        "schema_name": schema,
        "full_name": f"{catalog}.{schema}.{name}",
        "table_type": "MANAGED",
        "data_source_format": "DELTA",
        "columns": [
            {
                "name": column,
                "type_text": type_text,
                "type_name": type_text.split("(")[0].split("<")[0].upper(),
                "position": position,
                "nullable": nullable,
            }
            for position, (column, type_text, nullable) in enumerate(columns)
        ],
    }
    if constraints:
        info["table_constraints"] = constraints
    return info


class FakeUnityCatalog:
    """Tables per schema (`catalog.schema` -> TableInfo dicts), and the requests received."""

    def __init__(self, schemas: dict[str, list[dict[str, Any]]]) -> None:
        self.schemas = schemas
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.url = ""

    def list_page(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        unknown = set(query) - LIST_PARAMETERS
        if unknown:
            return 400, _error("INVALID_PARAMETER_VALUE", f"unknown parameters {sorted(unknown)}")
        for required in ("catalog_name", "schema_name"):
            if not query.get(required, [""])[0]:
                return 400, _error("INVALID_PARAMETER_VALUE", f"Missing required field: {required}")
        asked = int(query.get("max_results", ["0"])[0])
        if asked < 0:
            return 400, _error("INVALID_PARAMETER_VALUE", "max_results must be >= 0")
        schema = f"{query['catalog_name'][0]}.{query['schema_name'][0]}"
        if schema not in self.schemas:
            return 404, _error("NOT_FOUND", f"Schema '{schema}' does not exist.")
        start = int(query.get("page_token", ["0"])[0])
        size = PAGE if asked == 0 else min(asked, PAGE)
        tables = self.schemas[schema]
        listed = [
            {k: v for k, v in info.items() if k != "table_constraints"}
            for info in tables[start : start + size]
        ]
        answer: dict[str, Any] = {"tables": listed}
        if start + size < len(tables):
            answer["next_page_token"] = str(start + size)
        return 200, answer

    def get(self, full_name: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        unknown = set(query) - GET_PARAMETERS
        if unknown:
            return 400, _error("INVALID_PARAMETER_VALUE", f"unknown parameters {sorted(unknown)}")
        for tables in self.schemas.values():
            for info in tables:
                if info["full_name"] == full_name:
                    return 200, info
        return 404, _error("NOT_FOUND", f"Table '{full_name}' does not exist.")


def _error(code: str, message: str) -> dict[str, str]:
    return {"error_code": code, "message": message}


def serve(catalog: FakeUnityCatalog) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urlsplit(self.path)
            query = parse_qs(url.query, keep_blank_values=True)
            if not url.path.startswith(LIST_PATH):  # e.g. the SDK's host-metadata probe
                return self._reply(404, _error("NOT_FOUND", url.path))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                message = "Credential was not sent or was of an unsupported type for this API."
                return self._reply(401, _error("UNAUTHENTICATED", message))
            catalog.requests.append((url.path, query))
            if url.path == LIST_PATH:
                return self._reply(*catalog.list_page(query))
            return self._reply(*catalog.get(unquote(url.path[len(LIST_PATH) + 1 :]), query))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    catalog.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
