"""A small 2025-11-25 MCP server whose every tool call polls (SEP-1699): it closes the call's SSE stream
after each event on purpose, having sent `retry` and an event id, and the client is to come back with
GET + Last-Event-ID for the next one. Everything else is plain and correct (sessions, 404 after
DELETE, 400 on an unknown version or id, 403 on a foreign Origin), so the suite sees only the polling.

Not shipped: a test fixture. `polling_server(retry_ms=None, resumable=False)` is the broken twin: it
closes without `retry` and answers every resume with an empty stream.

Tool `poll_count {n=4, delay_ms=20, job=""}`: n progress notifications (when the call has a progress
token), then the result; every run that completes adds one to `job`'s counter (`job_runs_completed`).
"""

from __future__ import annotations

import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26")
TOOL = {"name": "poll_count", "description": "Count to n, one progress notification per step; the stream is "
        "closed after every event (SEP-1699 polling).",
        "inputSchema": {"type": "object", "properties": {"n": {"type": "integer", "default": 4},
                                                        "delay_ms": {"type": "integer", "default": 20},
                                                        "job": {"type": "string", "default": ""}}}}


@dataclass
class Stream:
    events: list[tuple[str, str]] = field(default_factory=list)  # (event id, data)
    grew: anyio.Event = field(default_factory=anyio.Event)

    def add(self, event_id: str, data: Any) -> None:
        self.events.append((event_id, json.dumps(data)))
        self.grew.set()
        self.grew = anyio.Event()


