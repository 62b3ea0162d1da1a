"""One scenario's history as an inline SVG timeline: one lane per HTTP exchange (streams and their
resumptions) from its request to its end, the SSE events on it, cuts, faults, the client's answers, a
time axis, and a red ring on each witness record, where it happened.

Every drawn record carries the id `{anchor}-{seq}`, so a witness seq links to it (`#{anchor}-{seq}`).
Colours come from the page's CSS classes (`k-…`), the same classes the legend draws with.
"""

from __future__ import annotations

import html
import math

from harness.history import (
    Answer,
    End,
    Fault,
    History,
    Meta,
    Note,
    Record,
    Request,
    Response,
    SseEvent,
    Verdict,
)

LANE_H = 24
LEFT = 240
WIDTH = 1100
TOP = 34  # room for the fault labels
AXIS_H = 26

# (css class, legend text, shape) in legend order
KINDS = (("k-notification", "notification", "dot"), ("k-server-request", "server request", "dot"),
         ("k-response", "response", "dot"), ("k-priming", "priming / empty event", "dot"),
         ("k-answer", "client answer", "diamond"), ("k-cut", "cut / reset / timeout", "cross"),
         ("k-fault", "fault", "dash"), ("witness", "witness record", "ring"))


def esc(s: object) -> str:
    return html.escape(str(s), quote=True)


def label(h: History, x: int) -> str:
    req = h.request(x)
    if req is None:
        return f"x{x}"
    rpc = req.body.get("method") if isinstance(req.body, dict) else None
    rid = req.body.get("id") if isinstance(req.body, dict) else None
    if req.method == "GET":
        lei = req.headers.get("last-event-id")
        return f"{req.client} GET {'resume ' + lei if lei else 'stream'}"[:36]
    if rpc:
        return (f"{req.client} {req.method} {rpc}" + (f" #{rid}" if rid is not None else ""))[:36]
    return f"{req.client} {req.method} {req.purpose}"[:36]


def describe(r: Record) -> str:
    """One line for a record: what a witness link's text and a mark's tooltip say."""
    if isinstance(r, Request):
        rpc = r.body.get("method") if isinstance(r.body, dict) else None
        hdrs = " ".join(f"{k}: {r.headers[k]}" for k in ("origin", "last-event-id") if k in r.headers)
        return f"request x{r.x} {r.client} {r.method} {rpc or r.purpose} {hdrs}".strip()
    if isinstance(r, Response):
        return f"response x{r.x} HTTP {r.status} {r.content_type} {r.body_text[:80]}".strip()
    if isinstance(r, SseEvent):
        return f"event x{r.x} id={r.id} {r.data[:64]}"
    if isinstance(r, End):
        return f"end x{r.x} {r.reason} {r.detail[:80]}".strip()
    if isinstance(r, Fault):
        return f"fault {r.action} {r.toxic.get('type', '') or r.toxic.get('name', '')} {r.detail}".strip()
    if isinstance(r, Answer):
        return f"answer {r.method}: {r.script}"
    if isinstance(r, Note):
        return f"note {r.text[:100]}"
    return r.kind


def _event_class(r: SseEvent) -> str:
    msg = r.message if isinstance(r.message, dict) else {}
    if "method" in msg:
        return "k-server-request" if "id" in msg else "k-notification"
    return "k-response" if msg else "k-priming"


def _step(span: float) -> float:
    """A round tick step giving 4 to 10 ticks over `span` seconds."""
    raw = span / 6
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def _tick(t: float, step: float) -> str:
    return f"{t * 1000:.0f} ms" if step < 0.5 else f"{t:.1f} s" if step < 5 else f"{t:.0f} s"


