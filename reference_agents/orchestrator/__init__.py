"""The orchestrator: a host agent that plans a trip with the research and travel agents, each on
its own MCP server, and survives cuts and restarts of either (see agent.py).

    itinerary = await Orchestrator(travel_url, research_url, revision="2026-07-28").plan(
        TripRequest("Lisbon", travellers=2, budget=1500, dates="2026-05-01..05-08"))
    print(itinerary.render())
"""

from reference_agents.orchestrator.agent import OrchestrationError, Orchestrator
from reference_agents.orchestrator.calls import AgentFailed, Backoff
from reference_agents.orchestrator.handlers import BudgetUser, ScriptedModel
from reference_agents.orchestrator.plan import (
           Booking,
           Brief,
           Entry,
           Itinerary,
           Timeline,
           TripRequest,
           idempotency_key,
)

__all__ = ["AgentFailed", "Backoff", "Booking", "Brief", "BudgetUser", "Entry",
           "Itinerary", "OrchestrationError", "Orchestrator", "ScriptedModel", "Timeline", "TripRequest",
           "idempotency_key"]
