"""`faultline run -j N` (harness/parallel.py): the same verdicts as a serial run, results in the scenario
order, every run through a proxy of its own (a fault in one never reaches another's traffic), and the runs
that restart the target never share it."""

from __future__ import annotations

import dataclasses
import shlex
import sys
from typing import Any

import anyio
import pytest

from harness.cli import main
from harness.profiles import REFERENCE
from harness.revisions import Revision
from harness.runner import RunConfig, ScenarioResult, run_suite
from harness.targets import SpawnTarget
from scenarios.api import Scenario, ScenarioContext, select

R25 = Revision.R2025


def agents() -> SpawnTarget:
    """The agents as demo spawns them: a SQLite store in their own $FAULTLINE_SCRATCH (a twin has its own)."""
    return SpawnTarget(shlex.join([sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0",
                                   "--retry-ms", "50"]))


def verdicts(results: list[ScenarioResult]) -> list[tuple[str, str, str, str]]:
    return sorted((r.scenario, r.revision, v.check, v.status) for r in results for v in r.verdicts)


@pytest.mark.timeout(300)
def test_j2_gives_the_verdicts_of_j1_in_the_scenario_order():
    # a fault scenario, two restart ones, a cut-and-resume one, sessions, a task listed (other runs' tasks in it)
    chosen = select(["network-down-up", "task-input-restart", "resource-restart", "resume-after-cut",
                     "session-isolation", "task-lifecycle"])
    config = RunConfig(scenarios=chosen, revisions=(R25, Revision.R2026), profile=REFERENCE)
    plan = [f"{sc.name}@{rev.value}" for sc in chosen for rev in config.revisions]
    restarts = [f"{sc.name}@{rev.value}" for sc in chosen if "restart" in sc.tags for rev in config.revisions]

    async def parallel(twins: bool) -> tuple[list[ScenarioResult], list[str]]:
        shown: list[str] = []
        results = await run_suite(agents(), dataclasses.replace(config, jobs=2, twins=twins),
                                  on_result=lambda r: shown.append(f"{r.scenario}@{r.revision}"))
        return results, shown

    serial = anyio.run(lambda: run_suite(agents(), config))
    assert not [r for r in serial if r.status in ("FAIL", "WARN", "ERROR")], [(r.scenario, r.reason) for r in serial]
    for twins in (True, False):  # a restart run on a twin of its own / alone after the rest
        results, shown = anyio.run(parallel, twins)
        assert [f"{r.scenario}@{r.revision}" for r in results] == plan  # the report's rows
        # the live lines: the scenario order, whatever finished first (without twins the restart runs come last)
        assert shown == plan if twins else shown == [p for p in plan if p not in restarts] + restarts
        assert verdicts(results) == verdicts(serial), twins


def _overlapping_pair(seen: dict[str, Any]) -> list[Scenario]:
    """`cutter` takes its network down and holds it down until `talker` (running meanwhile) has had its
    answers: with one proxy for both, talker's requests would meet the cut."""
    down, talked = anyio.Event(), anyio.Event()

    async def cutter(ctx: ScenarioContext) -> None:
        async with ctx.client("A") as c:
            await c.open()
            await ctx.network(False)
            down.set()
            with anyio.fail_after(30):
                await talked.wait()
            seen["cutter"] = (await c.call("tools/list", {}, deadline=2)).result  # its own cut: no answer
            await ctx.network(True)

    async def talker(ctx: ScenarioContext) -> None:
        with anyio.fail_after(30):
            await down.wait()
        async with ctx.client("B") as c:
            seen["open"] = await c.open()
            seen["talker"] = (await c.call("tools/list", {}, deadline=5)).result
        talked.set()

    return [Scenario("cutter", "", (R25,), (), (), cutter), Scenario("talker", "", (R25,), (), (), talker)]


