"""`faultline run -j N`: up to N scenario runs at once against one target, each through an embedded proxy of
its own (a fault it adds, a network it takes down, reaches no other run's traffic) and with its own clients.

A run that restarts the target (a scenario tagged `restart`) never shares it. With RunConfig.twins (demo,
bench: the reference agents, whose instances share nothing, each keeping its store in its own
$FAULTLINE_SCRATCH) the restart runs go to lanes (at most half the -j slots, at least one), each lane a twin
(the same command spawned again) and a queue it shares with the others: the lane takes the next restart run
as it comes free, which kills and restarts the twin as it likes while the other runs go on against the
rig's target. Otherwise (a user's --spawn command, whose instances may
share a port or a store; a --target URL; a twin that did not start) they run after all the others, one at a
time, through the rig's proxy. A scenario that restarts without the tag is caught at its restart
(RestartNeedsExclusive): that attempt is dropped and it runs again in that last phase, so a SIGKILL never
strikes under another run.

The runs playing a role whose tool counts its runs across calls (COUNTED_ROLES) take turns, one after another
in one slot held for them all (a run waiting for its turn holds no slot). Within each group the runs of the
scenarios tagged `long` come first, so that the longest runs do not start last and make the tail.

Results reach `on_result` in the scenario order (a finished run waits for the earlier ones; the runs of
the last phase come after), and the list returned is in the scenario order, as a serial run's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import anyio

from harness.errors import HarnessError
from harness.revisions import Revision
from harness.runner import RestartNeedsExclusive, Rig, RunConfig, ScenarioResult, run_isolated
from harness.targets import SpawnTarget, Target
from scenarios.api import EFFECT, Scenario

EXCLUSIVE_TAG = "restart"  # a scenario that restarts the target declares it with this tag
# a scenario that waits seconds on the server (a task's steps, a thin pipe, a server's own timeout) says so with
# this tag: its runs are admitted first (a restart lane takes them first too), so the -j run's tail is short
LONG_TAG = "long"
# roles whose tool counts its runs across calls (the effect role's `job_runs_completed`): two runs playing one at
# the same time would count each other's calls, so they take turns (the rest still runs beside them)
COUNTED_ROLES = (EFFECT,)


def exclusive(sc: Scenario) -> bool:
    return EXCLUSIVE_TAG in sc.tags


def twin(target: Target, config: RunConfig) -> SpawnTarget | None:
    """A second, not yet started instance of a spawned target (None when it cannot have one: twins not
    asked for, a URL target, or a fixed --url the twin would collide on)."""
    if not config.twins or not isinstance(target, SpawnTarget) or target.fixed_url is not None:
        return None
    return SpawnTarget(target.command, startup_timeout=target.startup_timeout)


def longest_first(plan: list[tuple[Scenario, Revision]], runs: list[int]) -> list[int]:
    """`runs` (plan indexes) with the runs of the scenarios tagged LONG_TAG first, each part in plan order."""
    return sorted(runs, key=lambda i: LONG_TAG not in plan[i][0].tags)


def _needs_exclusive(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return exc.subgroup(RestartNeedsExclusive) is not None
    return isinstance(exc, RestartNeedsExclusive)


class _InOrder:
    """Hands finished runs on in plan order: one waits until every earlier run is done or deferred."""

    def __init__(self, order: list[int], emit: Callable[[int], None]) -> None:
        self._order, self._emit = order, emit
        self._ready: dict[int, bool] = {}  # index -> True (emit it now) / False (deferred: emitted later)
        self._next = 0

    def ready(self, i: int, emit: bool) -> None:
        self._ready[i] = emit
        while self._next < len(self._order) and self._order[self._next] in self._ready:
            if self._ready[self._order[self._next]]:
                self._emit(self._order[self._next])
            self._next += 1


def lane_count(restart_runs: int, jobs: int) -> int:
    """Lanes for the restart runs, one twin each: half the -j slots at most, one at least (each twin is one
    more server start, and starts cost CPU)."""
    return max(1, min(restart_runs, jobs // 2)) if restart_runs else 0


class _Schedule:
    """One parallel run's bookkeeping: the plan, the results so far, the callbacks, the runs left for last."""

    def __init__(self, rig: Rig, on_result: Callable[[ScenarioResult], None] | None,
                 on_start: Callable[[Scenario, Revision], None] | None,
                 on_finish: Callable[[ScenarioResult], None] | None) -> None:
        assert rig.preflight is not None
        self.rig, self.preflight = rig, rig.preflight
        self.plan = [(sc, rev) for sc in rig.config.scenarios for rev in rig.config.revisions]
        self.results: dict[int, ScenarioResult] = {}
        self.last: list[int] = []  # the runs of the last phase, alone on the target
        self._on_result, self._on_start, self._on_finish = on_result, on_start, on_finish
        self.in_order = _InOrder(list(range(len(self.plan))), self.emit)
        self.limiter = anyio.CapacityLimiter(rig.config.jobs)
        self.turns = {role: anyio.Lock() for role in COUNTED_ROLES}

    def emit(self, i: int) -> None:
        if self._on_result and not self.preflight.unspoken(self.plan[i][1]):
            self._on_result(self.results[i])

    def started(self, i: int) -> None:
        if self._on_start and not self.preflight.unspoken(self.plan[i][1]):
            self._on_start(*self.plan[i])

    def ended(self, i: int, found: ScenarioResult | None) -> None:
        """`found` None: the run goes to the last phase."""
        if found is None:
            self.last.append(i)
        else:
            self.results[i] = found
            if self._on_finish:
                self._on_finish(found)
        self.in_order.ready(i, emit=found is not None)

    def needs_twin(self, i: int) -> bool:
        sc, rev = self.plan[i]
        return exclusive(sc) and rev in sc.revisions and not self.preflight.skip(sc, rev)

    def counted(self, i: int) -> bool:
        return any(role in self.plan[i][0].roles for role in COUNTED_ROLES)

    async def shared(self, i: int) -> None:
        """A run on the rig's target, through a proxy of its own."""
        async with self.limiter:
            await self._play(i)

    async def in_turn(self, runs: list[int]) -> None:
        """The runs playing a counted role, one after another in one slot held throughout: a run waiting for its
        turn holds no slot another run could use, and the next takes its turn without queueing for a slot."""
        async with self.limiter:
            for i in runs:
                await self._play(i)

    async def _play(self, i: int) -> None:
        async with contextlib.AsyncExitStack() as turns:
            for role in COUNTED_ROLES:
                if role in self.plan[i][0].roles:
                    await turns.enter_async_context(self.turns[role])
            self.started(i)
            try:
                found: ScenarioResult | None = await self.rig.run(*self.plan[i], own_proxy=True)
            except BaseException as exc:
                if not _needs_exclusive(exc):
                    raise
                found = None
        self.ended(i, found)

    async def lane(self, queue: list[int]) -> None:
        """On a twin of the target of its own (a slot held throughout), restart runs one after another, each
        taken from `queue` as the lane comes free. No twin: the lane takes none (what is left runs last)."""
        async with self.limiter:
            target = twin(self.rig.target, self.rig.config) if queue else None
            if target is None:
                return
            try:
                await target.start()
            except HarnessError:
                return
            try:
                while queue:
                    i = queue.pop(0)
                    self.started(i)
                    self.ended(i, await run_isolated(*self.plan[i], target, self.rig.config, may_restart=True))
            finally:
                await target.stop()