@dataclass
class Server:
    retry_ms: int | None = 200
    resumable: bool = True
    sessions: dict[str, dict[str, Stream]] = field(default_factory=dict)  # session -> stream key -> stream
    jobs: dict[str, int] = field(default_factory=dict)
    tg: Any = None

    def rpc_error(self, status: int, code: int, message: str, rpc_id: Any = None) -> Response:
        return JSONResponse({"jsonrpc": "2.0", "id": rpc_id, "error": {"code": code, "message": message}}, status)

    async def endpoint(self, request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and not origin.startswith(("http://127.0.0.1", "http://localhost")):
            return self.rpc_error(403, -32600, f"Origin {origin!r} is not allowed")
        sid = request.headers.get("mcp-session-id")
        version = request.headers.get("mcp-protocol-version")
        body: Any = None
        if request.method == "POST":
            with contextlib.suppress(ValueError):
                body = json.loads(await request.body())
        if isinstance(body, dict) and body.get("method") == "initialize":
            new = uuid.uuid4().hex
            self.sessions[new] = {}
            return JSONResponse({"jsonrpc": "2.0", "id": body.get("id"), "result": {
                "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                "serverInfo": {"name": "faultline-polling-test-server", "version": "0"}}},
                headers={"mcp-session-id": new})
        if sid is None:
            return self.rpc_error(400, -32600, "Bad Request: Mcp-Session-Id required")
        if sid not in self.sessions:
            return self.rpc_error(404, -32600, "Session not found")
        if version is not None and version not in VERSIONS:
            return self.rpc_error(400, -32600, f"Unsupported MCP-Protocol-Version {version!r}")
        if request.method == "DELETE":
            del self.sessions[sid]
            return Response(status_code=200)
        if request.method == "GET":
            return self.resume(sid, request.headers.get("last-event-id"))
        if not isinstance(body, dict) or "method" not in body or "id" not in body:
            return Response(status_code=202)  # a notification or the client's answer
        return self.answer(sid, body)

    def answer(self, sid: str, body: dict[str, Any]) -> Response:
        rid, method, params = body["id"], body["method"], body.get("params") or {}
        if method == "ping":
            return JSONResponse({"jsonrpc": "2.0", "id": rid, "result": {}})
        if method == "tools/list":
            return JSONResponse({"jsonrpc": "2.0", "id": rid, "result": {"tools": [TOOL]}})
        if method != "tools/call" or params.get("name") != "poll_count":
            return self.rpc_error(200, -32601, f"unknown method or tool: {method} {params.get('name', '')}", rid)
        key = uuid.uuid4().hex[:12]
        stream = self.sessions[sid][key] = Stream()
        stream.events.append((f"{key}/0", ""))  # the priming event
        self.tg.start_soon(self.work, stream, key, rid, params)
        return self.sse(stream, 1, priming=True)

    async def work(self, stream: Stream, key: str, rid: Any, params: dict[str, Any]) -> None:
        args = params.get("arguments") or {}
        n, delay, job = int(args.get("n", 4)), int(args.get("delay_ms", 20)), str(args.get("job") or "")
        token = (params.get("_meta") or {}).get("progressToken")
        for i in range(1, n + 1):
            await anyio.sleep(delay / 1000)
            if token is not None:
                stream.add(f"{key}/{len(stream.events)}", {"jsonrpc": "2.0", "method": "notifications/progress",
                                                          "params": {"progressToken": token, "progress": i, "total": n}})
        structured: dict[str, Any] = {"counted": n}
        if job:
            self.jobs[job] = self.jobs.get(job, 0) + 1
            structured["job_runs_completed"] = self.jobs[job]
        stream.add(f"{key}/{len(stream.events)}", {"jsonrpc": "2.0", "id": rid, "result": {
            "content": [{"type": "text", "text": f"counted to {n}"}], "structuredContent": structured}})

    def resume(self, sid: str, last_event_id: str | None) -> Response:
        if last_event_id is None:
            return Response("no standalone stream", status_code=405)
        key, _, pos = last_event_id.rpartition("/")
        stream = self.sessions[sid].get(key)
        if stream is None or not pos.isdigit() or int(pos) >= len(stream.events):
            return self.rpc_error(400, -32602, "unknown Last-Event-ID for this session")
        return self.sse(stream, int(pos) + 1 if self.resumable else None)

    def sse(self, stream: Stream, start: int | None, *, priming: bool = False) -> StreamingResponse:
        """One connection: (the priming event,) event `start` once there is one, then the close (after the
        result, the stream's end; before it, a poll). `start` None: nothing more (the broken twin)."""
        retry = f"retry: {self.retry_ms}\n" if self.retry_ms is not None else ""

        async def body() -> AsyncIterator[bytes]:
            if priming:
                yield f"id: {stream.events[0][0]}\n{retry}data: \n\n".encode()
            if start is None:
                return  # the broken twin: an empty stream, for ever
            with anyio.move_on_after(10):
                while len(stream.events) <= start:
                    await stream.grew.wait()
            if len(stream.events) > start:
                event_id, data = stream.events[start]
                yield f"id: {event_id}\n{'' if priming else retry}data: {data}\n\n".encode()

        return StreamingResponse(body(), media_type="text/event-stream", headers={"cache-control": "no-cache"})


class _Quiet(uvicorn.Server):
    """uvicorn without its signal handlers (the test process keeps its own)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def polling_server(*, retry_ms: int | None = 200, resumable: bool = True) -> AsyncIterator[str]:
    """Serve on 127.0.0.1 (a free port); yield the MCP URL."""
    server = Server(retry_ms=retry_ms, resumable=resumable)
    app = Starlette(routes=[Route("/mcp", server.endpoint, methods=["GET", "POST", "DELETE"])])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections wait in the backlog until uvicorn serves them: the URL is good at once
    uv = _Quiet(uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1))
    stopped = anyio.Event()

    async def serve() -> None:
        try:
            await uv.serve(sockets=[sock])
        finally:
            stopped.set()

    try:
        async with anyio.create_task_group() as tg:
            server.tg = tg
            tg.start_soon(serve)
            try:
                yield f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"
            finally:
                uv.should_exit = True
                with anyio.move_on_after(5):
                    await stopped.wait()
                tg.cancel_scope.cancel()  # the tool runs still counting
    finally:
        sock.close()