@pytest.mark.timeout(120)
def test_a_fault_in_one_runs_proxy_never_reaches_another_runs_traffic():
    seen: dict[str, Any] = {}
    config = RunConfig(scenarios=_overlapping_pair(seen), revisions=(R25,), profile=REFERENCE, jobs=2)
    results = anyio.run(lambda: run_suite(agents(), config))
    assert [r.reason for r in results] == ["", ""], [r.reason for r in results]
    assert seen.get("cutter") is None  # the cutter's own network was down
    assert seen.get("open") and seen.get("talker") and seen["talker"].get("tools"), seen


def test_a_bad_jobs_value_is_one_line_and_exit_2(capsys):
    for bad in ("0", "-3", "x"):
        assert main(["run", "--target", "http://127.0.0.1:9/mcp", "-j", bad]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "-j/--jobs" in err, err


@pytest.mark.timeout(120)
def test_an_untagged_restart_is_stopped_and_run_again_alone_after_the_rest():
    attempts: list[str] = []

    async def restarts(ctx: ScenarioContext) -> None:
        attempts.append("restart")
        await ctx.restart_target()  # shared with `quiet`: refused (RestartNeedsExclusive), re-run alone
        async with ctx.client("A") as c:
            await c.open()

    async def quiet(ctx: ScenarioContext) -> None:
        async with ctx.client("A") as c:
            await c.open()

    scenarios = [Scenario("restarts-untagged", "", (R25,), (), (), restarts), Scenario("quiet", "", (R25,), (), (), quiet)]
    shown: list[str] = []
    results = anyio.run(lambda: run_suite(agents(), RunConfig(scenarios=scenarios, revisions=(R25,), profile=REFERENCE,
                                                              jobs=2, twins=True),
                                          on_result=lambda r: shown.append(r.scenario)))
    assert [r.scenario for r in results] == ["restarts-untagged", "quiet"] and shown == ["quiet", "restarts-untagged"]
    assert attempts == ["restart", "restart"] and [r.reason for r in results] == ["", ""], [r.reason for r in results]
    assert sum(1 for rec in results[0].history.records if getattr(rec, "action", "") == "restart") == 1


def test_the_live_lines_name_what_is_under_way_and_what_waits_for_its_turn():
    import io

    from harness.history import History
    from harness.report.terminal import Progress

    a, b = (Scenario(n, "", (R25,), (), (), lambda ctx: None) for n in ("a", "b"))  # type: ignore[arg-type,return-value]
    out = io.StringIO()
    p = Progress(2, out)
    p.start(a, R25)
    p.start(b, R25)
    rb = ScenarioResult("b", R25.value, [], History(), 0.1)
    p.finish(rb)  # b ended first: its line waits for a's
    assert "1 more ended" in p.status() and "a@2025-11-25" in p.status() and "b@" not in p.status()
    p.result(ScenarioResult("a", R25.value, [], History(), 0.2))
    p.result(rb)
    assert [ln.split()[-2] for ln in out.getvalue().splitlines()] == ["a@2025-11-25", "b@2025-11-25"]
    assert p.status().endswith("under way: finishing")


@pytest.mark.timeout(300)
def test_runs_of_a_counted_role_never_count_each_others_calls():
    # the effect role's tool counts its runs across calls: two cancellation scenarios judging that count, run at
    # once against one server with one job, counted each other's runs (the clean agents FAILed
    # http.disconnect.is-cancel); each run now has a job of its own
    chosen = select(["disconnect-cancels", "toxic-limit-mid-event"])
    config = RunConfig(scenarios=chosen, revisions=(Revision.R2026,), profile=REFERENCE, jobs=2, time_scale=0.25)
    results = anyio.run(lambda: run_suite(agents(), config))
    judged = [v for r in results for v in r.verdicts if v.requirement == "http.disconnect.is-cancel"]
    assert judged and all(v.status == "PASS" for v in judged), [(v.scenario, v.status, v.message) for v in judged]
