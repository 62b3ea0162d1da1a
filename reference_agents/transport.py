"""Streamable HTTP session manager and transport with the SDK's resumability bugs worked around.

Pinned to mcp 2.3.0's private seams (`StreamableHTTPSessionManager._admit_session`,
`_handle_stateful_request`, `StreamableHTTPServerTransport._replay_events`,
`_handle_post_request`, `_create_session_message`); tests/agents/test_agents_sdk_pins.py fails
loudly if they move. Letters refer to /work/shared/notes/mcp-python-sdk-2.md § 3.5.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from uuid import uuid4

import anyio
from mcp.server.auth.middleware.bearer_auth import AuthorizationContext
from mcp.server.streamable_http import (
    CONTENT_TYPE_SSE,
    GET_STREAM_KEY,
    LAST_EVENT_ID_HEADER,
    MCP_SESSION_ID_HEADER,
    SSEEvent,
    StreamableHTTPServerTransport,
    check_accept_headers,
)
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCRequest, RequestId
from sse_starlette import EventSourceResponse
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import EventHub, SessionEventStore
from reference_agents.storage import StoredEvent

logger = logging.getLogger(__name__)


def jsonrpc_error_response(status: int, code: int, message: str, *, id_json: str = "null",
                           session_id: str | None = None) -> Response:
    body = f'{{"jsonrpc":"2.0","id":{id_json},"error":{{"code":{code},"message":{json.dumps(message)}}}}}'
    headers = {MCP_SESSION_ID_HEADER: session_id} if session_id else None
    return Response(body, status_code=status, media_type="application/json", headers=headers)


@dataclass
class _Claim:
    dispatched: bool = False


class AgentsTransport(StreamableHTTPServerTransport):
    """One session's transport; `behaviour` (reference_agents/behaviour.py) at its variation points."""

    _event_store: SessionEventStore

    def __init__(self, *args: Any, behaviour: Behaviour, revived: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.behaviour = behaviour
        self.revived = revived  # rebuilt from the store after a restart: resumes only
        self._claims: dict[str, _Claim] = {}
        self._get_connections = 0  # standalone GET stream connections we serve (plain or resumed)
        self._event_store.on_terminal = self._release_claim

    @property
    def session_store(self) -> SessionEventStore:
        """This session's event store."""
        return self._event_store

    # --- F: duplicate in-flight request ids -----------------------------------------------
    # The SDK overwrites `_request_streams[id]` and the dispatcher's `_in_flight[id]` unchecked
    # (python-sdk #3060): the first call hangs or gets the second's result. We refuse a POST
    # whose id is still in flight in this session with 409 + -32600; the id is released when
    # its response is stored (or at once if the request was never dispatched).
    def _release_claim(self, key: str) -> None:
        self._claims.pop(key, None)

    async def _handle_post_request(self, scope: Scope, request: Request, receive: Receive, send: Send) -> None:
        if self.revived:
            # The MCP connection state (initialize) did not survive the restart, only the streams
            # did: GET + Last-Event-ID works, anything else is told to start a new session (404).
            response = jsonrpc_error_response(HTTPStatus.NOT_FOUND, -32600, "Session not found: the server "
                                              "restarted; resume streams with GET, or initialize a new session")
            await response(scope, receive, send)
            return
        key: str | None = None
        raw_id = "null"
        claim = _Claim()
        try:
            msg = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            msg = None
        if isinstance(msg, dict) and isinstance(msg.get("method"), str) and isinstance(msg.get("id"), int | str):
            key, raw_id = str(msg["id"]), json.dumps(msg["id"])
            if key in self._claims and self.behaviour.refuses_in_flight_ids():
                response = jsonrpc_error_response(
                    HTTPStatus.CONFLICT, -32600, f"request id {raw_id} is already in flight in this session",
                    id_json=raw_id, session_id=self.mcp_session_id)
                await response(scope, receive, send)
                return
            self._claims[key] = claim
            self._event_store.expect_request(key, raw_id)
        try:
            await super()._handle_post_request(scope, request, receive, send)
        finally:
            if key is not None and self._claims.get(key) is claim and not claim.dispatched:
                del self._claims[key]
        if key is not None and self._claims.get(key) is claim and claim.dispatched:  # ended before its response
            self.behaviour.stream_left_unanswered(self._event_store, key, raw_id)

    def _create_session_message(self, message: JSONRPCRequest, request: Request, request_id: RequestId,
                                protocol_version: str) -> SessionMessage:
        claim = self._claims.get(str(request_id))
        if claim is not None:
            claim.dispatched = True
        return super()._create_session_message(message, request, request_id, protocol_version)

    # --- B, C, D: resume with Last-Event-ID -------------------------------------------------
    async def _replay_events(self, last_event_id: str, request: Request, send: Send) -> None:
        store = self._event_store
        found = store.lookup(last_event_id)
        if found is None:
            async def refuse() -> None:
                # C: the SDK answers an unknown/foreign/evicted id with 200 and an empty stream that
                # its own client re-polls forever; we answer at once with 400 + a JSON-RPC error.
                response = jsonrpc_error_response(HTTPStatus.BAD_REQUEST, -32602, "unknown Last-Event-ID for this "
                                                  "session", session_id=self.mcp_session_id)
                await response(request.scope, request.receive, send)

            await self.behaviour.resume_from_unknown_id(self, last_event_id, request, send, refuse)
            return
        after, key = found
        await self.behaviour.resume_stream(self, last_event_id, request, send,
                                           lambda: self.serve_stream(store, after, key, request, send))

    async def serve_stream(self, store: SessionEventStore, after: StoredEvent, key: str, request: Request,
                           send: Send, *, priming: bool = False) -> None:
        """Serve `after`'s stream from just after `after` (sent first itself if `priming`), then live.

        B: the SDK replays a snapshot and only then registers the live stream, losing what is
        stored in between. We ATTACH FIRST (a store-level listener fed by store_event, which the
        router calls before delivering), then replay the snapshot, then drain the listener
        dropping positions already sent. Not registering in `_request_streams` also keeps the
        SDK's own POST writer and router (which may pop that entry) out of our way."""
        live = store.subscribe(after.stream_no)
        writer, reader = anyio.create_memory_object_stream[SSEEvent](0)
        retry = self._retry_interval

        def wire(ev: StoredEvent) -> SSEEvent:
            nonlocal retry
            data: SSEEvent = {"id": ev.event_id, "event": "message", "data": ev.message}
            if retry is not None:
                data["retry"], retry = retry, None
            return data

        async def sender() -> None:
            sent = after.pos
            try:
                async with writer, live:
                    if priming:
                        first: SSEEvent = {"id": after.event_id, "data": ""}
                        if retry is not None:
                            first["retry"] = retry
                        await writer.send(first)
                    if not priming:
                        await self.behaviour.before_replay()
                    for ev in self.behaviour.replayed_events(store, after, store.events_after(after)):
                        own = ev.stream_no == after.stream_no
                        sent = ev.pos if own else sent
                        if ev.message is not None:
                            await writer.send(wire(ev))
                        if ev.terminal and own:  # D: the stream is finished: end right after its response
                            await self.behaviour.after_stream_response()
                            return
                    if store.hub.hooks.after_replay_snapshot is not None:
                        await store.hub.hooks.after_replay_snapshot(store.session, key)
                    async for ev in live:
                        if ev.pos <= sent:
                            continue  # already replayed
                        sent = ev.pos
                        if ev.message is not None:
                            await writer.send(wire(ev))
                        if ev.terminal:
                            await self.behaviour.after_stream_response()
                            return
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                logger.debug("resume stream closed")

        headers = {"Cache-Control": "no-cache, no-transform", "Connection": "keep-alive",
                   "Content-Type": CONTENT_TYPE_SSE}
        if self.mcp_session_id:
            headers[MCP_SESSION_ID_HEADER] = self.mcp_session_id
        response = EventSourceResponse(content=reader, data_sender_callable=sender, headers=headers)
        if key == GET_STREAM_KEY:
            self._get_connections += 1
        try:
            await response(request.scope, request.receive, send)
        finally:
            if key == GET_STREAM_KEY:
                self._get_connections -= 1
            await writer.aclose()
            await reader.aclose()
            await live.aclose()

    # --- the standalone GET stream -----------------------------------------------------------
    async def _handle_get_request(self, request: Request, send: Send) -> None:
        """A plain GET (no Last-Event-ID) opens the standalone stream like a POST stream: a priming
        event (id + empty data, and `retry`) first, then the session's server-initiated messages
        (e.g. notifications/resources/updated) as the store records them, so a client cut off at
        any point resumes with Last-Event-ID like on any other stream. (The SDK sends no priming
        event on this stream, so a cut before its first message left nothing to resume from.)"""
        if self.revived or request.headers.get(LAST_EVENT_ID_HEADER) or not self.behaviour.primes_streams():
            await super()._handle_get_request(request, send)
            return
        if not check_accept_headers(request)[1]:
            await super()._handle_get_request(request, send)  # the SDK's 406
            return
        if not await self._validate_request_headers(request, send):
            return
        if self._get_connections or GET_STREAM_KEY in self._request_streams:
            response = self._create_error_response("Conflict: Only one SSE stream is allowed per session",
                                                   HTTPStatus.CONFLICT)
            await response(request.scope, request.receive, send)
            return
        store = self._event_store
        primer = store.append_raw(GET_STREAM_KEY, None, terminal=False)
        await self.serve_stream(store, primer, GET_STREAM_KEY, request, send, priming=True)

    async def _mint_priming_event(self, stream_id: str, protocol_version: str) -> SSEEvent | None:
        if not self.behaviour.primes_streams():
            return None
        self._retry_interval = self.behaviour.retry_hint(self._retry_interval)
        return await super()._mint_priming_event(stream_id, protocol_version)

    async def terminate(self) -> None:
        await super().terminate()
        self._event_store.close_listeners()
        if self._event_store.hub.on_session_end is not None and self.mcp_session_id:
            self._event_store.hub.on_session_end(self.mcp_session_id)

    async def _handle_delete_request(self, request: Request, send: Send) -> None:
        async def end() -> None:
            await super(AgentsTransport, self)._handle_delete_request(request, send)
            if self.is_terminated and self.mcp_session_id:  # a deleted session is never revived
                self._event_store.hub.storage.end_session(self.mcp_session_id)

        await self.behaviour.delete_session(request, send, end)


class AgentsSessionManager(StreamableHTTPSessionManager):
    """A: one `SessionEventStore` per session over a shared backend (the SDK gives every session
    the same store, so a foreign Last-Event-ID replays another session's events). Also revives a
    session the backend knows after a restart, so `GET` + `Last-Event-ID` still resumes."""

    def __init__(self, app: Any, hub: EventHub, *, behaviour: Behaviour, **kwargs: Any) -> None:
        super().__init__(app, event_store=None, **kwargs)
        self.hub = hub
        self.behaviour = behaviour

    def _admit_session(self, requestor: AuthorizationContext | None,
                       session_id: str | None = None) -> StreamableHTTPServerTransport | None:
        revived = session_id is not None
        if self.max_sessions is not None and len(self._server_instances) >= self.max_sessions:
            return None
        session_id = session_id or uuid4().hex
        transport = AgentsTransport(
            mcp_session_id=session_id,
            is_json_response_enabled=self.json_response,
            event_store=self.hub.for_session(session_id),
            security_settings=self.security_settings,
            retry_interval=self.retry_interval,
            idle_timeout=self.session_idle_timeout,
            behaviour=self.behaviour,
            revived=revived,
        )
        if requestor is not None:
            self._session_owners[session_id] = requestor
        self._server_instances[session_id] = transport
        return transport

    async def _handle_stateful_request(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        sid = request.headers.get(MCP_SESSION_ID_HEADER)
        if (sid is not None and request.method == "GET" and sid not in self._server_instances
                and self.hub.knows_session(sid)):
            async with self._session_creation_lock:
                transport = None if sid in self._server_instances else self._admit_session(None, sid)
            if transport is not None:
                logger.info("reviving session %s from the store", sid[:64])
                await self._serve_opening_request(transport, scope, receive, send)
                return
        await super()._handle_stateful_request(scope, receive, send)

    async def terminate_all(self) -> None:
        """End every session's streams (so a server shutdown does not wait on open SSE)."""
        for transport in list(self._server_instances.values()):
            with anyio.CancelScope(shield=True):
                await transport.terminate()
