"""A minimal MCP client over Streamable HTTP (httpx, async) for both protocol revisions.

It knows HTTP and JSON-RPC framing, nothing about retries: a POST or a resume GET yields a
`Reply` whose messages (one JSON body or an SSE stream) are read one by one; the caller decides
what a cut means. Transport failures are typed: `Unreachable` (nothing was sent: connection
refused), `Cut` (the connection broke, or the stream ended, mid-exchange).

- 2025-11-25: `initialize` + `notifications/initialized`; every request after carries
  `Mcp-Session-Id` and `MCP-Protocol-Version`; a stream is resumed with GET + `Last-Event-ID`.
- 2026-07-28: stateless; every POST carries `Mcp-Method`, `Mcp-Name` and the protocol version,
  and `params._meta` carries the version, the client's capabilities and its identity.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from mcp_wire import jsonrpc
from mcp_wire.envelope import http_headers, stamp_params
from mcp_wire.revisions import TASKS_EXTENSION, Revision
from mcp_wire.sse import SseLimitError, SseParser

CLIENT_INFO = {"name": "faultline-orchestrator", "version": "0.1"}


def capabilities(revision: Revision) -> dict[str, Any]:
    caps: dict[str, Any] = {"elicitation": {"form": {}}, "sampling": {}}
    if revision is Revision.R2026:
        caps["extensions"] = {TASKS_EXTENSION: {}}
    return caps


class WireError(Exception):
    """A transport-level failure talking to one server."""


class Unreachable(WireError):
    """The connection could not be made (server down, proxy disabled): nothing was sent."""


class Cut(WireError):
    """The connection broke (or a stream ended) before the exchange finished."""


class HttpStatusError(WireError):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:200]}")
        self.status = status
        self.body = body


@dataclass
class Message:
    """One JSON-RPC message received, with the SSE event id it came with (None for JSON bodies)."""

    body: dict[str, Any]
    event_id: str | None = None

    @property
    def is_request(self) -> bool:
        return jsonrpc.is_request(self.body)

    @property
    def is_notification(self) -> bool:
        return jsonrpc.is_notification(self.body)

    def answers(self, request_id: int | str) -> bool:
        return jsonrpc.is_response(self.body, request_id)


@dataclass
class Reply:
    """One HTTP response: its status, and its messages read incrementally (JSON or SSE)."""

    response: httpx.Response
    last_event_id: str | None = None  # the newest SSE event id seen on this stream
    retry_ms: int | None = None  # the newest `retry` hint
    ended: bool = False
    _parser: SseParser = field(default_factory=SseParser)

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def is_sse(self) -> bool:
        return self.response.headers.get("content-type", "").startswith("text/event-stream")

    async def text(self) -> str:
        try:
            return (await self.response.aread()).decode("utf-8", "replace")
        except httpx.HTTPError as exc:
            raise Cut(f"body cut: {describe(exc)}") from None

    async def messages(self) -> AsyncIterator[Message]:
        """Every JSON-RPC message of the body, in order; `Cut` if the connection breaks mid-way.
        The end of an SSE stream sets `ended` (the caller decides whether that was too early)."""
        if not self.is_sse:
            text = await self.text()
            try:
                body = json.loads(text) if text.strip() else None
            except ValueError:
                raise Cut(f"unreadable JSON body: {text[:120]!r}") from None
            for item in body if isinstance(body, list) else [body] if body is not None else []:
                if isinstance(item, dict):
                    yield Message(item)
            self.ended = True
            return
        chunks = self.response.aiter_bytes()
        while True:
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                self.ended = True
                return
            except httpx.HTTPError as exc:
                raise Cut(f"stream cut: {describe(exc)}") from None
            try:
                events = self._parser.feed(chunk)
            except SseLimitError as exc:
                raise Cut(str(exc)) from None
            for ev in events:
                if ev.id is not None:
                    self.last_event_id = ev.id
                if ev.retry is not None:
                    self.retry_ms = ev.retry
                body = ev.message()  # None for a priming event: an id (and retry) to resume from, no message
                if isinstance(body, dict):
                    yield Message(body, ev.id)


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Wire:
    """One server, one revision. `session_id` is the 2025 session (None before initialize)."""

    def __init__(self, url: str, revision: Revision | str, *, timeout: float = 15.0) -> None:
        self.url = url
        self.revision = Revision(revision)  # ValueError for an unknown one
        self.session_id: str | None = None
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                                      headers={"User-Agent": "faultline-orchestrator/0.1"})
        self._next_id = 0

    async def aclose(self) -> None:
        await self.http.aclose()

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def request(self, method: str, params: dict[str, Any] | None = None, *,
                progress_token: str | None = None) -> dict[str, Any]:
        params = stamp_params(params, self.revision, capabilities=capabilities(self.revision),
                              client_info=CLIENT_INFO, progress_token=progress_token)
        return jsonrpc.request(self.next_id(), method, params)

    def headers(self, body: dict[str, Any] | None = None) -> dict[str, str]:
        return http_headers(self.revision, body, session_id=self.session_id)

    @contextlib.asynccontextmanager
    async def post(self, body: dict[str, Any]) -> AsyncIterator[Reply]:
        request = self.http.build_request("POST", self.url, content=json.dumps(body).encode(),
                                          headers=self.headers(body))
        async with self._send(request) as reply:
            yield reply

    @contextlib.asynccontextmanager
    async def resume(self, last_event_id: str) -> AsyncIterator[Reply]:
        """2025: GET + Last-Event-ID on this session."""
        headers = self.headers()
        headers["Last-Event-ID"] = last_event_id
        request = self.http.build_request("GET", self.url, headers=headers)
        async with self._send(request) as reply:
            yield reply

    @contextlib.asynccontextmanager
    async def _send(self, request: httpx.Request) -> AsyncIterator[Reply]:
        try:
            response = await self.http.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unreachable(describe(exc)) from None
        except httpx.HTTPError as exc:
            raise Cut(describe(exc)) from None
        try:
            yield Reply(response)
        finally:
            with contextlib.suppress(Exception):
                await response.aclose()

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A request whose answer is all we need (JSON or SSE); the JSON-RPC response. No retries."""
        body = self.request(method, params)
        async with self.post(body) as reply:
            if reply.status >= 400 or reply.status == 202:
                raise HttpStatusError(reply.status, await reply.text())
            async for msg in reply.messages():
                if msg.answers(body["id"]):
                    return msg.body
        raise Cut(f"{method}: the reply ended without the response")

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> int:
        async with self.post(jsonrpc.notification(method, params)) as reply:
            await reply.text()
            return reply.status

    async def respond(self, request_id: int | str, result: dict[str, Any] | None = None,
                      error: dict[str, Any] | None = None) -> int:
        """2025: POST the client's answer to a server request (the server says 202)."""
        async with self.post(jsonrpc.response(request_id, result, error)) as reply:
            await reply.text()
            return reply.status

    async def initialize(self) -> dict[str, Any]:
        """2025: a new session (initialize + notifications/initialized); the server's InitializeResult."""
        self.session_id = None
        body = self.request("initialize", {"protocolVersion": self.revision.value,
                                           "capabilities": capabilities(Revision.R2025),
                                           "clientInfo": dict(CLIENT_INFO)})
        async with self.post(body) as reply:
            if reply.status != 200:
                raise HttpStatusError(reply.status, await reply.text())
            session = reply.response.headers.get("mcp-session-id")
            answer = None
            async for msg in reply.messages():
                if msg.answers(body["id"]):
                    answer = msg.body
                    break
        if answer is None:
            raise Cut("initialize: the reply ended without the response")
        if "error" in answer:
            raise HttpStatusError(200, f"initialize refused: {answer['error']}")
        self.session_id = session
        status = await self.notify("notifications/initialized")
        if status >= 400:
            raise HttpStatusError(status, "notifications/initialized refused")
        return dict(answer.get("result") or {})