def timeline_svg(h: History, witness: set[int], anchor: str, *, detail: bool = True) -> str:
    """`detail`: each mark's tooltip says what the record is; without it only its seq and time (the
    folded timelines of passing scenarios: the history file has the rest, and the page stays small)."""
    drawn = [r for r in h if not isinstance(r, Verdict | Meta)]
    xs = sorted({r.x for r in drawn if isinstance(r, Request)})
    lanes = {x: i for i, x in enumerate(xs)}
    t_end = max((r.t for r in drawn), default=0.0) or 0.001
    scale = (WIDTH - LEFT - 44) / t_end
    bottom = TOP + LANE_H * max(len(xs), 1)
    height = bottom + AXIS_H

    def px(t: float) -> float:
        return LEFT + t * scale

    def lane_y(x: int | None) -> int:
        return TOP + lanes[x] * LANE_H if x in lanes else TOP - 14

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{WIDTH}" height="{height}" '
           f'role="img" aria-label="timeline">']
    step = _step(t_end)
    n = 0
    while n * step <= t_end * 1.0001:
        t = n * step
        out.append(f'<line class="grid" x1="{px(t):.1f}" y1="{TOP - 10}" x2="{px(t):.1f}" y2="{bottom}"/>'
                   f'<text class="tick" x="{px(t):.1f}" y="{bottom + 16}">{_tick(t, step)}</text>')
        n += 1
    for x, i in lanes.items():
        y = TOP + i * LANE_H
        req, end = h.request(x), h.end(x)
        t0 = req.t if req else 0.0
        t1 = end.t if end else t_end
        out.append(f'<text x="4" y="{y + 4}">{esc(label(h, x))}</text>'
                   f'<line class="lane" x1="{px(t0):.1f}" y1="{y}" x2="{px(t1):.1f}" y2="{y}"/>')
    rings = []
    for r in drawn:
        tip = f"<title>#{r.seq} {r.t:.3f}s{' ' + esc(describe(r)) if detail else ''}</title>"
        ident = f'id="{anchor}-{r.seq}"'
        y = lane_y(getattr(r, "x", None))
        c = px(r.t)
        if isinstance(r, Request):
            out.append(f'<rect {ident} class="mark-req" x="{c - 1.5:.1f}" y="{y - 7}" width="3" height="14">'
                       f"{tip}</rect>")
        elif isinstance(r, Response):
            out.append(f'<text {ident} class="status" x="{c + 3:.1f}" y="{y - 6}">{r.status}{tip}</text>')
        elif isinstance(r, SseEvent):
            out.append(f'<circle {ident} class="{_event_class(r)}" cx="{c:.1f}" cy="{y}" r="4">{tip}</circle>')
        elif isinstance(r, End):
            if r.reason == "eof":
                out.append(f'<rect {ident} class="mark-end" x="{c - 1:.1f}" y="{y - 4}" width="2" height="8">'
                           f"{tip}</rect>")
            else:
                out.append(f'<path {ident} class="k-cut" d="M{c - 5:.1f},{y - 5} l10,10 m0,-10 l-10,10">'
                           f"{tip}</path>")
        elif isinstance(r, Fault):
            y = TOP - 14
            out.append(f'<line {ident} class="k-fault" x1="{c:.1f}" y1="{TOP - 10}" x2="{c:.1f}" y2="{bottom}">{tip}</line>'
                       f'<text class="fault-label" x="{c + 2:.1f}" y="{TOP - 20}">{esc(r.action)}</text>')
        elif isinstance(r, Answer):
            out.append(f'<path {ident} class="k-answer" d="M{c:.1f},{y - 7} l6,7 l-6,7 l-6,-7 z">{tip}</path>')
        elif isinstance(r, Note):
            y = TOP - 14
            out.append(f'<circle {ident} class="mark-note" cx="{c:.1f}" cy="{y}" r="2">{tip}</circle>')
        if r.seq in witness:
            rings.append(f'<circle class="witness" cx="{c:.1f}" cy="{y}" r="9"><title>witness #{r.seq}</title></circle>')
    out.extend(rings)  # on top of every mark
    out.append("</svg>")
    return "".join(out)


def legend() -> str:
    """The legend: each kind drawn with the very class (so the very colour) the timeline uses."""
    shapes = {"dot": '<circle class="{c}" cx="8" cy="8" r="5"/>',
              "diamond": '<path class="{c}" d="M8,1 l6,7 l-6,7 l-6,-7 z"/>',
              "cross": '<path class="{c}" d="M3,3 l10,10 m0,-10 l-10,10"/>',
              "dash": '<line class="{c}" x1="8" y1="0" x2="8" y2="16"/>',
              "ring": '<circle class="{c}" cx="8" cy="8" r="6"/>'}
    items = "".join(f'<span class="item" data-kind="{c}"><svg width="16" height="16">{shapes[s].format(c=c)}</svg>'
                    f"{esc(text)}</span>" for c, text, s in KINDS)
    return f'<p class="legend">{items}<span class="item">▮ request · ▯ end · number: HTTP status</span></p>'