async def run_parallel(rig: Rig, on_result: Callable[[ScenarioResult], None] | None,
                       on_start: Callable[[Scenario, Revision], None] | None,
                       on_finish: Callable[[ScenarioResult], None] | None = None) -> list[ScenarioResult]:
    s = _Schedule(rig, on_result, on_start, on_finish)
    restart_runs = [i for i in range(len(s.plan)) if s.needs_twin(i)]
    first = [i for i, (sc, _) in enumerate(s.plan) if sc is s.plan[0][0] and i not in restart_runs]
    async with anyio.create_task_group() as tg:
        for i in first:  # the first scenario's lines come at once, then the lanes (the longest) take their slots
            tg.start_soon(s.shared, i)
        queue = longest_first(s.plan, restart_runs) if twin(rig.target, rig.config) is not None else []
        for i in restart_runs if not queue else ():  # no twins to be had: these run last (their lines too)
            s.ended(i, None)
        for _ in range(lane_count(len(restart_runs), rig.config.jobs)):
            tg.start_soon(s.lane, queue)
        rest = [i for i in range(len(s.plan)) if i not in first and i not in restart_runs]
        if in_turn := longest_first(s.plan, [i for i in rest if s.counted(i)]):
            tg.start_soon(s.in_turn, in_turn)
        for i in longest_first(s.plan, [i for i in rest if i not in in_turn]):  # the CapacityLimiter admits
            tg.start_soon(s.shared, i)  # them in this order
    for i in queue:  # no lane had a twin for these
        s.ended(i, None)
    for i in sorted(s.last):
        s.started(i)
        s.results[i] = await rig.run(*s.plan[i])
        s.emit(i)
    return [s.results[i] for i in range(len(s.plan))]
