"""Calibration, once per target before any scenario: each profile role's tool (and, for the scenarios that
need no role, the request every server must serve) is called once, undisturbed, straight to the target (no
proxy), at each revision a selected scenario plays it. The scenarios of a family (the scenarios needing a
role) then get deadlines derived from what was measured (README "Calibration"):

    deadline(s) = time_scale × min(CEILING, max(s, FACTOR × duration + PER_EVENT × events))

- floor: the scenario's own deadline `s` (tuned on the reference agents; it also bounds restarts and the
  waits for what must not come, which no call measures), so calibration never shortens a deadline;
- ceiling: CEILING (the runner's scenario deadline), so a slow server's calls are waited for up to it;
- a call that gives no response within CALL_TIMEOUT × time_scale makes every scenario of its family ERROR at
  once ("calibration: role progress's tool `x` did not finish within 20 s"), instead of each waiting out
  its own deadlines;
- the task roles are not calibrated (their tools run as tasks, a plain call of one may be refused): their
  scenarios keep their own deadlines;
- a scenario tagged SILENCE_TAG (no fault, no wait of its own: the fuzzer's fault-free schedules) has the client's
  read timeout derived too: a silence longer than QUIET_FACTOR × its family's longest undisturbed silence (floor
  QUIET_FLOOR, ceiling the client's READ_TIMEOUT, × time scale) is a hang, seen in seconds instead of after 10 s.

Pure bookkeeping here plus one function that makes the calls (`calibrate`); harness/runner.py runs it and
hands the result to each scenario's context.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import anyio

from harness.client.answers import Answers
from harness.client.factory import wire_client
from harness.client.session import READ_TIMEOUT
from harness.history import History
from harness.profiles import Profile
from harness.revisions import Revision
from scenarios.api import TASK, TASK_INPUT, Scenario

CALL_TIMEOUT = 20.0  # seconds (× time scale) a calibration call may take, handshake included
FACTOR = 3.0  # a disturbed call (cut, resumed, replayed, re-issued) may take this many undisturbed ones...
PER_EVENT = 0.05  # ...plus this many seconds per event of it (a replay sends them again)
CEILING = 60.0  # seconds (× time scale): the runner's scenario deadline (RunConfig.scenario_deadline)
TRANSPORT = "transport"  # the family of the scenarios needing no role: the served request (2025 ping,
# 2026 server/discover), what the transport probes send
UNCALIBRATED = (TASK, TASK_INPUT)
QUIET_FACTOR = 3.0  # a call no fault delays may stay silent this many times its family's longest undisturbed silence...
QUIET_FLOOR = 3.0  # ...and at least this long (seconds × time scale; a loaded machine's pauses stay well below it)
SILENCE_TAG = "calibrated-silence"  # a scenario whose client read timeout derives from calibration (Calibration.quiet)


@dataclass(frozen=True)
class Measure:
    """One calibration call: what it took, undisturbed."""

    family: str  # a role, or TRANSPORT
    revision: Revision
    what: str  # "role progress's tool `x`" | "the served request (ping)"
    duration: float  # seconds, the call alone (not the handshake)
    events: int  # SSE events it carried, priming and response included
    ended: str  # how its last exchange ended (eof, timeout, ...)
    failure: str = ""  # why its family's scenarios ERROR at once ("" = it answered, or ended on its own)
    gap: float = 0.0  # seconds, the longest silence of the call: before its first event, between two, before its end

    @property
    def budget(self) -> float:
        """Seconds a disturbed call of this family may take, before floor and ceiling."""
        return FACTOR * self.duration + PER_EVENT * self.events


def families(sc: Scenario) -> tuple[str, ...]:
    """The calibrated families a scenario belongs to: its roles (tasks aside), or TRANSPORT if it needs none."""
    if not sc.roles:
        return (TRANSPORT,)
    return tuple(r for r in sc.roles if r not in UNCALIBRATED)


def scaled_deadline(seconds: float, budget: float | None, time_scale: float) -> float:
    """A scenario's deadline of `seconds`, derived from its families' budget (None: not calibrated)."""
    if budget is None or seconds >= CEILING:
        return seconds * time_scale
    return min(CEILING, max(seconds, budget)) * time_scale


@dataclass
class Calibration:
    measures: dict[tuple[str, Revision], Measure] = field(default_factory=dict)
    wall: float = 0.0

    def failure(self, sc: Scenario, rev: Revision) -> str | None:
        """Why this scenario ERRORs before it starts (a family's calibration call never finished), or None."""
        for family in families(sc):
            m = self.measures.get((family, rev))
            if m is not None and m.failure:
                return m.failure
        return None

    def budget(self, sc: Scenario, rev: Revision) -> float | None:
        """The largest budget of the scenario's measured families at `rev` (None: none measured)."""
        found = [m.budget for f in families(sc) if (m := self.measures.get((f, rev))) is not None and not m.failure]
        return max(found) if found else None

    def quiet(self, sc: Scenario, rev: Revision) -> float | None:
        """The read timeout (seconds, before the time scale) of a scenario tagged SILENCE_TAG: QUIET_FACTOR × the
        longest undisturbed silence of its measured families, floor QUIET_FLOOR, ceiling READ_TIMEOUT; None when the
        scenario is not tagged or none of its families was measured (the client's READ_TIMEOUT then)."""
        if SILENCE_TAG not in sc.tags:
            return None
        gaps = [m.gap for f in families(sc) if (m := self.measures.get((f, rev))) is not None and not m.failure]
        return min(READ_TIMEOUT, max(QUIET_FLOOR, QUIET_FACTOR * max(gaps))) if gaps else None

    def to_json(self, families: tuple[str, ...] | None = None) -> list[dict[str, object]]:
        """The measures (of `families` only, if given), as a repro file keeps them: its replay then uses what the
        fuzz run measured instead of calling the server undisturbed again."""
        return [{**dataclasses.asdict(m), "revision": m.revision.value} for m in self.measures.values()
                if families is None or m.family in families]

    @classmethod
    def from_json(cls, data: list[dict[str, object]]) -> Calibration:
        measures = [Measure(**{**m, "revision": Revision(m["revision"])}) for m in data]  # type: ignore[arg-type]
        return cls({(m.family, m.revision): m for m in measures})

    def summary(self) -> str:
        """One line for the user, before the scenarios."""
        ok = [m for m in self.measures.values() if not m.failure]
        line = f"calibration: {len(self.measures)} undisturbed call(s) in {self.wall:.1f} s"
        if ok:
            slowest = max(ok, key=lambda m: m.duration)
            line += f"; slowest {slowest.what} at {slowest.revision.value}: {slowest.duration:.2f} s, " \
                    f"{slowest.events} events"
        failed: dict[str, list[str]] = {}
        for m in self.measures.values():
            if m.failure:
                failed.setdefault(m.what, []).append(m.revision.value)
        if failed:
            line += "; did not finish within " + f"{CALL_TIMEOUT:g} s × time scale: " + "; ".join(
                f"{what} at {', '.join(sorted(revs))}" for what, revs in failed.items()) + " (their scenarios ERROR)"
        return line


def needed(scenarios: Iterable[Scenario], revisions: Iterable[Revision], profile: Profile,
           runs: Callable[[Scenario, Revision], bool] | None = None) -> set[tuple[str, Revision]]:
    """(family, revision) pairs the selected scenarios will play: the revision applies, the roles are filled.
    `runs(sc, rev)`: whether the preflight lets that run go ahead (None: all)."""
    out: set[tuple[str, Revision]] = set()
    for rev in revisions:
        for sc in scenarios:
            if rev not in sc.revisions or any(profile.role(r) is None for r in sc.roles):
                continue
            if runs is not None and not runs(sc, rev):
                continue
            out.update((f, rev) for f in families(sc))
    return out


async def calibrate(url: str, profile: Profile, pairs: set[tuple[str, Revision]], history: History, *,
                    time_scale: float = 1.0) -> Calibration:
    """Every (family, revision) call at once (a never-ending one costs CALL_TIMEOUT once, not per family)."""
    cal = Calibration()
    started = time.monotonic()

    async def one(family: str, rev: Revision) -> None:
        cal.measures[(family, rev)] = await _measure(url, profile, family, rev, history, time_scale)

    async with anyio.create_task_group() as tg:
        for family, rev in sorted(pairs, key=lambda p: (p[1].value, p[0])):
            tg.start_soon(one, family, rev)
    cal.wall = time.monotonic() - started
    return cal


async def _measure(url: str, profile: Profile, family: str, rev: Revision, history: History,
                   time_scale: float) -> Measure:
    limit = CALL_TIMEOUT * time_scale
    role = profile.role(family)
    what = f"role {family}'s tool `{role.tool}`" if role else f"the served request ({rev.traits.served_method})"
    duration, events, ended, answered, gap = limit, None, "timeout", False, 0.0
    end = time.monotonic() + limit
    with anyio.move_on_after(limit + 2.0):  # the handshake may hang too
        # follow=False: a stream the server closes before the response is not resumed here (SEP-1699 polling, the
        # server_close role): the call ends there, and a server whose resumes hang is the scenarios' to judge
        async with wire_client(url, history, revision=rev, client=f"calibrate:{family}", answers=Answers(),
                               timeout=READ_TIMEOUT * time_scale, time_scale=time_scale, follow=False) as c:
            await c.open()
            t0, began = time.monotonic(), history.now()
            left = max(0.1, end - t0)
            if role is None:
                out = await c.served_request("calibrate", deadline=left)
            else:
                # the server_close role's call ends when the server closes its stream (no response: no resume
                # here, so a server whose resumes hang is judged by the scenarios, not ERRORed by calibration)
                out = await c.call_tool(role.tool, dict(role.arguments), progress_token=f"calibrate-{family}",
                                        deadline=left)
            duration, events, ended = time.monotonic() - t0, len(out.events), out.ended
            answered = out.response is not None
            marks = [began, *sorted(e.t for e in out.events), history.now()]
            gap = max(b - a for a, b in zip(marks, marks[1:], strict=False))
    return Measure(family, rev, what, duration, events or 0, ended,
                   _failure(what, limit, duration, events, time_scale) if not answered and ended == "timeout" else "",
                   gap)


def _failure(what: str, limit: float, duration: float, events: int | None, time_scale: float) -> str:
    """The reason a family's scenarios ERROR: the call ran out its time, or went silent (the client's read
    timeout, 10 s × time scale, before the calibration's own)."""
    got = "the handshake unanswered" if events is None else f"{events} events, no response"
    if events is not None and duration < 0.9 * limit:
        return (f"calibration: {what} did not finish: nothing more within {READ_TIMEOUT * time_scale:g} s after "
                f"{duration:.0f} s (undisturbed, {got})")
    return f"calibration: {what} did not finish within {limit:.0f} s (undisturbed, {got})"
