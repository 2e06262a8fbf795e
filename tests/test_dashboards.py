"""The dashboards' documents have the structure of published `.lvdash.json` files (Databricks'
bundle-examples and CLI acceptance tests): spec versions per widget type, a six-column grid with no
overlap, unique names, every widget reading a dataset of its own document. The generated project's
tests/e2e/test_event_log_queries.py runs their SQL; this checks the layout, for several specs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bake import dashboards
from bake import spec as table_spec

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
VERSIONS = {"bar": 3, "line": 3, "table": 1, "counter": 2}


def specs() -> dict[str, dict]:
    found = {"default": table_spec.normalize("customers, products, orders", {})}
    found["one fact, no references"] = table_spec.normalize("events", {})
    config = yaml.safe_load((EXAMPLES / "tpch.yml").read_text())["default_context"]
    found["tpch"] = table_spec.normalize("", config["tables"])
    return found


DOCUMENTS = {
    f"{name}: {which}": document
    for name, spec in specs().items()
    for which, document in (
        ("pipeline_health", dashboards.pipeline_health("p_event_log", spec)),
        ("gold_quality", dashboards.gold_quality(spec)),
    )
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_widgets_read_their_datasets_with_published_spec_versions(name: str) -> None:
    document = DOCUMENTS[name]
    datasets = [dataset["name"] for dataset in document["datasets"]]
    assert len(set(datasets)) == len(datasets)
    assert all("".join(d["queryLines"]).lstrip().upper().startswith(("SELECT", "WITH"))
               for d in document["datasets"])  # fmt: skip
    widgets = [item["widget"] for page in document["pages"] for item in page["layout"]]
    assert len({widget["name"] for widget in widgets}) == len(widgets)
    for widget in widgets:
        spec = widget["spec"]
        assert spec["version"] == VERSIONS[spec["widgetType"]], widget["name"]
        [query] = widget["queries"]
        assert query["query"]["datasetName"] in datasets
        fields = {field["name"] for field in query["query"]["fields"]}
        encoded = spec["encodings"]
        named = [
            encoded[axis]["fieldName"] for axis in ("x", "y", "color", "value") if axis in encoded
        ]
        named += [column["fieldName"] for column in encoded.get("columns", [])]
        assert set(named) == fields, widget["name"]  # every field shown, none left unused
        assert query["query"]["disaggregated"] == (spec["widgetType"] == "table")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_layout_fills_a_six_column_grid_without_overlap(name: str) -> None:
    for page in DOCUMENTS[name]["pages"]:
        assert page["pageType"] == "PAGE_TYPE_CANVAS"
        cells: set[tuple[int, int]] = set()
        for item in page["layout"]:
            p = item["position"]
            assert p["x"] >= 0 and p["width"] > 0 and p["x"] + p["width"] <= 6
            covered = {(x, y) for x in range(p["x"], p["x"] + p["width"])
                       for y in range(p["y"], p["y"] + p["height"])}  # fmt: skip
            assert not cells & covered, item["widget"]["name"]
            cells |= covered


def test_a_fact_without_references_has_no_unknown_member_widget() -> None:
    document = DOCUMENTS["one fact, no references: gold_quality"]
    assert "unknown_members" not in [dataset["name"] for dataset in document["datasets"]]
    tpch = DOCUMENTS["tpch: gold_quality"]
    unknown = next(d for d in tpch["datasets"] if d["name"] == "unknown_members")
    assert "".join(unknown["queryLines"]).count("UNION ALL") >= 3  # one per reference of a fact
