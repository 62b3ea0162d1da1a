from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from proxy_servers import echo_handler


@pytest.fixture
async def echo() -> AsyncIterator[int]:
    """A TCP echo server on loopback; yields its port."""
    server = await asyncio.start_server(echo_handler, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


@pytest.fixture
async def sse_server() -> AsyncIterator[int]:
    """An HTTP/1.1 server answering any request with 8 chunked SSE events (one write per event)."""
    async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            await r.readuntil(b"\r\n\r\n")
            w.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
            for i in range(8):
                ev = f"id: {i}\r\ndata: {{\"n\": {i}}}\r\n\r\n".encode()
                w.write(f"{len(ev):x}\r\n".encode() + ev + b"\r\n")
                await w.drain()
            w.write(b"0\r\n\r\n")
            await w.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
