"""The HTML report: one self-contained page, per scenario a timeline (inline SVG) of client,
proxy and server: one lane per HTTP exchange (streams and their resumptions), SSE events with
their ids, cuts and reconnects, faults, elicitation/sampling answers, and the witness of any
failure highlighted. Each history is downloadable from the page (a data: URI)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from harness.history import Answer, End, Fault, History, Note, Request, Response, SseEvent
from harness.runner import ScenarioResult, relevant

LANE_H = 26
LEFT = 230
WIDTH = 1100
COLORS = {"PASS": "#1a7f37", "FAIL": "#cf222e", "WARN": "#9a6700", "ERROR": "#8250df",
          "NOT-APPLICABLE": "#6e7781", "NOT-OBSERVED": "#6e7781"}

CSS = """
body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328}
h1{font-size:22px} h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0} td,th{padding:3px 8px;border-bottom:1px solid #d0d7de;text-align:left}
.st{font-weight:600} .small{color:#57606a;font-size:12px}
svg{border:1px solid #d0d7de;background:#fff;margin:6px 0}
svg text{font:11px ui-monospace,monospace}
.legend span{margin-right:14px}
"""


def _esc(s: object) -> str:
    return html.escape(str(s), quote=True)


def _label(h: History, x: int) -> str:
    req = h.request(x)
    if req is None:
        return f"x{x}"
    rpc = req.body.get("method") if isinstance(req.body, dict) else None
    rid = req.body.get("id") if isinstance(req.body, dict) else None
    if req.method == "GET":
        lei = req.headers.get("last-event-id")
        return f"{req.client} GET {'resume ' + lei if lei else 'stream'}"[:34]
    if rpc:
        return f"{req.client} {req.method} {rpc}" + (f" #{rid}" if rid is not None else "")
    return f"{req.client} {req.method} {req.purpose}"


def timeline_svg(h: History, witness: set[int]) -> str:
    xs = sorted({r.x for r in h if isinstance(r, Request)})
    lanes = {x: i for i, x in enumerate(xs)}
    t_end = max((r.t for r in h), default=1.0) or 1.0
    scale = (WIDTH - LEFT - 20) / t_end

    def px(t: float) -> float:
        return LEFT + t * scale

    height = 30 + LANE_H * max(len(xs), 1) + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" role="img">']
    for x, i in lanes.items():
        y = 30 + i * LANE_H
        req, end = h.request(x), h.end(x)
        t0 = req.t if req else 0.0
        t1 = end.t if end else t_end
        out.append(f'<text x="4" y="{y + 4}">{_esc(_label(h, x))}</text>')
        out.append(f'<line x1="{px(t0):.1f}" y1="{y}" x2="{px(t1):.1f}" y2="{y}" stroke="#8c959f" stroke-width="2"/>')
        resp = h.response(x)
        if resp is not None:
            out.append(f'<text x="{px(resp.t) + 3:.1f}" y="{y - 6}" fill="#57606a">{resp.status}</text>')
    for r in h:
        hot = r.seq in witness
        if isinstance(r, SseEvent) and r.x in lanes:
            y = 30 + lanes[r.x] * LANE_H
            msg = r.message if isinstance(r.message, dict) else {}
            kind = msg.get("method") or ("response" if "id" in msg and "method" not in msg else "priming")
            fill = {"response": "#1a7f37", "priming": "#ffffff"}.get(kind, "#0969da")
            if "method" in msg and "id" in msg:
                fill = "#bf8700"  # a server->client request
            title = f"#{r.seq} id={r.id} {kind} {r.data[:120]}"
            stroke = ' stroke="#cf222e" stroke-width="3"' if hot else ' stroke="#24292f"'
            out.append(f'<circle cx="{px(r.t):.1f}" cy="{y}" r="{6 if hot else 4}" fill="{fill}"{stroke}>'
                       f"<title>{_esc(title)}</title></circle>")
        elif isinstance(r, End) and r.x in lanes and r.reason != "eof":
            y = 30 + lanes[r.x] * LANE_H
            c = px(r.t)
            out.append(f'<path d="M{c - 5:.1f},{y - 5} l10,10 m0,-10 l-10,10" stroke="#cf222e" stroke-width="2">'
                       f"<title>{_esc(f'#{r.seq} {r.reason} {r.detail}')}</title></path>")
        elif isinstance(r, Fault):
            c = px(r.t)
            out.append(f'<line x1="{c:.1f}" y1="14" x2="{c:.1f}" y2="{height - 8}" stroke="#cf222e" '
                       f'stroke-dasharray="4 3"><title>{_esc(f"#{r.seq} fault {r.action} {r.toxic}")}</title></line>')
            out.append(f'<text x="{c + 2:.1f}" y="12" fill="#cf222e">{_esc(r.action)}</text>')
        elif isinstance(r, Answer):
            y = 30 + lanes.get(r.x, 0) * LANE_H if r.x is not None else 18
            c = px(r.t)
            out.append(f'<path d="M{c:.1f},{y - 7} l6,7 l-6,7 l-6,-7 z" fill="#bf8700">'
                       f"<title>{_esc(f'#{r.seq} answer {r.method}: {r.script}')}</title></path>")
        elif isinstance(r, Response | Note):
            continue
    out.append("</svg>")
    return "".join(out)


def _section(r: ScenarioResult) -> str:
    shown = relevant(r)
    witness = {s for v in shown if v.status in ("FAIL", "WARN", "ERROR") for s in v.witness}
    rows = "".join(
        f'<tr><td class="st" style="color:{COLORS.get(v.status, "#000")}">{_esc(v.status)}</td>'
        f"<td>{_esc(v.check)}</td><td>{_esc(v.requirement)}</td><td>{_esc(v.level)}</td>"
        f"<td>{_esc(v.message)}</td><td class='small'>{_esc(v.witness or '')}</td></tr>"
        for v in shown)
    data = base64.b64encode(r.history.dumps().encode()).decode()
    name = f"{r.scenario}@{r.revision}"
    return (f'<h2 id="{_esc(name)}">{_esc(name)} — <span style="color:{COLORS.get(r.status, "#000")}">'
            f"{_esc(r.status)}</span> <span class='small'>{r.wall:.2f}s {_esc(r.reason)}</span></h2>"
            f"{timeline_svg(r.history, witness)}"
            f"<table><tr><th>status</th><th>check</th><th>requirement</th><th>level</th><th>message</th>"
            f"<th>witness</th></tr>{rows}</table>"
            f'<a download="{_esc(name)}.jsonl" href="data:application/x-ndjson;base64,{data}">history (JSONL)</a>')


def render(results: list[ScenarioResult]) -> str:
    overview = "".join(
        f'<tr><td><a href="#{_esc(r.scenario)}@{_esc(r.revision)}">{_esc(r.scenario)}</a></td>'
        f'<td>{_esc(r.revision)}</td><td class="st" style="color:{COLORS.get(r.status, "#000")}">'
        f"{_esc(r.status)}</td><td>{r.wall:.2f}s</td></tr>" for r in results)
    legend = ('<p class="legend small"><span>● blue: notification</span><span>● amber: server request</span>'
              '<span>● green: response</span><span>○ priming</span><span>✕ cut/timeout</span>'
              '<span>┆ fault</span><span>◆ client answer</span><span>red ring: witness</span></p>')
    body = "".join(_section(r) for r in results)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Faultline report</title>"
            f"<style>{CSS}</style></head><body><h1>Faultline report</h1>{legend}"
            f"<table><tr><th>scenario</th><th>revision</th><th>status</th><th>time</th></tr>{overview}</table>"
            f"{body}</body></html>")


def write_html(results: list[ScenarioResult], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(results), encoding="utf-8")
    return path
