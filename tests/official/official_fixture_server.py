"""A test server: an SDK MCPServer with the official suite's fixtures, on uvicorn at 127.0.0.1:<free port>."""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import AsyncIterator

import anyio
import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp_types import JSONRPCMessage

from reference_agents.conformance_fixtures import register


class MemoryEventStore(EventStore):
    """Minimal in-memory event store (ids are global sequence numbers)."""

    def __init__(self) -> None:
        self.events: list[tuple[StreamId, EventId, JSONRPCMessage | None]] = []

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        event_id = str(len(self.events) + 1)
        self.events.append((stream_id, event_id, message))
        return event_id

    async def replay_events_after(self, last_event_id: EventId, send_callback: EventCallback) -> StreamId | None:
        stream = next((s for s, e, _ in self.events if e == last_event_id), None)
        if stream is None:
            return None
        after = False
        for s, e, m in list(self.events):
            if after and s == stream and m is not None:
                await send_callback(EventMessage(m, e))
            after = after or e == last_event_id
        return stream


@contextlib.asynccontextmanager
async def fixture_server() -> AsyncIterator[str]:
    mcp = MCPServer("faultline-conformance-fixtures", log_level="WARNING")
    register(mcp)
    app = mcp.streamable_http_app(event_store=MemoryEventStore(), retry_interval=1000)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(lambda: server.serve(sockets=[sock]))  # the socket already listens: no start race
        try:
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            server.should_exit = True
            server.force_exit = True


async def _main() -> None:
    async with fixture_server() as url:
        print(f"listening on {url}", flush=True)
        await anyio.sleep_forever()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(_main)
    sys.exit(0)
