"""The HTML report as a browser shows it (headless Chromium): the failure, its witness and its timeline in
the first screen although the failing scenario ran last; the legend drawn in the very colours of the
timeline's marks (and those colours not grey); every witness link lands on a record of the timeline.

The page is the report of the recorded fixture histories with a probe script appended, which measures the
rendered page and writes what it found into the DOM; `chromium --dump-dom` prints that DOM.
Skipped, with the reason, where no Chromium is installed (.ci/run installs Debian's `chromium`).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from report_support import fixture_results

from harness.report.html import write_html
from harness.report.timeline import KINDS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (apt-get install chromium); "
                                                         "not installed here")
WINDOW = (1280, 900)

PROBE = """<script>
const out = {viewport: window.innerHeight, legend: {}, marks: {}};
const f = document.querySelector('section.finding');
const topOf = el => el ? el.getBoundingClientRect().top : null;
const bottomOf = el => el ? el.getBoundingClientRect().bottom : null;
out.finding = f ? f.dataset.status : null;
out.messageBottom = bottomOf(f && f.querySelector('p'));
out.witnessListBottom = bottomOf(f && f.querySelector('ol'));
out.timelineTop = topOf(f && f.querySelector('svg.timeline'));
out.ringBottoms = f ? [...f.querySelectorAll('circle.witness')].map(bottomOf) : [];
out.links = f ? [...f.querySelectorAll('a.seq')].map(a => {
  const t = document.getElementById(a.getAttribute('href').slice(1));
  return t ? t.closest('svg.timeline') === f.querySelector('svg.timeline') : false;
}) : [];
const style = el => { const s = getComputedStyle(el); return {fill: s.fill, stroke: s.stroke}; };
document.querySelectorAll('.legend .item[data-kind]').forEach(item => {
  const kind = item.dataset.kind;
  out.legend[kind] = style(item.querySelector('svg > *'));
  const mark = document.querySelector('svg.timeline .' + kind);
  if (mark) out.marks[kind] = style(mark);
});
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


def rendered(page: Path, tmp: Path) -> dict[str, Any]:
    assert CHROMIUM is not None
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", f"--user-data-dir={tmp / 'profile'}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=5000", "--dump-dom", page.as_uri()]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"the probe wrote nothing (exit {proc.returncode}): {proc.stderr[-1500:]}"
    return json.loads(html.unescape(m.group(1)))


def grey(rgb: str) -> bool:
    r, g, b = (int(n) for n in re.findall(r"\d+", rgb)[:3])
    return max(r, g, b) - min(r, g, b) < 24


@pytest.mark.timeout(180)
def test_the_failure_its_witness_and_its_timeline_are_in_the_first_screen_and_the_legend_matches(tmp_path):
    results = fixture_results(tmp_path)
    assert results[-1].status == "FAIL" and len(results) > 40  # the failing scenario ran last of many
    report = write_html(results, tmp_path / "report.html")
    page = tmp_path / "probed.html"
    page.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    found = rendered(page, tmp_path)

    screen = found["viewport"]
    assert 600 <= screen <= WINDOW[1], found  # the first screen (headless Chromium keeps some for its window)
    assert found["finding"] == "FAIL"
    assert found["messageBottom"] is not None and found["messageBottom"] <= screen, found
    assert found["witnessListBottom"] is not None and found["witnessListBottom"] <= screen, found
    assert found["timelineTop"] is not None and found["timelineTop"] < screen, found
    assert found["ringBottoms"] and all(b <= screen for b in found["ringBottoms"]), found  # the witness, drawn
    assert found["links"] and all(found["links"]), found  # each witness seq: a record of this timeline

    legend, marks = found["legend"], found["marks"]
    assert set(legend) == {kind for kind, _, _ in KINDS}
    assert set(marks) >= {"k-notification", "k-server-request", "k-response", "k-priming", "witness"}, marks
    for kind, style in marks.items():
        assert legend[kind] == style, (kind, legend[kind], style)  # the legend's colour is the mark's
    coloured = [legend[k]["fill"] for k in ("k-notification", "k-server-request", "k-response", "k-answer")]
    assert not any(grey(c) for c in coloured) and len(set(coloured)) == len(coloured), coloured
    assert not grey(legend["witness"]["stroke"]) and not grey(legend["k-cut"]["stroke"])
