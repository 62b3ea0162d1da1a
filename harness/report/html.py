"""The HTML report: one page that leads with what failed.

First the run (target, profile, revisions, when) and its totals, then every scenario with a finding
(ERROR, FAIL, WARN) open: its findings, each witness seq a link to the record in the timeline, the
witness records in words, and the timeline (harness/report/timeline.py). Then, folded, the scenarios
whose targeted checks were NOT-OBSERVED, the passes, and one line per NOT-APPLICABLE scenario (no
picture: it did not run). Histories are linked (relative to the page), never inlined, so the page
stays small.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.report.status import FINDINGS, STATUSES, shown, targeted
from harness.report.summary import Tally, plural, tally
from harness.report.timeline import describe, esc, legend, timeline_svg
from harness.report.verdicts import RunInfo
from harness.runner import ScenarioResult

COLORS = {"PASS": "#1a7f37", "FAIL": "#cf222e", "WARN": "#9a6700", "ERROR": "#8250df",
          "NOT-APPLICABLE": "#6e7781", "NOT-OBSERVED": "#6e7781"}

CSS = """
body{font:14px system-ui,sans-serif;margin:16px 24px;color:#1f2328}
h1{font-size:21px;margin:0 0 4px} h2{font-size:17px;margin:22px 0 8px} h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;margin:6px 0} td,th{padding:2px 8px;border-bottom:1px solid #d0d7de;text-align:left;
vertical-align:top}
.small,.meta{color:#57606a;font-size:12px} .st{font-weight:600}
#totals{display:flex;gap:8px;flex-wrap:wrap;align-items:baseline;margin:8px 0}
.chip{padding:2px 10px;border-radius:12px;border:1px solid #d0d7de;font-weight:600}
.finding{border:2px solid #cf222e;border-radius:6px;padding:4px 12px;margin:10px 0}
.finding.f-WARN{border-color:#9a6700} .finding.f-ERROR{border-color:#8250df}
details{margin:3px 0} summary{cursor:pointer}
svg.timeline{border:1px solid #d0d7de;background:#fff;margin:6px 0;display:block}
svg text{font:11px ui-monospace,monospace;fill:#1f2328}
.legend{font-size:12px;color:#57606a;margin:4px 0} .legend .item{margin-right:14px;white-space:nowrap}
.legend svg{vertical-align:middle;margin-right:3px}
.lane{stroke:#8c959f;stroke-width:2} .grid{stroke:#eaeef2} .tick{fill:#57606a}
.k-notification{fill:#0969da;stroke:#0a3069} .k-server-request{fill:#bf8700;stroke:#7d4e00}
.k-response{fill:#1a7f37;stroke:#0f4d22} .k-priming{fill:#ffffff;stroke:#24292f}
.k-answer{fill:#8250df;stroke:#512a97} .k-cut{stroke:#cf222e;stroke-width:2;fill:none}
.k-fault{stroke:#cf222e;stroke-dasharray:4 3;stroke-width:1.5} svg text.fault-label{fill:#cf222e}
.witness{fill:none;stroke:#cf222e;stroke-width:2.5}
.mark-req{fill:#24292f} .mark-end{fill:#8c959f} .mark-note{fill:#57606a} svg text.status{fill:#57606a}
svg :target{stroke:#000;stroke-width:3}
a.seq{font-family:ui-monospace,monospace}
tr.t td:nth-child(2){font-weight:600} tr.v td:first-child{font-weight:600}
""" + "".join(f".s-{s},tr[data-status={s}] td:first-child{{color:{c}}}" for s, c in COLORS.items())


def _chip(status: str, n: int, what: str) -> str:
    return (f'<span class="chip" data-{what}="{status}" data-count="{n}" style="color:{COLORS[status]}">'
            f"{n:,} {esc(status)}</span>")


def _totals(t: Tally) -> str:
    scenarios = "".join(_chip(s, n, "scenarios") for s, n in t.scenarios.items() if n)
    verdicts = "".join(_chip(s, n, "verdicts") for s, n in t.verdicts.items() if n)
    omitted = (f'<span class="small" data-omitted="{t.omitted}">({t.omitted:,} NOT-OBSERVED verdicts of checks '
               f"the scenarios do not target are not shown)</span>") if t.omitted else ""
    return (f'<div id="totals"><b>{plural(t.runs, "scenario run")}</b>{scenarios}</div>'
            f'<div id="verdict-totals" style="display:flex;gap:8px;flex-wrap:wrap;align-items:baseline">'
            f"<b>{plural(t.verdict_total, 'verdict')}</b>{verdicts}{omitted}</div>")


def _anchor(i: int) -> str:
    return f"r{i}"


def _witness_links(r: ScenarioResult, seqs: list[int], anchor: str) -> str:
    return " ".join(f'<a class="seq" href="#{anchor}-{s}">#{s}</a>' for s in seqs if 0 <= s < len(r.history))


def _verdict_table(r: ScenarioResult, anchor: str) -> str:
    """Every shown verdict, one row each; the checks the scenario targets in bold."""
    rows = "".join(
        f'<tr class="v{" t" if targeted(v, r.exercises) else ""}" data-status="{esc(v.status)}"><td>{esc(v.status)}</td>'
        f"<td>{esc(v.check)}</td><td>{esc(v.requirement)}</td><td>{esc(v.level)}</td><td>{esc(v.message)}</td>"
        f"<td>{_witness_links(r, v.witness, anchor)}</td></tr>"
        for v in shown(r.verdicts, r.exercises))
    return (f"<table><tr><th>status</th><th>check (bold: targeted)</th><th>requirement</th><th>level</th>"
            f"<th>message</th><th>witness</th></tr>{rows}</table>")


def _history_link(r: ScenarioResult, base: Path | None) -> str:
    if r.history_path is None:
        return ""
    href = os.path.relpath(r.history_path.resolve(), base) if base is not None else str(r.history_path)
    return f'<a class="small" href="{esc(Path(href).as_posix())}">history (JSONL)</a>'


def _name(r: ScenarioResult) -> str:
    return f"{r.scenario}@{r.revision}"


def _head(r: ScenarioResult) -> str:
    return (f'<span class="st s-{esc(r.status)}">{esc(r.status)}</span> '
            f"{esc(_name(r))} <span class='small'>{r.wall:.2f}s {esc(r.reason)}</span>")


def _failure(r: ScenarioResult, i: int, base: Path | None) -> str:
    anchor = _anchor(i)
    found = [v for v in shown(r.verdicts, r.exercises) if v.status in FINDINGS]
    witness = {s for v in found for s in v.witness}
    items = []
    for v in found:
        records = "".join(f'<li><a class="seq" href="#{anchor}-{s}">#{s}</a> {r.history[s].t:.3f}s '
                          f"{esc(describe(r.history[s]))}</li>" for s in v.witness if 0 <= s < len(r.history))
        items.append(f'<p><span class="st s-{esc(v.status)}">{esc(v.status)}</span> '
                     f"<b>{esc(v.check)}</b> [{esc(v.requirement)}, {esc(v.level)}]: {esc(v.message)}</p>"
                     f"<p class='small'>{esc(v.spec)}</p>" + (f"<ol class='small'>{records}</ol>" if records else ""))
    return (f'<section class="scenario finding f-{esc(r.status)}" id="{esc(_name(r))}" data-status="{esc(r.status)}">'
            f"<h3>{_head(r)}</h3>{''.join(items)}{timeline_svg(r.history, witness, anchor)}"
            f"<details><summary>all verdicts of {esc(_name(r))}</summary>{_verdict_table(r, anchor)}</details>"
            f"{_history_link(r, base)}</section>")


def _folded(r: ScenarioResult, i: int, base: Path | None) -> str:
    anchor = _anchor(i)
    picture = timeline_svg(r.history, set(), anchor, detail=False) if r.history_path is not None or len(r.history) > 1 else ""
    return (f'<details class="scenario" id="{esc(_name(r))}" data-status="{esc(r.status)}"><summary>{_head(r)}'
            f"</summary>{picture}{_verdict_table(r, anchor)}{_history_link(r, base)}</details>")


def _not_applicable(rs: list[ScenarioResult]) -> str:
    rows = "".join(f'<tr class="scenario" data-status="NOT-APPLICABLE" id="{esc(_name(r))}"><td>{esc(_name(r))}</td>'
                   f'<td class="small">{esc(r.reason)}</td>'
                   + "".join(f'<td class="v small" data-status="{esc(v.status)}">'
                             f"{'' if v.message == r.reason else esc(v.message)}</td>"
                             for v in shown(r.verdicts, r.exercises)) + "</tr>" for r in rs)
    return f"<table>{rows}</table>"


def render(results: list[ScenarioResult], info: RunInfo | None = None, counts: Tally | None = None,
           base: Path | None = None) -> str:
    counts = counts or tally(results)
    numbered = list(enumerate(results))
    by = {s: [(i, r) for i, r in numbered if r.status == s] for s in STATUSES}
    meta = ""
    if info is not None:
        meta = (f'<p class="meta">target {esc(info.target)} · profile {esc(info.profile)} · revisions '
                f"{esc(', '.join(info.revisions))} · {info.finished_at - info.started_at:.1f}s</p>")
    failing = [(i, r) for s in FINDINGS for i, r in by[s]]
    parts = [f"<h1>Faultline report</h1>{meta}{_totals(counts)}"]
    if failing:
        parts.append(f'<h2 id="failures">{plural(len(failing), "scenario")} with findings</h2>{legend()}')
        parts += [_failure(r, i, base) for i, r in failing]
    else:
        parts.append(f'<h2 id="failures">No findings</h2>{legend()}')
    if by["NOT-OBSERVED"]:
        parts.append(f"<h2>NOT-OBSERVED ({len(by['NOT-OBSERVED'])}): nothing the scenario targets was seen</h2>")
        parts += [_folded(r, i, base) for i, r in by["NOT-OBSERVED"]]
    if by["PASS"]:
        parts.append(f"<h2>PASS ({len(by['PASS'])})</h2>")
        parts += [_folded(r, i, base) for i, r in by["PASS"]]
    if by["NOT-APPLICABLE"]:
        parts.append(f"<h2>NOT-APPLICABLE ({len(by['NOT-APPLICABLE'])}): did not run</h2>"
                     f"{_not_applicable([r for _, r in by['NOT-APPLICABLE']])}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Faultline report</title>"
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def write_html(results: list[ScenarioResult], path: Path, info: RunInfo | None = None,
               counts: Tally | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(results, info, counts, base=path.parent.resolve()), encoding="utf-8")
    return path
