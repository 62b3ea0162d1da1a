"""The hostile matrix: every hostile behaviour × a representative set of scenarios, through the runner.

Shared by the matrix test and `benchmarks/robustness.py`. Each behaviour gets its own
`run_suite` (its own embedded proxy, pointed at `/mcp/<behaviour>`); behaviours run concurrently.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import anyio

from harness.history import End
from harness.profiles import Profile, Role
from harness.revisions import Revision
from harness.runner import RunConfig, ScenarioResult, run_suite
from harness.targets import UrlTarget
from hostile.server import HOSTILE, Settings, hostile_server, url_for
from scenarios.api import select

# A resume scenario, an elicitation one, a progress one, a transport probe (2025-11-25), and the
# elicitation one again on 2026-07-28 (its multi-round-trip path is a different code path).
SCENARIOS = ("resume-mid-event", "elicitation-accept", "progress-latency-slicer", "origin-403")
SCENARIOS_2026 = ("elicitation-accept",)
TIME_SCALE = 0.4  # lower starves cells (timeouts instead of the behaviour) when sixteen rows share one loop
SCENARIO_DEADLINE = 60.0  # RunConfig's default, before scaling

PROFILE = Profile(name="hostile", roles={
    "progress": Role("progress_tool", {"steps": 3}),
    "long_running": Role("long_tool", {"steps": 3}),
    "elicitation": Role("elicit_tool", {}),
    "sampling": Role("sample_tool", {}),
    "server_close": Role("close_tool", {}),
})

# What a reason (a non-PASS verdict's message, or an exchange's End) must mention, per behaviour.
SEEN: dict[str, str] = {
    "sse-never-ends": r"timeout|timed out|deadline|did not finish|no response|never",
    "keepalive-only": r"timeout|timed out|deadline|did not finish|no response|no event",
    "huge-event": r"limit|too (large|big|long)|exceed|unfinished event",
    "no-newline": r"limit|\bline\b|too (large|big|long)|exceed|unfinished event",
    "invalid-json": r"json|parse|invalid|malformed|unparseable|no response",
    "wrong-id": r"\bid\b|wrong-|unmatched|unexpected|no response|never answered",
    "wrong-content-type": r"content.type|text/plain|media type",
    "html-500": r"\b500\b|html",
    "close-mid-headers": r"protocol|closed|incomplete|disconnect|peer|eof|reset|without",
    "slowloris": r"timeout|timed out|deadline|did not finish",
    "redirect-loop": r"\b30[1278]\b|redirect",
    "huge-content-length": r"timeout|timed out|deadline|did not finish|incomplete|content.length",
    "non-utf8": r"utf|decode|json|parse|invalid|unparseable|no response",
    "duplicate-event-ids": r"duplicate|twice|again|more than once|repeat",
    "unsolicited-response": r"unsolicited|unknown|never sent|unexpected|no response|987654321",
    "request-flood": r"flood|too many|limit|timeout|timed out|deadline|did not finish|elicitation",
}


@dataclass
class Row:
    behaviour: str
    results: list[ScenarioResult] = field(default_factory=list)
    crash: str = ""  # an exception run_suite raised (a harness defect)
    wall: float = 0.0


def reasons(result: ScenarioResult) -> str:
    """Everything that says why a cell did not pass: non-PASS verdict messages and every End."""
    parts = [f"{v.check}: {v.message}" for v in result.verdicts if v.status not in ("PASS", "NOT-APPLICABLE")]
    parts += [f"end {e.reason} {e.detail}" for e in result.history.of(End)]
    if result.reason:
        parts.append(result.reason)
    return "\n".join(parts)


def names_behaviour(behaviour: str, result: ScenarioResult) -> bool:
    return re.search(SEEN[behaviour], reasons(result), re.IGNORECASE) is not None


def config(scenarios: tuple[str, ...] = SCENARIOS, *, time_scale: float = TIME_SCALE,
           revisions: tuple[Revision, ...] = (Revision.R2025,)) -> RunConfig:
    """A RunConfig playing exactly the named scenarios (in that order) at a small time scale, at once (-j: each
    run mostly waits out the behaviour, through a proxy of its own; the report keeps the scenario order)."""
    by_name = {s.name: s for s in select(list(scenarios))}
    return RunConfig(scenarios=[by_name[n] for n in scenarios], revisions=revisions, profile=PROFILE,
                     time_scale=time_scale, scenario_deadline=SCENARIO_DEADLINE, jobs=len(scenarios))


def configs() -> list[RunConfig]:
    """The matrix's columns: one RunConfig per revision."""
    return [config(), config(SCENARIOS_2026, revisions=(Revision.R2026,))]


def cell_bound(cfg: RunConfig) -> float:
    """Wall-time bound of one cell: its scaled scenario deadline, plus proxy reset and checks."""
    return cfg.scenario_deadline * cfg.time_scale + 6.0


def bound(cfgs: list[RunConfig]) -> float:
    """Wall-time bound of one behaviour's row."""
    return sum(len(c.scenarios) * len(c.revisions) * cell_bound(c) for c in cfgs) + 10.0


async def run_matrix(behaviours: list[str] | None = None, *, cfgs: list[RunConfig] | None = None,
                     limit: int = 20) -> dict[str, Row]:
    """Run every behaviour's row concurrently (at most `limit` at a time) against one hostile server."""
    cfgs = cfgs or configs()
    rows = {b: Row(b) for b in (behaviours or HOSTILE)}
    limiter = anyio.CapacityLimiter(limit)

    async def one(row: Row, base: str) -> None:
        async with limiter:
            started = time.monotonic()
            try:
                with anyio.fail_after(bound(cfgs)):
                    # the columns (one run per revision) at once: each mostly waits out a calibration call
                    columns: list[list[ScenarioResult]] = [[] for _ in cfgs]

                    async def column(i: int, cfg: RunConfig) -> None:
                        columns[i] = await run_suite(UrlTarget(url_for(base, row.behaviour)), cfg)

                    async with anyio.create_task_group() as tg:
                        for i, cfg in enumerate(cfgs):
                            tg.start_soon(column, i, cfg)
                    row.results += [r for col in columns for r in col]
            except BaseException as exc:  # noqa: BLE001 - a harness crash or hang is the finding
                if isinstance(exc, anyio.get_cancelled_exc_class()):
                    raise
                row.crash = f"{type(exc).__name__}: {exc}"
            row.wall = time.monotonic() - started

    async with hostile_server(Settings(slow_interval=1.0, tick=0.02)) as base:
        async with anyio.create_task_group() as tg:
            for row in rows.values():
                tg.start_soon(one, row, base)
    return rows


def table(rows: dict[str, Row]) -> str:
    """The matrix as text: one line per behaviour, one column per (scenario, revision) cell."""
    cols: list[str] = []
    for row in rows.values():
        for r in row.results:
            key = f"{r.scenario}@{r.revision[:4]}"
            if key not in cols:
                cols.append(key)
    width = max(len(b) for b in rows) + 2
    cw = max([len(c) for c in cols] + [14])
    lines = ["behaviour".ljust(width) + " ".join(c.ljust(cw) for c in cols) + "  wall"]
    for b, row in rows.items():
        cells = {f"{r.scenario}@{r.revision[:4]}": r.status for r in row.results}
        body = " ".join(cells.get(c, "CRASH" if row.crash else "-").ljust(cw) for c in cols)
        lines.append(b.ljust(width) + body + f"  {row.wall:.1f}s" + (f"  {row.crash}" if row.crash else ""))
    return "\n".join(lines)
