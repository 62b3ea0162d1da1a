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

from reference_agents.orchestrator.sse import SseError, SseParser

V2025 = "2025-11-25"
V2026 = "2026-07-28"
REVISIONS = (V2025, V2026)
ACCEPT = "application/json, text/event-stream"
CLIENT_INFO = {"name": "faultline-orchestrator", "version": "0.1"}
TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
META = "io.modelcontextprotocol/"


def capabilities(revision: str) -> dict[str, Any]:
    caps: dict[str, Any] = {"elicitation": {"form": {}}, "sampling": {}}
    if revision == V2026:
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
        return "method" in self.body and "id" in self.body

    @property
    def is_notification(self) -> bool:
        return "method" in self.body and "id" not in self.body

    def answers(self, request_id: int | str) -> bool:
        return "method" not in self.body and self.body.get("id") == request_id


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
            except SseError as exc:
                raise Cut(str(exc)) from None
            for ev in events:
                if ev.id is not None:
                    self.last_event_id = ev.id
                if ev.retry is not None:
                    self.retry_ms = ev.retry
                if not ev.data.strip():
                    continue  # a priming event: an id (and retry) to resume from, no message
                try:
                    body = json.loads(ev.data)
                except ValueError:
                    continue
                if isinstance(body, dict):
                    yield Message(body, ev.id)


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Wire:
    """One server, one revision. `session_id` is the 2025 session (None before initialize)."""

    def __init__(self, url: str, revision: str, *, timeout: float = 15.0) -> None:
        if revision not in REVISIONS:
            raise ValueError(f"unknown revision {revision!r}")
        self.url = url
        self.revision = revision
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
        params = dict(params or {})
        meta = dict(params.get("_meta") or {})
        if progress_token is not None:
            meta["progressToken"] = progress_token
        if self.revision == V2026:
            meta[META + "protocolVersion"] = V2026
            meta[META + "clientCapabilities"] = capabilities(V2026)
            meta[META + "clientInfo"] = dict(CLIENT_INFO)
        if meta:
            params["_meta"] = meta
        return {"jsonrpc": "2.0", "id": self.next_id(), "method": method, "params": params}

    def headers(self, body: dict[str, Any] | None = None) -> dict[str, str]:
        h = {"Accept": ACCEPT, "MCP-Protocol-Version": self.revision}
        if body is not None:
            h["Content-Type"] = "application/json"
        if self.session_id and self.revision == V2025:
            h["Mcp-Session-Id"] = self.session_id
        if self.revision == V2026 and body is not None and "method" in body:
            h["Mcp-Method"] = body["method"]
            params = body.get("params") or {}
            name = params.get("name") or params.get("taskId") or params.get("uri")
            if isinstance(name, str) and name:
                h["Mcp-Name"] = name
        return h

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
        body: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params:
            body["params"] = params
        async with self.post(body) as reply:
            await reply.text()
            return reply.status

    async def respond(self, request_id: int | str, result: dict[str, Any] | None = None,
                      error: dict[str, Any] | None = None) -> int:
        """2025: POST the client's answer to a server request (the server says 202)."""
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        if error is not None:
            body["error"] = error
        else:
            body["result"] = result or {}
        async with self.post(body) as reply:
            await reply.text()
            return reply.status

    async def initialize(self) -> dict[str, Any]:
        """2025: a new session (initialize + notifications/initialized); the server's InitializeResult."""
        self.session_id = None
        body = self.request("initialize", {"protocolVersion": self.revision, "capabilities": capabilities(V2025),
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
