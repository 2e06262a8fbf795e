"""The generated README's Mermaid diagrams render with the real renderer (mermaid-cli + Chromium).

String checks cannot catch a Mermaid syntax error; rendering can. `make install` installs
`@mermaid-js/mermaid-cli` under `.venv/mermaid` and Debian's Chromium. A control diagram with a
known error must fail to render, so a renderer that accepts anything cannot pass these tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import bake_project

ROOT = Path(__file__).resolve().parents[1]
MMDC = Path(os.environ.get("MMDC", ROOT / ".venv" / "mermaid" / "node_modules" / ".bin" / "mmdc"))
BLOCK = re.compile(r"```mermaid\n(.*?)```", re.S)


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not MMDC.exists() or not browser:
        pytest.fail(f"needs mermaid-cli at {MMDC} and Chromium on PATH: run `make install`")
    work = tmp_path_factory.mktemp("mermaid")
    config = work / "puppeteer.json"
    # --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
    config.write_text(json.dumps({"executablePath": browser, "args": ["--no-sandbox"]}))

    def _render(name: str, diagram: str) -> subprocess.CompletedProcess:
        source, target = work / f"{name}.mmd", work / f"{name}.svg"
        source.write_text(diagram)
        command = [str(MMDC), "--quiet", "-p", str(config), "-i", str(source), "-o", str(target)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=180)
        result.svg = target.read_text() if result.returncode == 0 else ""  # type: ignore[attr-defined]
        return result

    return _render


def diagrams(project: Path) -> list[str]:
    return BLOCK.findall((project / "README.md").read_text())


def test_a_broken_diagram_fails_to_render(render) -> None:
    # a relationship without its `: label`
    result = render("broken", "erDiagram\n    fact_orders }o--|| dim_customers customer_id\n")
    assert result.returncode != 0 and "Parse error" in result.stderr


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, ["fact_orders", "dim_customers", "dim_date", "silver_orders_quarantine"]),
        # snowflake references, several facts, decimal measures, role-playing dates
        ({"config": "examples/tpch.yml"}, ["fact_lineitem", "dim_nation", "dim_region"]),
        # one table, no fact: no relationships at all
        ({"table_names": "stations"}, ["dim_stations", "silver_stations_quarantine"]),
        # columns named like Mermaid's key markers (PK, FK, UK): quoted, or the diagram breaks
        (
            {
                "tables": {
                    "keyed": {"keys": ["PK"], "columns": {"PK": "int", "uk": "int"}},
                    "facts": {
                        "role": "fact",
                        "keys": ["FK"],
                        "measures": ["uk"],
                        "columns": {"FK": "int", "uk": "int", "PK": "int"},
                        "references": {"PK": "keyed"},
                    },
                }
            },
            ["dim_keyed", "fact_facts"],
        ),
        # an event log with no key, referencing one dimension twice (role-playing)
        (
            {
                "tables": {
                    "stores": {"keys": ["code"], "columns": {"code": "string"}},
                    "visits": {
                        "role": "fact",
                        "keys": [],
                        "measures": ["people"],
                        "columns": {"shop": "string", "nearest": "string", "people": "int"},
                        "references": {"shop": "stores", "nearest": "stores"},
                    },
                }
            },
            ["visits_sk", "shop_sk", "nearest_sk", "inferred members"],
        ),
    ],
    ids=["default", "tpch", "single-table", "key-marker-names", "keyless-role-playing"],
)
def test_the_readme_diagrams_render(render, tmp_path: Path, answers: dict, expected: list) -> None:
    answers = dict(answers)
    config = answers.pop("config", None)
    project = bake_project(tmp_path / "out", answers, ROOT / config if config else None)
    found = diagrams(project)
    assert [d.split("\n", 1)[0] for d in found] == ["erDiagram", "flowchart LR"]
    svgs = []
    for index, diagram in enumerate(found):
        result = render(f"{tmp_path.name}-{index}", diagram)
        assert result.returncode == 0, f"{diagram}\n{result.stderr}"
        svgs.append(result.svg)
    for name in expected:
        assert any(name in svg for svg in svgs), name
