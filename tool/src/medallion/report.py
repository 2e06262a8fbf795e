"""The local run report: one static HTML page about the last local runs (`make report`).

    medallion report [--state-dir .local]     # writes <state>/report/index.html

It reads what `run-local` keeps, no Spark: the local event log (`medallion.event_log`) for the
flows' rows and times and the trend across runs, and the tables (`local_summary`) for quarantine
by rule, sample quarantined rows, integrity checks and members. Charts are Plotly's, drawn in
the browser by `plotly.min.js`, written once beside the page, so the report opens offline. The
page itself is `report.html.j2`.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from plotly.offline import get_plotlyjs

from medallion import event_log, local_summary, project, warehouse
from medallion.flow_progress import LAYERS, layer_of

SAMPLE_ROWS = 5
RUNS_IN_TREND = 20
# Autoescaped: every value from the data is HTML-escaped (a quarantined row can hold any text).
PAGE = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    autoescape=True,
    undefined=StrictUndefined,
).get_template("report.html.j2")


def updates(state_dir: Path) -> list[dict[str, Any]]:
    """The updates of the event log, oldest first: state, start, end, and per flow its rows,
    start and end."""
    by_id: dict[str, dict[str, Any]] = {}
    for event in event_log.read(state_dir).to_pylist():
        origin = event["origin"]
        update = by_id.setdefault(
            origin["update_id"],
            {"id": origin["update_id"], "started": event["timestamp"], "flows": {}},
        )
        update["ended"] = event["timestamp"]
        details = json.loads(event["details"])
        if "update_progress" in details:
            update["state"] = details["update_progress"]["state"]
        progress = details.get("flow_progress")
        if progress:
            flow = update["flows"].setdefault(origin["flow_name"], {"started": event["timestamp"]})
            flow["status"] = progress["status"]
            flow["ended"] = event["timestamp"]
            if "metrics" in progress:
                flow["rows"] = progress["metrics"]["num_output_rows"]
    return sorted(by_id.values(), key=lambda update: update["started"])


def graph(tables: Any, flows: dict[str, dict[str, Any]]) -> go.Figure:
    """The pipeline's datasets by layer, each edge a dependency; hover shows rows and seconds."""
    edges = []
    for spec in tables.ALL_TABLES:
        gold = f"dim_{spec.name}" if spec.role == "dimension" else f"fact_{spec.name}"
        edges += [(f"bronze_{spec.name}", f"silver_{spec.name}")]
        edges += [(f"bronze_{spec.name}", f"silver_{spec.name}_quarantine")]
        edges += [(f"silver_{spec.name}", gold), (gold, "gold_integrity_checks")]
        edges += [(f"dim_{target}", gold) for target in spec.references.values()]
        if spec.role == "fact" and "dim_date" in flows:
            edges += [(f"silver_{spec.name}", "dim_date")]
    nodes = sorted({name for edge in edges for name in edge} | set(flows))
    column = {"bronze": 0, "silver": 1, "gold": 2}
    place: dict[str, tuple[float, float]] = {}
    for layer in LAYERS:
        names = [name for name in nodes if layer_of(name) == layer]
        for i, name in enumerate(names):
            place[name] = (column[layer] + (0.35 if name == "gold_integrity_checks" else 0), -i)
    figure = go.Figure()
    for source, target in edges:
        (x0, y0), (x1, y1) = place[source], place[target]
        figure.add_trace(
            go.Scatter(
                x=[x0, x1], y=[y0, y1], mode="lines", line={"color": "#bbb"}, hoverinfo="skip"
            )
        )
    figure.add_trace(
        go.Scatter(
            x=[place[n][0] for n in nodes],
            y=[place[n][1] for n in nodes],
            mode="markers+text",
            text=nodes,
            textposition="top center",
            hovertext=[flow_text(n, flows.get(n)) for n in nodes],
            hoverinfo="text",
            marker={"size": 14, "color": [status_color(flows.get(n)) for n in nodes]},
        )
    )
    axis = {"visible": False}
    figure.update_layout(
        showlegend=False, xaxis=axis, yaxis=axis, height=60 * len(nodes) // 2 + 200
    )
    return figure


def seconds(flow: dict[str, Any]) -> float:
    return (flow["ended"] - flow["started"]).total_seconds()


def flow_text(name: str, flow: dict[str, Any] | None) -> str:
    if not flow:
        return f"{name}: not run"
    rows = flow.get("rows")
    return (
        f"{name}: {flow['status']}, {rows if rows is not None else '?'} rows, {seconds(flow):.1f} s"
    )


def status_color(flow: dict[str, Any] | None) -> str:
    status = (flow or {}).get("status")
    return {"COMPLETED": "#2a9d8f", "FAILED": "#e63946"}.get(status or "", "#999")


