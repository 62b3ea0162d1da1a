"""Raw httpx helpers for the agents tests: an SSE reader and a 2025-11-25 / 2026-07-28 client.

Independent of harness/client (these tests pin the reference server, not the harness): the protocol
pieces (revisions, JSON-RPC shapes, the per-revision envelope, the SSE parser) are mcp_wire's.
Every network wait is bounded by httpx timeouts and by the callers' anyio.fail_after.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
from anyio.abc import Process

from mcp_wire import jsonrpc
from mcp_wire.envelope import http_headers, stamp_params
from mcp_wire.revisions import Revision
from mcp_wire.sse import SseMessage, SseParser, parse_all

V2025, V2026 = Revision.R2025, Revision.R2026
TIMEOUT = httpx.Timeout(10.0)


class Ev(SseMessage):
    """One SSE event as the tests read it: `msg` is its JSON-RPC message, None for a priming event."""

    @property
    def msg(self) -> Any:
        return json.loads(self.data) if self.data.strip() else None


class SseReader:
    """The events of an httpx streaming response, one at a time (parsed by mcp_wire.sse)."""

    def __init__(self, response: httpx.Response) -> None:
        self._chunks = response.aiter_bytes()
        self._parser = SseParser()
        self._ready: list[Ev] = []
        self.eof = False

    async def next(self) -> Ev | None:
        """The next event, or None at the end of the stream."""
        while not self._ready:
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self.eof = True
                return None
            self._ready += [_ev(m) for m in self._parser.feed(chunk)]
        return self._ready.pop(0)


def _ev(m: SseMessage) -> Ev:
    return Ev(m.id, m.event, m.data, m.retry)


@dataclass
class Stream:
    """One SSE response: status, headers, events read so far."""

    response: httpx.Response
    reader: SseReader
    events: list[Ev] = field(default_factory=list)

    async def next(self) -> Ev | None:
        ev = await self.reader.next()
        if ev is not None:
            self.events.append(ev)
        return ev

    async def read_until(self, pred: Any) -> Ev:
        while True:
            ev = await self.next()
            assert ev is not None, f"stream ended before the expected event; got {self.events}"
            if pred(ev):
                return ev

    async def read_all(self) -> list[Ev]:
        while await self.next() is not None:
            pass
        return self.events

    @property
    def last_id(self) -> str | None:
        return next((e.id for e in reversed(self.events) if e.id is not None), None)


class RawClient:
    """A raw 2025-11-25 (session) or 2026-07-28 (envelope) client over httpx."""

    def __init__(self, url: str, *, revision: Revision | str = V2025, capabilities: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.revision = Revision(revision)
        self.capabilities = {"elicitation": {"form": {}}, "sampling": {}} if capabilities is None else capabilities
        self.http = httpx.AsyncClient(timeout=TIMEOUT, headers=headers or {})
        self.session_id: str | None = None
        self._next = 1

    async def __aenter__(self) -> RawClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    def next_id(self) -> int:
        self._next += 1
        return self._next

    def headers(self, **extra: str) -> dict[str, str]:
        h = http_headers(self.revision, {}, session_id=self.session_id)
        h.update(extra)
        return h

    async def open(self) -> dict[str, Any]:
        """2025: initialize + notifications/initialized. 2026: nothing to open (stateless)."""
        if self.revision != V2025:
            return {}
        body = jsonrpc.request(1, "initialize", {"protocolVersion": V2025.value, "capabilities": self.capabilities,
                                                 "clientInfo": {"name": "agents-tests", "version": "0"}})
        r = await self.http.post(self.url, json=body, headers=self.headers())
        assert r.status_code == 200, r.text
        self.session_id = r.headers["mcp-session-id"]
        result = _single_message(r)
        r2 = await self.http.post(self.url, json=jsonrpc.notification("notifications/initialized"),
                                  headers=self.headers())
        assert r2.status_code == 202, r2.text
        return result

    def request(self, method: str, params: dict[str, Any] | None = None, *, id: int | str | None = None,
                progress_token: str | int | None = None) -> dict[str, Any]:
        params = stamp_params(params, self.revision, capabilities=self.capabilities, progress_token=progress_token)
        return jsonrpc.request(self.next_id() if id is None else id, method, params)

    @asynccontextmanager
    async def post(self, body: dict[str, Any], **headers: str) -> AsyncIterator[Stream]:
        """POST a request; yields its response as a Stream (leave the block to cut the connection)."""
        h = http_headers(self.revision, body, session_id=self.session_id)
        h.update(headers)
        req = self.http.build_request("POST", self.url, json=body, headers=h)
        response = await self.http.send(req, stream=True)
        try:
            yield Stream(response, SseReader(response))
        finally:
            await response.aclose()

    @asynccontextmanager
    async def resume(self, last_event_id: str, **headers: str) -> AsyncIterator[Stream]:
        h = self.headers(**{"Last-Event-ID": last_event_id}, **headers)
        h.pop("Content-Type")
        req = self.http.build_request("GET", self.url, headers=h)
        response = await self.http.send(req, stream=True)
        try:
            yield Stream(response, SseReader(response))
        finally:
            await response.aclose()

    async def answer(self, request_id: int | str, result: dict[str, Any] | None = None,
                     error: dict[str, Any] | None = None) -> int:
        body = jsonrpc.response(request_id, result, error)
        r = await self.http.post(self.url, json=body, headers=self.headers())
        return r.status_code

    async def call(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """A request whose answer we only need (JSON or SSE); returns the JSON-RPC response."""
        body = self.request(method, params, **kw)
        async with self.post(body) as s:
            if s.response.headers.get("content-type", "").startswith("application/json"):
                return json.loads(await s.response.aread())
            ev = await s.read_until(lambda e: e.msg is not None and e.msg.get("id") == body["id"])
            assert ev.msg is not None
            return ev.msg


def _single_message(r: httpx.Response) -> dict[str, Any]:
    if r.headers.get("content-type", "").startswith("application/json"):
        return r.json()
    for m in parse_all(r.content):
        if isinstance(msg := m.message(), dict):
            return msg
    raise AssertionError(f"no message in {r.text!r}")


def is_response(ev: Ev, request_id: int | str) -> bool:
    return jsonrpc.is_response(ev.msg, request_id)


def method_of(ev: Ev) -> str | None:
    m = ev.msg
    return m.get("method") if m else None


def shape(ev: Ev) -> str:
    """A comparable summary of an event's message (ids and generated booking ids left out)."""
    m = ev.msg
    if m is None:
        return "priming"
    if m.get("method") == "notifications/progress":
        return f"progress {m['params']['progress']}"
    if "method" in m:
        return m["method"]
    if "error" in m:
        return f"error {m['error']['code']}"
    sc = m["result"].get("structuredContent") or {}
    return f"result {sc.get('status')}"


@asynccontextmanager
async def spawn_agents(*args: str) -> AsyncIterator[tuple[str, Process]]:
    """`faultline agents ARGS` in a subprocess; yields (url, process); SIGTERM on exit."""
    proc = await anyio.open_process([sys.executable, "-m", "harness", "agents", *args],
                                    stdin=subprocess.DEVNULL, stderr=None)
    try:
        assert proc.stdout is not None
        with anyio.fail_after(15):
            line = b""
            while not line.endswith(b"\n"):
                chunk = await proc.stdout.receive(1)
                line += chunk
        text = line.decode().strip()
        assert text.startswith("listening on http://127.0.0.1:") and text.endswith("/mcp"), text
        yield text.removeprefix("listening on "), proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            with anyio.move_on_after(10):
                await proc.wait()
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        await proc.aclose()
