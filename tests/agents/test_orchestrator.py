"""The orchestrator agent (reference_agents/orchestrator) and `faultline orchestrate`.

A clean run at both revisions, then the acceptance matrix: {cut, down, restart} on the travel
server mid-run × {2025-11-25, 2026-07-28}: the itinerary is complete and ordered, and the travel
server holds exactly one booking for the trip. The fault is struck once the timeline shows the
call under way (first progress on 2025, the task created on 2026) and healed once the orchestrator
has felt it (harness/commands/orchestrate.py `_strike`): no sleeps as synchronisation, and every
wait is bounded (the orchestrator's deadline, and fail_after here).
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from harness.cli import main
from harness.commands.orchestrate import DemoOptions, Outcome, bookings_for, run_demo
from harness.proxy.client import embedded_proxy
from mcp_wire.revisions import ALL as REVISIONS
from mcp_wire.revisions import Revision
from reference_agents.orchestrator import (
    BudgetUser,
    OrchestrationError,
    Orchestrator,
    ScriptedModel,
    Timeline,
    TripRequest,
)
from reference_agents.server import running_agents

pytestmark = pytest.mark.anyio
TRIP = TripRequest("Lisbon", travellers=2, budget=1500, dates="2026-05-01..2026-05-08")
RUN_LIMIT = 45  # seconds, per spawned demo run (two servers, a restart, the plan)


def _explain(outcome: Outcome) -> str:
    return "\n".join(outcome.problems) + "\n" + outcome.timeline.render()


def _assert_complete(outcome: Outcome) -> None:
    assert outcome.ok, _explain(outcome)
    it = outcome.itinerary
    assert it is not None
    assert it.booking.status == "confirmed" and it.booking.price and it.booking.booking_id
    assert it.brief.report_id and it.brief.summary
    assert it.trip == TRIP
    assert it.timeline.ordered()
    assert [b["id"] for b in outcome.bookings] == [it.booking.booking_id], _explain(outcome)
    text = it.render()
    assert "Lisbon" in text and it.booking.booking_id in text and "Timeline" in text


@pytest.mark.parametrize("revision", REVISIONS)
async def test_clean_run(revision: str) -> None:
    with anyio.fail_after(RUN_LIMIT):
        outcome = await run_demo(DemoOptions(TRIP, revision, step_delay=0.05, deadline=30))
    _assert_complete(outcome)
    kinds = {(e.agent, e.kind) for e in outcome.timeline.entries}
    for agent in ("travel", "research"):
        assert {(agent, "called"), (agent, "input-asked"), (agent, "input-answered"), (agent, "result")} <= kinds
        assert (agent, "cut") not in kinds and (agent, "re-sent") not in kinds
    # both agents ran at the same time: each was called before the other finished
    first_result = min(e.at for e in outcome.timeline.entries if e.kind == "result")
    assert all(e.at <= first_result for e in outcome.timeline.find(kind="called"))


@pytest.mark.parametrize("fault", ["cut", "down", "restart"])
@pytest.mark.parametrize("revision", REVISIONS)
async def test_fault_mid_run_books_exactly_once(revision: str, fault: str) -> None:
    with anyio.fail_after(RUN_LIMIT):
        outcome = await run_demo(DemoOptions(TRIP, revision, fault, "travel", step_delay=0.1, deadline=30))
    _assert_complete(outcome)
    travel = [e for e in outcome.timeline.entries if e.agent == "travel"]
    kinds = [e.kind for e in travel]
    struck = kinds.index("fault")
    assert {"cut", "refused"} & set(kinds[struck:]), _explain(outcome)  # the orchestrator felt it
    assert kinds.index("result") > struck
    if revision == Revision.R2025 and fault in ("cut", "down"):
        assert "resumed" in kinds[struck:], _explain(outcome)  # GET + Last-Event-ID, no re-send
        assert "re-sent" not in kinds
    if revision == Revision.R2025 and fault == "restart":
        assert "re-sent" in kinds and kinds.count("session") == 2, _explain(outcome)  # a new session
    if revision == Revision.R2026:  # one task throughout, polled across the fault
        assert len(outcome.timeline.find("travel", "task", lambda e: e.detail.startswith("created"))) == 1


async def test_fault_on_research_server() -> None:
    with anyio.fail_after(RUN_LIMIT):
        outcome = await run_demo(DemoOptions(TRIP, Revision.R2025, "cut", "research", step_delay=0.1, deadline=30))
    _assert_complete(outcome)
    assert outcome.timeline.find("research", "resumed"), _explain(outcome)


async def test_lost_tools_call_answer_is_resent_with_the_same_key(tmp_path: Path) -> None:
    """2026: the answer to tools/call is reset on its way back; the re-sent call (same
    idempotency_key) gets the same task, and there is one booking."""
    timeline = Timeline()
    async with running_agents(step_delay=0.05, store=f"sqlite:{tmp_path / 't.sqlite'}") as travel, \
            running_agents(step_delay=0.05) as research, embedded_proxy() as proxy:
        host_port = travel.split("/")[2]
        model = await proxy.create_proxy("travel", host_port)
        await proxy.add_toxic("travel", "reset_peer", {"timeout": 0}, name="reset")
        orch = Orchestrator(f"http://{model.listen}/mcp", research, revision=Revision.R2026, timeline=timeline, deadline=20)
        with anyio.fail_after(25):
            async with anyio.create_task_group() as tg:
                async def heal() -> None:
                    await timeline.wait_for("travel", "cut")
                    await proxy.remove_toxic("travel", "reset")
                tg.start_soon(heal)
                itinerary = await orch.plan(TRIP)
            bookings = await bookings_for(travel, TRIP)
    kinds = [e.kind for e in timeline.entries if e.agent == "travel"]
    assert kinds[:2] == ["called", "cut"] and "re-sent" in kinds, timeline.render()
    assert len(timeline.find("travel", "task", lambda e: e.detail.startswith("created"))) == 1
    assert itinerary.booking.status == "confirmed"
    assert [b["id"] for b in bookings] == [itinerary.booking.booking_id]


async def test_without_the_tasks_extension_the_multi_round_trip_is_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """2026 with no tasks extension declared: the servers answer `input_required` (MRTR); the
    orchestrator retries tools/call with `inputResponses` and `requestState`."""
    from reference_agents.orchestrator import wire

    monkeypatch.setattr(wire, "capabilities", lambda revision: {"elicitation": {"form": {}}, "sampling": {}})
    async with running_agents() as travel, running_agents() as research:
        with anyio.fail_after(20):
            itinerary = await Orchestrator(travel, research, revision=Revision.R2026, deadline=15).plan(TRIP)
    assert itinerary.problems() == [], itinerary.render()
    assert not itinerary.timeline.find(kind="task")
    for agent in ("travel", "research"):
        assert [" ".join(e.detail.split()[1:3]) for e in itinerary.timeline.find(agent, "called")] == [
            "round 1", "round 2"]


@pytest.mark.parametrize("revision", REVISIONS)
async def test_over_budget_is_declined_and_named(revision: str) -> None:
    async with running_agents() as travel, running_agents() as research:
        orch = Orchestrator(travel, research, revision=revision, deadline=15)
        with anyio.fail_after(20), pytest.raises(OrchestrationError) as info:
            await orch.plan(TripRequest("Lisbon", 2, budget=10))
    assert info.value.agent == "travel"
    assert "declined" in info.value.reason, info.value.reason
    assert info.value.timeline.find("travel", "input-answered", lambda e: "decline" in e.detail)


async def test_unreachable_server_fails_by_the_deadline_naming_the_agent() -> None:
    async with running_agents() as research:
        orch = Orchestrator("http://127.0.0.1:9/mcp", research, revision=Revision.R2025, deadline=1.5)
        with anyio.fail_after(10), pytest.raises(OrchestrationError) as info:
            await orch.plan(TRIP)
    assert info.value.agent == "travel" and "deadline" in info.value.reason
    assert info.value.timeline.find("travel", "refused")
    assert info.value.timeline.find("research", "result")


def test_context_and_idempotency_keys_are_carried_and_stable() -> None:
    a = Orchestrator("http://127.0.0.1:1/mcp", "http://127.0.0.1:2/mcp", run_id="run-1").arguments(TRIP)
    b = Orchestrator("http://127.0.0.1:1/mcp", "http://127.0.0.1:2/mcp", run_id="run-1").arguments(TRIP)
    c = Orchestrator("http://127.0.0.1:1/mcp", "http://127.0.0.1:2/mcp", run_id="run-2").arguments(TRIP)
    assert a == b and a["travel"]["idempotency_key"] != c["travel"]["idempotency_key"]
    assert a["travel"]["idempotency_key"] != a["research"]["idempotency_key"]
    assert {k: a["travel"][k] for k in ("destination", "travellers", "budget", "dates")} == {
        "destination": "Lisbon", "travellers": 2, "budget": 1500, "dates": "2026-05-01..2026-05-08"}
    assert a["research"]["topic"] == "Lisbon for 2 travellers, 2026-05-01..2026-05-08"


def test_handlers_are_deterministic() -> None:
    user = BudgetUser(500)
    assert user({"message": "Book the trip to Oslo for $499?"})["content"]["confirm"] is True
    assert user({"message": "Book the trip to Oslo for $501?"}) == {"action": "decline"}
    assert BudgetUser(0)({"message": "Book the trip to Oslo for $9999?"})["action"] == "accept"
    params = {"messages": [{"role": "user", "content": {"type": "text", "text": "Summarise:\n- x: a\n- x: b"}}]}
    assert ScriptedModel()(params) == ScriptedModel()(params)
    assert ScriptedModel()(params)["content"]["text"].startswith("A; b.")


@pytest.mark.parametrize("argv, needle", [
    (["orchestrate"], "--demo"),
    (["orchestrate", "--demo", "--travel", "http://127.0.0.1:1/mcp"], "not both"),
    (["orchestrate", "--travel", "http://127.0.0.1:1/mcp", "--research", "ftp://x"], "--research"),
    (["orchestrate", "--travel", "http://127.0.0.1:1/mcp", "--research", "http://127.0.0.1:2/mcp", "--fault", "cut"],
     "--fault needs --demo"),
    (["orchestrate", "--demo", "--travellers", "0"], "--travellers"),
    (["orchestrate", "--demo", "--fault", "flood"], "invalid choice"),
])
def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err