def flow_charts(flows: dict[str, dict[str, Any]]) -> tuple[go.Figure, go.Figure]:
    """Rows per flow, and when each flow ran (a timeline, coloured by layer)."""
    names = sorted(flows, key=lambda name: (LAYERS.index(layer_of(name)), name))
    rows = go.Figure(
        go.Bar(
            x=names,
            y=[flows[n].get("rows") or 0 for n in names],
            text=[flows[n].get("rows") for n in names],
        )
    )
    rows.update_layout(title="Rows written per flow (latest run)", yaxis_title="rows")
    start = min(flow["started"] for flow in flows.values())
    timeline = go.Figure()
    for layer in LAYERS:
        layer_names = [n for n in names if layer_of(n) == layer]
        timeline.add_trace(
            go.Bar(
                name=layer,
                y=layer_names,
                x=[seconds(flows[n]) for n in layer_names],
                base=[(flows[n]["started"] - start).total_seconds() for n in layer_names],
                orientation="h",
            )
        )
    timeline.update_layout(title="When each flow ran (seconds from the start)", xaxis_title="s")
    return rows, timeline


def trend(history: list[dict[str, Any]]) -> go.Figure:
    """Duration and bronze rows of the last runs."""
    recent = history[-RUNS_IN_TREND:]
    when = [f"{update['started']:%m-%d %H:%M:%S}" for update in recent]  # one bar per run
    figure = go.Figure(
        go.Scatter(
            x=when,
            y=[(u["ended"] - u["started"]).total_seconds() for u in recent],
            name="run seconds",
            mode="lines+markers",
        )
    )
    landed = [
        sum(f.get("rows") or 0 for n, f in u["flows"].items() if n.startswith("bronze_"))
        for u in recent
    ]
    figure.add_trace(go.Bar(x=when, y=landed, name="rows landed", yaxis="y2", opacity=0.4))
    figure.update_layout(
        title=f"The last {len(recent)} local runs",
        yaxis={"title": "seconds"},
        yaxis2={"title": "rows landed", "overlaying": "y", "side": "right"},
    )
    return figure


def quarantine_chart(summary: local_summary.Summary) -> go.Figure:
    figure = go.Figure()
    for table, counts in summary.quarantined.items():
        rules = sorted(counts)
        figure.add_trace(go.Bar(name=table, x=rules, y=[counts[r] for r in rules]))
    figure.update_layout(
        title="Quarantined rows by failed rule", barmode="group", yaxis_title="rows"
    )
    return figure


def shown(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, list):
        return ", ".join(map(shown, value))
    return str(value)


def samples(warehouse_dir: Path, tables: Any) -> list[dict[str, Any]]:
    """Per quarantine table with rows: its row count and its first rows, `_failed_rules` first."""
    found = []
    for spec in tables.ALL_TABLES:
        name = f"silver_{spec.name}_quarantine"
        rows = warehouse.read_table(warehouse_dir / name)
        if rows is None or rows.num_rows == 0:
            continue
        sample = rows.slice(0, SAMPLE_ROWS).to_pylist()
        header = ["_failed_rules", *[c for c in sample[0] if c != "_failed_rules"]]
        cells = [[shown(row[c]) for c in header] for row in sample]
        found.append({"table": name, "rows": rows.num_rows, "header": header, "sample": cells})
    return found


def page(state_dir: Path, tables: Any, summary: local_summary.Summary | None = None) -> str:
    history = updates(state_dir)
    if not history:
        folder = state_dir / event_log.FOLDER
        raise SystemExit(f"report: no local run recorded in {folder}: run make run-local first")
    latest = history[-1]
    warehouse_dir = state_dir / "warehouse"
    summary = summary or local_summary.summarize(warehouse_dir, tables)
    flows = latest["flows"]
    rows_chart, timeline = flow_charts(flows) if flows else (go.Figure(), go.Figure())
    figures = {
        "graph": graph(tables, flows),
        "rows": rows_chart,
        "timeline": timeline,
        "quarantine": quarantine_chart(summary),
        "trend": trend(history),
    }
    charts = {
        name: figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{name}")
        for name, figure in figures.items()
    }
    layer_time = defaultdict(float)
    for name, flow in flows.items():
        layer_time[layer_of(name)] = max(layer_time[layer_of(name)], seconds(flow))
    checks = [
        {"check": check, "failures": failures, "sample": sample, "holds": not failures}
        for check, failures, sample in summary.integrity
    ]
    return PAGE.render(
        pipeline=project.pipeline_name(),
        latest=latest,
        duration=(latest["ended"] - latest["started"]).total_seconds(),
        runs=len(history),
        charts=charts,
        layer_time={layer: layer_time[layer] for layer in LAYERS if layer in layer_time},
        quarantine=samples(warehouse_dir, tables),
        checks=checks,
        summary=summary,
        state_dir=state_dir,
        generated=datetime.now(),
    )


def write(state_dir: Path, summary: local_summary.Summary | None = None) -> Path:
    """Write the report (and Plotly's script beside it, once); return the page's path.
    `summary`: the tables' counts, when the caller has read them already."""
    sys.path.insert(0, str(project.root() / "src"))
    tables = importlib.import_module(f"{project.package_name()}.tables")
    folder = state_dir / "report"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "plotly.min.js"
    if not script.exists():
        script.write_text(get_plotlyjs(), encoding="utf-8")
    path = folder / "index.html"
    path.write_text(page(state_dir, tables, summary), encoding="utf-8")
    return path
