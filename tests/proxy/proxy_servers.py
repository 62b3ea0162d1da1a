"""Small servers the proxy tests run behind the proxy, and a stand-in for a real Toxiproxy."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from harness.proxy.api import ApiError, ApiServer
from harness.proxy.models import CAPABILITIES_PATH


async def echo_handler(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    """Echo every byte back until the peer closes."""
    try:
        while data := await r.read(65536):
            w.write(data)
            await w.drain()
    except ConnectionError:
        pass
    finally:
        w.close()


def port_of(listen: str) -> int:
    return int(listen.rsplit(":", 1)[1])


def http_handler(respond: Callable[[asyncio.StreamWriter], Awaitable[None]], *, keep_alive: bool
                 ) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    """A connection handler that reads each request head (bodies are not expected) and `respond`s;
    one request only unless `keep_alive`."""
    async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            while True:
                await r.readuntil(b"\r\n\r\n")
                await respond(w)
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            w.close()

    return handle


async def eight_sse_events(w: asyncio.StreamWriter) -> None:
    """A chunked text/event-stream response of 8 events, one write per event, then the end."""
    w.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
    for i in range(8):
        ev = f"id: {i}\r\ndata: {{\"n\": {i}}}\r\n\r\n".encode()
        w.write(f"{len(ev):x}\r\n".encode() + ev + b"\r\n")
        await w.drain()
    w.write(b"0\r\n\r\n")
    await w.drain()


async def two_bytes_ok(w: asyncio.StreamWriter) -> None:
    w.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
    await w.drain()


class FakeToxiproxy(ApiServer):
    """The embedded API as a real Toxiproxy answers it: no faultline.* toxics, no /faultline routes
    (no real Toxiproxy binary can be installed here)."""

    async def route(self, method: str, path: str, raw: bytes) -> tuple[int, Any]:
        if path == CAPABILITIES_PATH or "/faultline/" in path:
            return 404, "404 page not found\n"
        if method == "POST" and path.endswith("/toxics"):
            try:
                kind = json.loads(raw).get("type", "")
            except (ValueError, AttributeError):
                kind = ""
            if str(kind).startswith("faultline."):
                return 400, ApiError(error="invalid toxic type", status=400)
        return await super().route(method, path, raw)
