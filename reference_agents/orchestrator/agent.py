"""The orchestrator: a host agent that plans a trip with two agents on two MCP servers.

It asks the research agent for a destination brief and the travel agent for a booking, at the
same time (one anyio task group), carries the user's context (travellers, budget, dates) into both
calls, routes elicitation to the user handler and sampling to the scripted model, and puts the
two answers together into one `Itinerary`. Each call survives cuts and restarts of its server
(`sessions.py` on 2025-11-25, `stateless.py` on 2026-07-28) and carries an idempotency key derived
from the trip and the run, so a re-sent call never books twice. A hard deadline bounds the whole
run: it ends with an itinerary or with `OrchestrationError` naming the agent and why, never hangs.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import anyio

from mcp_wire.revisions import ALL, Revision
from reference_agents.orchestrator.calls import AgentCall, AgentFailed, Backoff
from reference_agents.orchestrator.handlers import BudgetUser, Handler, ScriptedModel
from reference_agents.orchestrator.plan import (
    Booking,
    Brief,
    Itinerary,
    Timeline,
    TripRequest,
    idempotency_key,
)
from reference_agents.orchestrator.sessions import SessionCall
from reference_agents.orchestrator.stateless import StatelessCall

TOOLS = {"travel": "travel_agent", "research": "research_agent"}


class OrchestrationError(Exception):
    """The trip could not be planned; `agent` names who failed (or "orchestrator"), `timeline` is
    everything that happened up to then."""

    def __init__(self, agent: str, reason: str, timeline: Timeline) -> None:
        super().__init__(f"{agent} agent: {reason}" if agent in TOOLS else reason)
        self.agent = agent
        self.reason = reason
        self.timeline = timeline


class Orchestrator:
    def __init__(self, travel_url: str, research_url: str, *, revision: Revision | str = Revision.R2025,
                 user: Handler | None = None, model: Handler | None = None, deadline: float = 60.0,
                 run_id: str | None = None, timeline: Timeline | None = None, http_timeout: float = 15.0,
                 backoff: Backoff | None = None) -> None:
        if revision not in ALL:
            raise ValueError(f"revision must be one of {', '.join(ALL)}, not {revision!r}")
        if deadline <= 0:
            raise ValueError("deadline must be > 0")
        self.urls = {"travel": travel_url, "research": research_url}
        self.revision = Revision(revision)
        self.user = user
        self.model: Handler = model or ScriptedModel()
        self.deadline = deadline
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.timeline = timeline or Timeline()
        self.http_timeout = http_timeout
        self.backoff = backoff or Backoff()

    def arguments(self, trip: TripRequest) -> dict[str, dict[str, Any]]:
        """Each agent's arguments: the user's context, and the call's idempotency key."""
        return {
            "travel": {"destination": trip.destination, "travellers": trip.travellers, "budget": trip.budget,
                       "dates": trip.dates, "idempotency_key": idempotency_key(trip, self.run_id, "travel")},
            "research": {"topic": trip.topic(), "idempotency_key": idempotency_key(trip, self.run_id, "research")},
        }

    def _call(self, agent: str, trip: TripRequest, arguments: dict[str, Any]) -> AgentCall:
        b = self.backoff
        return AgentCall(agent, self.urls[agent], self.revision, TOOLS[agent], arguments, self.timeline,
                         user=self.user or BudgetUser(trip.budget), model=self.model,
                         backoff=Backoff(b.base, b.cap, b.max_failures), http_timeout=self.http_timeout)

    async def plan(self, trip: TripRequest) -> Itinerary:
        """Both agents at once, correlated by task; the itinerary, or OrchestrationError."""
        if not self.timeline.entries:
            self.timeline.start = time.monotonic()  # offsets count from the plan's start
        results: dict[str, dict[str, Any]] = {}
        failures: list[AgentFailed] = []
        args = self.arguments(trip)

        async def one(agent: str, tg: anyio.abc.TaskGroup) -> None:
            call = self._call(agent, trip, args[agent])
            runner = SessionCall(call) if self.revision is Revision.R2025 else StatelessCall(call)
            try:
                result = await runner.run()
                call.log("result", _summary(result))
                results[agent] = result
            except AgentFailed as exc:
                failures.append(exc)
                tg.cancel_scope.cancel()
            except Exception as exc:  # noqa: BLE001 - any other failure is still this agent's, named
                failures.append(call.fail(f"{type(exc).__name__}: {exc}"))
                tg.cancel_scope.cancel()

        with anyio.move_on_after(self.deadline) as scope:
            async with anyio.create_task_group() as tg:
                for agent in TOOLS:
                    tg.start_soon(one, agent, tg)
        if failures:
            first = failures[0]
            raise OrchestrationError(first.agent, first.reason, self.timeline)
        if scope.cancelled_caught or len(results) < len(TOOLS):
            pending = [a for a in TOOLS if a not in results]
            last = {a: self.timeline.find(agent=a)[-1:] for a in pending}
            why = "; ".join(f"{a} (last: {e[0].kind} {e[0].detail})" if e else a for a, e in last.items())
            for a in pending:
                self.timeline.add(a, "failed", f"the {self.deadline:g}s deadline passed")
            agent = pending[0] if len(pending) == 1 else "orchestrator"
            raise OrchestrationError(agent, f"the {self.deadline:g}s deadline passed waiting on {why}",
                                     self.timeline)
        return self.synthesize(trip, results)

    def synthesize(self, trip: TripRequest, results: dict[str, dict[str, Any]]) -> Itinerary:
        travel = _structured(results["travel"])
        research = _structured(results["research"])
        if results["travel"].get("isError") or travel.get("status") != "confirmed":
            why = travel.get("reason") or _text(results["travel"]) or "no booking"
            raise OrchestrationError("travel", f"no confirmed booking: {why}", self.timeline)
        if research.get("status") != "done":
            why = research.get("reason") or _text(results["research"]) or "no report"
            raise OrchestrationError("research", f"no brief: {why}", self.timeline)
        price = travel.get("price")
        booking = Booking(str(travel.get("booking_id")), int(price) if isinstance(price, int | float) else None,
                          str(travel.get("status")), str(travel.get("uri") or ""))
        brief = Brief(str(research.get("report_id")), str(research.get("summary") or ""),
                      str(research.get("uri") or ""))
        return Itinerary(trip, brief, booking, self.timeline)


def _structured(result: dict[str, Any]) -> dict[str, Any]:
    sc = result.get("structuredContent")
    return dict(sc) if isinstance(sc, dict) else {}


def _text(result: dict[str, Any]) -> str:
    return " ".join(str(b.get("text", "")) for b in result.get("content") or [] if isinstance(b, dict)
                    and b.get("type") == "text").strip()


def _summary(result: dict[str, Any]) -> str:
    sc = _structured(result)
    ident = sc.get("booking_id") or sc.get("report_id") or "?"
    return f"{ident} {sc.get('status', 'error' if result.get('isError') else '?')}"
