"""A run whose server restart is slow (a loaded machine: the agents took 8 s to start again at load 12) or whose
server died between scenarios must not judge the scenarios after it against a dead server. Before the fix, the
scenario deadline cut `restart_target` after its SIGKILL, the target stayed down, the proxy kept forwarding to
the killed port, and every later scenario's requests ended "Server disconnected without sending a response",
which the transport probes scored as the server's FAIL/WARN (http.session.missing-400, ...)."""

from __future__ import annotations

import os
import signal
import sys

import anyio
import pytest

from harness.checks import run_checks
from harness.history import End, History, Meta, Request
from harness.profiles import REFERENCE
from harness.revisions import Revision
from harness.runner import RunConfig, ScenarioResult, run_suite
from harness.targets import SpawnTarget
from scenarios.api import Scenario, ScenarioContext, select

pytestmark = pytest.mark.anyio
R2025 = (Revision.R2025,)
DEADLINE = 2.0  # s, the scenario deadline of these runs (time scale 1)


def _agents(tmp_path: object) -> str:
    return (f"{sys.executable} -m harness agents --port 0 --step-delay 0 --retry-ms 50 "
            f"--store sqlite:{tmp_path}/store.sqlite")


class SlowRestart(SpawnTarget):
    """The agents, whose start after a restart takes twice the scenario deadline (a start-up on a loaded machine:
    the restart outlasts the deadline by construction, and load only makes it longer)."""

    starts = 0

    async def start(self) -> None:
        self.starts += 1
        if self.starts > 1:
            await anyio.sleep(2 * DEADLINE)
        await super().start()


async def _restart_then_open(ctx: ScenarioContext) -> None:
    await ctx.restart_target()
    async with ctx.client("A") as c:
        await c.open()


def _statuses(result: ScenarioResult) -> dict[str, str]:
    return {v.requirement: v.status for v in result.verdicts}


def _judged_against_a_dead_server(results: list[ScenarioResult]) -> list[tuple[str, str, str]]:
    return [(r.scenario, v.requirement, v.status) for r in results for v in r.verdicts
            if v.status in ("FAIL", "WARN", "ERROR")]


async def test_a_restart_outlasting_the_scenario_deadline_completes_and_the_next_scenario_has_a_server(tmp_path):
    target = SlowRestart(_agents(tmp_path))
    slow = Scenario("slow-restart", "restart, then open", R2025, (), (), _restart_then_open)
    config = RunConfig([slow, *select(["session-missing-400"])], R2025, REFERENCE, scenario_deadline=DEADLINE)
    results = await run_suite(target, config)
    assert target.starts == 2
    restarted, probe = results
    # the harness's restart is not the scenario's time: its deadline was held meanwhile (before: ERROR, "did not
    # finish within 2s", the restart cut after its SIGKILL)
    assert restarted.reason == "" and _statuses(restarted).get("harness.scenario") is None, restarted.reason
    assert _statuses(probe)["http.session.missing-400"] == "PASS", _judged_against_a_dead_server(results)
    assert not _judged_against_a_dead_server(results)


async def _crash_the_server(ctx: ScenarioContext) -> None:
    target = ctx.target
    assert isinstance(target, SpawnTarget) and target.proc is not None
    os.killpg(target.proc.pid, signal.SIGKILL)  # the server dies on its own (not a restart the scenario asked for)
    with anyio.fail_after(10):
        await target.proc.exited.wait()


async def test_a_server_dead_before_a_scenario_is_started_again_not_judged_dead(tmp_path):
    target = SpawnTarget(_agents(tmp_path))
    crash = Scenario("crash", "the server dies", R2025, (), (), _crash_the_server)
    config = RunConfig([crash, *select(["session-missing-400"])], R2025, REFERENCE)
    _, probe = await run_suite(target, config)
    assert _statuses(probe)["http.session.missing-400"] == "PASS", _judged_against_a_dead_server([probe])


async def test_a_target_that_cannot_be_started_again_is_an_error_of_the_run_not_a_finding(tmp_path):
    target = SpawnTarget(_agents(tmp_path))
    crash = Scenario("crash", "the server dies", R2025, (), (), _crash_the_server)
    config = RunConfig([crash, *select(["session-missing-400"])], R2025, REFERENCE)

    async def refuse() -> None:
        from harness.errors import HarnessError

        raise HarnessError("spawned 'agents' exited with code 1 before serving")

    target.restart = refuse  # type: ignore[method-assign]
    _, probe = await run_suite(target, config)
    assert [(v.requirement, v.status) for v in probe.verdicts] == [("harness.scenario", "ERROR")]
    assert probe.reason.startswith("the target is not running and could not be started again: spawned"), probe.reason


@pytest.mark.parametrize(("purpose", "requirement"), [("missing-session", "http.session.missing-400"),
                                                      ("bad-version", "http.version.invalid-400"),
                                                      ("after-delete", "http.session.terminated-404"),
                                                      ("bad-origin", "http.origin.reject-403")])
def test_a_probe_that_got_no_http_answer_is_not_the_servers_fail(purpose, requirement):
    """(origin-403 judges a refusal only against its control request, so only the other three judge a timeout)"""
    h = History()
    h.append(Meta(scenario="probe", revision="2025-11-25", target="t", profile="reference", harness_version="0",
                  started_at=0.0))
    h.append(Request(x=0, method="POST", url="http://127.0.0.1:1/mcp", purpose=purpose,
                     body={"jsonrpc": "2.0", "id": 9001, "method": "ping"}))
    h.append(End(x=0, reason="error", detail="RemoteProtocolError: Server disconnected without sending a response."))
    verdict = next(v for v in run_checks(h, scenario="probe") if v.requirement == requirement)
    assert verdict.status == "NOT-OBSERVED" and "got no HTTP response" in verdict.message, verdict
    if purpose == "bad-origin":
        return
    timed_out = History(h.records[:2])
    timed_out.append(End(x=0, reason="timeout", detail="ReadTimeout"))  # unanswered until its deadline: judged
    verdict = next(v for v in run_checks(timed_out, scenario="probe") if v.requirement == requirement)
    assert verdict.status in ("FAIL", "WARN"), verdict
