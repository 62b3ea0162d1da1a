from __future__ import annotations

from starlette.requests import Request
from starlette.types import Send

from reference_agents.behaviour import Action, Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.transport import AgentsTransport


class ReplayCrossSession(Behaviour):
    async def resume_from_unknown_id(self, transport: AgentsTransport, last_event_id: str, request: Request,
                                     send: Send, refuse: Action) -> None:
        """Trust any session's event id (SDK bug A): serve that session's stream."""
        store = transport.session_store
        for other in store.hub.other_sessions(store.session):
            if (found := other.lookup(last_event_id)) is not None:
                after, key = found
                await transport.serve_stream(other, after, key, request, send)
                return
        await refuse()


MUTANT = Mutant(
    "replay-cross-session",
    "a Last-Event-ID of another session is honoured: its events are replayed (SDK bug A)",
    hook="resume_from_unknown_id", behaviour=ReplayCrossSession,
    requirements=("http.resume.foreign-id",), scenarios=("session-isolation",))
