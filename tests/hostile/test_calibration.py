"""Calibration against the hostile server (harness/calibration.py): deadlines derive from a measured call,
and a role whose calibration call never ends makes every scenario needing it ERROR at once."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

from harness.calibration import CALL_TIMEOUT, CEILING, scaled_deadline
from harness.revisions import Revision
from harness.runner import Rig, RunConfig, run_suite
from harness.targets import UrlTarget
from hostile.matrix import PROFILE
from hostile.server import Settings, hostile_server, url_for
from hostile.suite import suite_config
from scenarios.api import PROGRESS, Scenario, ScenarioContext, select

pytestmark = pytest.mark.anyio
SCALE = 0.25  # a calibration call then gets CALL_TIMEOUT × 0.25 = 5 s


def probe(seen: dict[str, float]) -> Scenario:
    """A scenario (not registered) needing the progress role that records the deadlines its context gives."""

    async def body(ctx: ScenarioContext) -> None:
        seen["15"], seen["90"] = ctx.deadline(15), ctx.deadline(90)

    return Scenario("calibration-probe", "records ctx.deadline", (Revision.R2025,), (PROGRESS,), (), body)


async def deadlines_on(behaviour: str, settings: Settings) -> tuple[Any, dict[str, float]]:
    seen: dict[str, float] = {}
    sc = probe(seen)
    cfg = RunConfig(scenarios=[sc], revisions=(Revision.R2025,), profile=PROFILE, time_scale=SCALE)
    with anyio.fail_after(30):
        async with hostile_server(settings) as base, Rig(UrlTarget(url_for(base, behaviour)), cfg) as rig:
            assert rig.config.calibration is not None
            measure = rig.config.calibration.measures[(PROGRESS, Revision.R2025)]
            await rig.run(sc, Revision.R2025)
    return measure, seen


async def test_fast_call_keeps_the_scenarios_own_deadline() -> None:
    """/mcp/ok answers at once with 5 events: the budget is below the floor, the scenario's deadline stands."""
    measure, seen = await deadlines_on("ok", Settings())
    assert not measure.failure and measure.events == 5, measure
    assert measure.budget < 15
    assert seen == {"15": 15 * SCALE, "90": 90 * SCALE}


async def test_deadlines_derive_from_the_measured_events() -> None:
    """400 progress events then the result: the budget (3 × duration + 0.05 s × 402 events) lifts the
    15 s deadline; a deadline over the ceiling is the scenario's own."""
    measure, seen = await deadlines_on("many-events", Settings(many_events=400))
    assert not measure.failure and measure.events == 402, measure
    assert measure.budget > 20
    assert seen["15"] == pytest.approx(scaled_deadline(15, measure.budget, SCALE))
    assert 20 * SCALE < seen["15"] <= CEILING * SCALE
    assert seen["90"] == 90 * SCALE


async def test_never_ending_role_errors_every_scenario_at_once() -> None:
    """sse-never-ends: the progress tool's calibration call runs out its 5 s once; every scenario needing the
    role ERRORs with that reason at once, and the transport probes (the served request: ping) likewise."""
    names = ["progress-latency-slicer", "resume-mid-event", "resume-each-boundary", "stream-isolation",
             "origin-403"]
    cfg = RunConfig(scenarios=select(names), revisions=(Revision.R2025,), profile=PROFILE, time_scale=SCALE)
    started = time.monotonic()
    with anyio.fail_after(60):
        async with hostile_server(Settings(tick=0.02)) as base:
            results = await run_suite(UrlTarget(url_for(base, "sse-never-ends")), cfg)
    wall = time.monotonic() - started
    limit = CALL_TIMEOUT * SCALE
    by_name = {r.scenario: r for r in results}
    assert set(by_name) == set(names)
    for name in names:
        r = by_name[name]
        what = "the served request (ping)" if name == "origin-403" else "role progress's tool `progress_tool`"
        assert r.status == "ERROR", (name, r.status, r.reason)
        assert r.reason.startswith(f"calibration: {what} did not finish within {limit:.0f} s"), r.reason
        assert r.wall < 1.0, (name, r.wall)
    # the preflight (tools/list 10 s, its DELETE 2 s) + one calibration window, not a deadline per scenario
    assert wall < (10 + 2) * SCALE + limit + 3, wall


# the scenarios that call no role's tool, so no calibration stops them: they run (briefly) and are judged
NO_ROLE_CALLED = {"origin-403", "toxic-session-flap", "discover-identifies"}


async def test_whole_hostile_suite_ends_by_calibration() -> None:
    """Every scenario, both revisions, against the never-ending server: each run that needs a role ERRORs at once
    with the calibration's reason, none waits out a deadline of its own. (The time target, 60 s at scale 1, is the
    benchmark's, `python -m benchmarks hostile`: a timed assertion here would be the machine's load's verdict.
    Without calibration, each of ~100 runs waits its own 20 s × 0.25 deadline; the guard below is 30 s.)"""
    with anyio.fail_after(120 * SCALE):
        async with hostile_server(Settings(tick=0.02)) as base:
            results = await run_suite(UrlTarget(url_for(base, "sse-never-ends")), suite_config(time_scale=SCALE))
    assert len(results) == 2 * len({r.scenario for r in results})
    assert not [r for r in results if r.status == "PASS"], [r.scenario for r in results if r.status == "PASS"]
    stopped = [r for r in results if r.status == "ERROR" and r.reason.startswith("calibration: ")]
    judged = {r.scenario for r in results if r.status != "NOT-APPLICABLE" and r not in stopped}
    assert judged <= NO_ROLE_CALLED, sorted(judged - NO_ROLE_CALLED)
    assert len(stopped) > len(results) // 2, len(stopped)
