"""A small third-party MCP server for the discovery and preflight tests (not the reference agents: its
serverInfo.name differs). An SDK MCPServer with an event store, on uvicorn at 127.0.0.1:<free port>.

Tools: `tally` (read-only: progress at each of n steps), `bump` (unannotated: a side effect, counted),
`confirm` (not destructive: asks a form elicitation), `ghost` (read-only, listed, but answers "Unknown
tool"). `calls` counts the calls each tool got. With `legacy_only` the server speaks 2025-11-25 only: a
2026-07-28 request (no session, MCP-Protocol-Version 2026-07-28) gets 400, as server-everything answers.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import anyio
import uvicorn
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp_types import CallToolResult, JSONRPCMessage, TextContent, ToolAnnotations

READ_ONLY = ToolAnnotations(readOnlyHint=True)
NOT_DESTRUCTIVE = ToolAnnotations(readOnlyHint=False, destructiveHint=False)


class StreamEvents(EventStore):
    """Events kept per stream; an event id is `stream/n`, so a resume replays its own stream only."""

    def __init__(self) -> None:
        self.streams: dict[StreamId, list[JSONRPCMessage | None]] = {}

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        events = self.streams.setdefault(stream_id, [])
        events.append(message)
        return f"{stream_id}/{len(events)}"

    async def replay_events_after(self, last_event_id: EventId, send_callback: EventCallback) -> StreamId | None:
        stream, _, n = last_event_id.rpartition("/")
        if stream not in self.streams or not n.isdigit():
            return None
        for i, message in enumerate(self.streams[stream][int(n):], start=int(n) + 1):
            if message is not None:
                await send_callback(EventMessage(message, f"{stream}/{i}"))
        return stream


def _text(text: str, *, is_error: bool = False) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=is_error)


def build(calls: Counter[str]) -> MCPServer:
    mcp = MCPServer("faultline-test-thirdparty", log_level="WARNING")

    @mcp.tool(description="Counts to n, reporting progress at each step.", annotations=READ_ONLY)
    async def tally(ctx: Context, n: int = 4, delay_ms: int = 10) -> CallToolResult:
        calls["tally"] += 1
        meta: Any = ctx.request_context.meta or {}
        token = meta.get("progress_token", meta.get("progressToken")) if isinstance(meta, dict) else \
            getattr(meta, "progress_token", None)
        for i in range(1, n + 1):
            await anyio.sleep(delay_ms / 1000)
            if token is not None:
                await ctx.session.send_progress_notification(token, i, n, f"step {i}/{n}",
                                                             related_request_id=ctx.request_id)
        return _text(f"counted to {n}")

    @mcp.tool(description="Adds one to a counter.")
    async def bump() -> CallToolResult:
        calls["bump"] += 1
        return _text(f"bumped {calls['bump']} time(s)")

    @mcp.tool(description="Asks the user to confirm, then answers.", annotations=NOT_DESTRUCTIVE)
    async def confirm(ctx: Context) -> CallToolResult:
        calls["confirm"] += 1
        schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
        answer = await ctx.session.elicit_form("Go ahead?", schema, related_request_id=ctx.request_id)  # type: ignore[arg-type]
        return _text(f"action={answer.action}, content={json.dumps(answer.content)}")

    @mcp.tool(description="Reports progress.", annotations=READ_ONLY)
    async def ghost() -> CallToolResult:
        calls["ghost"] += 1
        return _text("Unknown tool: ghost", is_error=True)

    return mcp


class _LegacyOnly:
    """ASGI middleware: a 2026-07-28 request is answered 400, as a 2025-only server answers it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        if headers.get(b"mcp-protocol-version") == b"2026-07-28" and b"mcp-session-id" not in headers:
            body = json.dumps({"jsonrpc": "2.0", "id": None,
                               "error": {"code": -32000, "message": "Bad Request: Server not initialized"}}).encode()
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


@contextlib.asynccontextmanager
async def thirdparty_server(*, legacy_only: bool = False) -> AsyncIterator[tuple[str, Counter[str]]]:
    """Serve in this event loop; yields (`http://127.0.0.1:PORT/mcp`, the per-tool call counts)."""
    calls: Counter[str] = Counter()
    app: Any = build(calls).streamable_http_app(event_store=StreamEvents(), retry_interval=100)
    if legacy_only:
        app = _LegacyOnly(app)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(lambda: server.serve(sockets=[sock]))  # the socket already listens: no start race
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}/mcp", calls
        finally:
            server.should_exit = True
            server.force_exit = True
