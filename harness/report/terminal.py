"""Terminal output: live progress while scenarios run, a summary table at the end.

On a terminal the progress line rewrites itself; elsewhere (CI logs, pipes) each scenario is one
plain line.
"""

from __future__ import annotations

import sys
from typing import TextIO

from harness.report.status import FINDINGS, shown
from harness.report.summary import Tally, plural, status_list, verdict_counts
from harness.revisions import Revision
from harness.runner import ScenarioResult
from scenarios.api import Scenario

MARK = {"PASS": "ok", "FAIL": "FAIL", "WARN": "warn", "ERROR": "ERROR", "NOT-APPLICABLE": "n/a",
        "NOT-OBSERVED": "n/o"}


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.out = stream or sys.stderr
        self.tty = self.out.isatty()

    def start(self, sc: Scenario, rev: Revision) -> None:
        if self.tty:
            self.out.write(f"\r\x1b[K[{self.done + 1}/{self.total}] {sc.name}@{rev.value} ...")
            self.out.flush()

    def notice(self, line: str, runs: int = 0) -> None:
        """A line of the preflight's; it stands for `runs` scenario runs that are not reported one by one."""
        self.total -= runs
        if self.tty:
            self.out.write("\r\x1b[K")
        self.out.write(line + "\n")
        self.out.flush()

    def result(self, r: ScenarioResult) -> None:
        self.done += 1
        line = f"[{self.done}/{self.total}] {MARK.get(r.status, r.status):5} {r.scenario}@{r.revision} ({r.wall:.2f}s)"
        if r.reason:
            line += f" - {r.reason}"
        if self.tty:
            self.out.write("\r\x1b[K")
        self.out.write(line + "\n")
        self.out.flush()


def summary(results: list[ScenarioResult], out: TextIO | None = None) -> None:
    """The table (one row per scenario run; the columns count the verdicts every output shows) and the findings."""
    out = out or sys.stdout
    quiet = [r for r in results if r.quiet]
    results = [r for r in results if not r.quiet]
    width = max((len(f"{r.scenario}@{r.revision}") for r in results), default=20)
    out.write(f"\n{'scenario':<{width}}  status          pass fail warn err  n/a  n/o  time\n")
    for rev in dict.fromkeys(r.revision for r in quiet):
        first = next(r for r in quiet if r.revision == rev)
        n = sum(1 for r in quiet if r.revision == rev)
        out.write(f"{'*@' + rev:<{width}}  NOT-APPLICABLE ({n} scenarios): {first.reason}\n")
    for r in results:
        c = verdict_counts(r)
        out.write(f"{r.scenario + '@' + r.revision:<{width}}  {r.status:<14} {c['PASS']:>5} {c['FAIL']:>4} "
                  f"{c['WARN']:>4} {c['ERROR']:>3} {c['NOT-APPLICABLE']:>4} {c['NOT-OBSERVED']:>4} {r.wall:>5.2f}s\n")
    findings = [(r, v) for r in results for v in shown(r.verdicts, r.exercises) if v.status in FINDINGS]
    if findings:
        out.write("\nfindings:\n")
        for r, v in findings:
            out.write(f"  {v.status:5} {r.scenario}@{r.revision} {v.check} [{v.requirement}, {v.level}]: {v.message}\n")
            if r.history_path:
                out.write(f"        witness: seq {v.witness} in {r.history_path}\n")
    out.flush()


def totals_line(t: Tally) -> str:
    """The last line of a run: scenario runs and verdicts per status, and what no output shows."""
    line = (f"totals: {plural(t.runs, 'scenario run')} ({status_list(t.scenarios)}); "
            f"{plural(t.verdict_total, 'verdict')} ({status_list(t.verdicts)})")
    if t.omitted:
        line += f"; {t.omitted:,} NOT-OBSERVED of checks the scenarios do not target, not shown"
    return line
