from __future__ import annotations

import anyio
from mcp.server.streamable_http import MCP_SESSION_ID_HEADER, SSEEvent
from sse_starlette import EventSourceResponse
from starlette.requests import Request
from starlette.types import Send

from reference_agents.behaviour import Action, Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.transport import AgentsTransport


class UnknownIdReplaysAll(Behaviour):
    async def resume_from_unknown_id(self, transport: AgentsTransport, last_event_id: str, request: Request,
                                     send: Send, refuse: Action) -> None:
        """Every stored event of the session, then the end."""
        store = transport.session_store
        events = sorted((ev for row in store.hub.storage.streams(store.session)
                         for ev in store.hub.storage.events_after(store.session, row.stream_no, 0)),
                        key=lambda ev: ev.seq)
        writer, reader = anyio.create_memory_object_stream[SSEEvent](0)

        async def sender() -> None:
            async with writer:
                for ev in events:
                    if ev.message is not None:
                        await writer.send({"id": ev.event_id, "event": "message", "data": ev.message})

        await EventSourceResponse(content=reader, data_sender_callable=sender,
                                  headers={MCP_SESSION_ID_HEADER: transport.mcp_session_id or ""})(
            request.scope, request.receive, send)


MUTANT = Mutant(
    "unknown-id-replays-all",
    "an unknown Last-Event-ID replays every event of the session instead of a 400",
    hook="resume_from_unknown_id", behaviour=UnknownIdReplaysAll,
    requirements=("http.resume.foreign-id",), scenarios=("resume-unknown-id", "session-isolation"))
