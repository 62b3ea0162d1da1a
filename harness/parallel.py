"""`faultline run -j N`: up to N scenario runs at once against one target, each through an embedded proxy of
its own (a fault it adds, a network it takes down, reaches no other run's traffic) and with its own clients.

A run that restarts the target (a scenario tagged `restart`) never shares it. With RunConfig.twins (demo,
bench: the reference agents, whose instances share nothing, each keeping its store in its own
$FAULTLINE_SCRATCH) it gets a twin, the same command spawned again for it alone, which it kills and
restarts as it likes while the other runs go on. Otherwise (a user's --spawn command, whose instances may
share a port or a store; a --target URL; a twin that did not start) it runs after all the others, one at a
time, through the rig's proxy. A scenario that restarts without the tag is caught at its restart (RestartNeedsExclusive): that
attempt is dropped and it runs again in that last phase, so a SIGKILL never strikes under another run.

Results reach `on_result` in the scenario order (a finished run waits for the earlier ones; the runs of
the last phase come after), and the list returned is in the scenario order, as a serial run's.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio

from harness.errors import HarnessError
from harness.revisions import Revision
from harness.runner import RestartNeedsExclusive, Rig, RunConfig, ScenarioResult, run_isolated
from harness.targets import SpawnTarget, Target
from scenarios.api import Scenario

EXCLUSIVE_TAG = "restart"  # a scenario that restarts the target declares it with this tag


def exclusive(sc: Scenario) -> bool:
    return EXCLUSIVE_TAG in sc.tags


def twin(target: Target, config: RunConfig) -> SpawnTarget | None:
    """A second, not yet started instance of a spawned target (None when it cannot have one: twins not
    asked for, a URL target, or a fixed --url the twin would collide on)."""
    if not config.twins or not isinstance(target, SpawnTarget) or target.fixed_url is not None:
        return None
    return SpawnTarget(target.command, startup_timeout=target.startup_timeout)


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


async def _on_twin(rig: Rig, sc: Scenario, rev: Revision) -> ScenarioResult | None:
    """The run on a twin of the target of its own (None: no twin could be had)."""
    target = twin(rig.target, rig.config)
    if target is None:
        return None
    try:
        await target.start()
    except HarnessError:
        return None
    try:
        return await run_isolated(sc, rev, target, rig.config, may_restart=True)
    finally:
        await target.stop()


async def run_parallel(rig: Rig, on_result: Callable[[ScenarioResult], None] | None,
                       on_start: Callable[[Scenario, Revision], None] | None,
                       on_finish: Callable[[ScenarioResult], None] | None = None) -> list[ScenarioResult]:
    config, preflight = rig.config, rig.preflight
    assert preflight is not None
    plan = [(sc, rev) for sc in config.scenarios for rev in config.revisions]
    results: dict[int, ScenarioResult] = {}
    last: list[int] = []  # the runs of the last phase, alone on the target

    def emit(i: int) -> None:
        if on_result and not preflight.unspoken(plan[i][1]):
            on_result(results[i])

    def started(i: int) -> None:
        if on_start and not preflight.unspoken(plan[i][1]):
            on_start(*plan[i])

    in_order = _InOrder(list(range(len(plan))), emit)
    limiter = anyio.CapacityLimiter(config.jobs)

    async def one(i: int) -> None:
        sc, rev = plan[i]
        async with limiter:
            started(i)
            try:
                if exclusive(sc) and rev in sc.revisions and not preflight.skip(sc, rev):
                    found = await _on_twin(rig, sc, rev)
                else:
                    found = await rig.run(sc, rev, own_proxy=True)
            except BaseException as exc:
                if not _needs_exclusive(exc):
                    raise
                found = None
        if found is None:
            last.append(i)
        else:
            results[i] = found
            if on_finish:
                on_finish(found)
        in_order.ready(i, emit=found is not None)

    async with anyio.create_task_group() as tg:  # the restart runs first: they are the longest
        for i in sorted(range(len(plan)), key=lambda i: not exclusive(plan[i][0])):
            tg.start_soon(one, i)
    for i in sorted(last):
        started(i)
        results[i] = await rig.run(*plan[i])
        emit(i)
    return [results[i] for i in range(len(plan))]
