"""Terminal output: live progress while scenarios run, a summary table at the end.

On a terminal the progress line rewrites itself; elsewhere (CI logs, pipes) each scenario is one
plain line.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from typing import TextIO

from harness.report.status import FINDINGS, shown
from harness.report.summary import Tally, plural, status_list, verdict_counts
from harness.revisions import Revision
from harness.runner import ScenarioResult
from scenarios.api import Scenario

MARK = {"PASS": "ok", "FAIL": "FAIL", "WARN": "warn", "ERROR": "ERROR", "NOT-APPLICABLE": "n/a",
        "NOT-OBSERVED": "n/o"}


class Progress:
    """The live lines of a run. With -j N several runs overlap: their results still come one line each, in the
    scenario order (harness/parallel.py); the terminal's rewriting line names every run under way, and a plain
    log gets a `still running` line (`status()`, from harness/heartbeat.py) when silent for a while."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.out = stream or sys.stderr
        self.tty = self.out.isatty()
        self.running: dict[str, float] = {}  # scenario@revision -> when it started (time.monotonic)
        self.held: set[str] = set()  # ended, their line waiting for an earlier run's (-j)
        self.say: Callable[[str], None] | None = None  # a Heartbeat's say, so lines of ours restart its clock

    def _line(self, text: str) -> None:
        if self.tty:
            self.out.write("\r\x1b[K")
        if self.say is not None:
            self.say(text)
        else:
            self.out.write(text + "\n")
            self.out.flush()
        self._under_way()

    def _under_way(self) -> None:
        if self.tty and self.running:
            names = ", ".join(self.running)
            line = f"[{self.done + 1}/{self.total}] {names} ..."
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.out.write(f"\r\x1b[K{line if len(line) <= width else line[:width - 3] + '...'}")
            self.out.flush()

    def start(self, sc: Scenario, rev: Revision) -> None:
        self.running[f"{sc.name}@{rev.value}"] = time.monotonic()
        self._under_way()

    def status(self) -> str:
        """What a silent log is told: how far the run is, and the runs under way for how long."""
        now = time.monotonic()
        under_way = ", ".join(f"{name} {now - t:.0f}s" for name, t in self.running.items()) or "finishing"
        held = f" ({len(self.held)} more ended, shown after the earlier ones)" if self.held else ""
        return f"  ... {self.done}/{self.total} scenario runs done{held}; under way: {under_way}"

    def notice(self, line: str, runs: int = 0) -> None:
        """A line of the preflight's; it stands for `runs` scenario runs that are not reported one by one."""
        self.total -= runs
        self._line(line)

    def finish(self, r: ScenarioResult) -> None:
        """A run ended (with -j its line may wait for earlier runs): no longer under way."""
        name = f"{r.scenario}@{r.revision}"
        if self.running.pop(name, None) is not None:
            self.held.add(name)

    def result(self, r: ScenarioResult) -> None:
        self.done += 1
        self.running.pop(f"{r.scenario}@{r.revision}", None)
        self.held.discard(f"{r.scenario}@{r.revision}")
        line = f"[{self.done}/{self.total}] {MARK.get(r.status, r.status):5} {r.scenario}@{r.revision} ({r.wall:.2f}s)"
        if r.reason:
            line += f" - {r.reason}"
        self._line(line)


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
