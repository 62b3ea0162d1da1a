"""A hostile MCP server: raw asyncio HTTP/1.1 with byte-level control, one misbehaviour per path.

`POST/GET/DELETE /mcp/<behaviour>` selects the behaviour. It answers `initialize`,
`notifications/initialized`, `server/discover` and the client's JSON-RPC responses (answers to
server requests) plausibly, so a scenario reaches its hostile part; every other request (tool
calls, pings, resumes by GET, DELETE) gets the behaviour. `/mcp/<behaviour>/init` applies the
behaviour to `initialize`/`server/discover` too. `/mcp/ok` is a well-behaved control: a progress
tool answering with a priming event, progress notifications and the result.

Not shipped: a test fixture. Every connection is closed after its response (`Connection: close`,
close-delimited bodies), so each exchange is one TCP connection the proxy can see.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

MB = 1024 * 1024
HUGE_EVENT_BYTES = 50 * MB
MANY_EVENTS = 10_000


class Gone(Exception):
    """The client went away; the behaviour stops."""


@dataclass
class Req:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    behaviour: str
    on_init: bool
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    settings: Settings
    stopping: asyncio.Event

    @property
    def rpc_id(self) -> Any:
        return self.body.get("id") if isinstance(self.body, dict) else None

    @property
    def rpc_method(self) -> str:
        return str(self.body.get("method", "")) if isinstance(self.body, dict) else ""

    @property
    def progress_token(self) -> Any:
        params = self.body.get("params") if isinstance(self.body, dict) else None
        meta = (params or {}).get("_meta") or {} if isinstance(params, dict) else {}
        return meta.get("progressToken")

    async def send(self, data: bytes) -> None:
        if self.writer.is_closing():
            raise Gone
        self.writer.write(data)
        try:
            await self.writer.drain()
        except (ConnectionError, RuntimeError) as exc:
            raise Gone from exc

    async def head(self, status: int, reason: str, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
        lines.append("Connection: close")
        await self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    async def json(self, obj: Any, status: int = 200, headers: dict[str, str] | None = None,
                   content_type: str = "application/json") -> None:
        body = json.dumps(obj).encode()
        await self.head(status, "OK" if status < 400 else "Error",
                        {"Content-Type": content_type, "Content-Length": str(len(body)), **(headers or {})})
        await self.send(body)

    async def sse_head(self) -> None:
        await self.head(200, "OK", {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})

    async def event(self, data: Any, *, id: str | None = None, retry: int | None = None) -> None:
        await self.send(sse_event(data, id=id, retry=retry))

    async def pause(self, seconds: float) -> None:
        """Sleep between writes; the server stopping ends the behaviour at once."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)
            raise Gone

    async def until_gone(self) -> None:
        """Hold the connection open, silent, until the client closes it."""
        with contextlib.suppress(ConnectionError):
            while await self.reader.read(65536):
                pass
        raise Gone


@dataclass
class Settings:
    tick: float = 0.02  # seconds between events of endless streams (below any read timeout)
    slow_interval: float = 1.0  # slowloris: seconds between bytes
    huge_event_bytes: int = HUGE_EVENT_BYTES
    many_events: int = MANY_EVENTS
    flood_batch: int = 50  # server->client requests per tick
    seen: list[tuple[str, str, str]] = field(default_factory=list)  # (behaviour, HTTP method, rpc method)


def sse_event(data: Any, *, id: str | None = None, retry: int | None = None) -> bytes:
    out = b""
    if id is not None:
        out += f"id: {id}\n".encode()
    if retry is not None:
        out += f"retry: {retry}\n".encode()
    raw = data if isinstance(data, bytes) else (data if isinstance(data, str) else json.dumps(data)).encode()
    out += b"data: " + raw + b"\n\n"
    return out


def result(rpc_id: Any, text: str = "done") -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rpc_id, "result": {"content": [{"type": "text", "text": text}]}}


def progress(token: Any, n: int, total: int | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"progressToken": token if token is not None else "none", "progress": n}
    if total is not None:
        params["total"] = total
    return {"jsonrpc": "2.0", "method": "notifications/progress", "params": params}


# -- behaviours --------------------------------------------------------------------------------

async def sse_never_ends(r: Req) -> None:
    await r.sse_head()
    await r.event("", id="ne-0")
    n = 0
    while True:
        n += 1
        await r.event(progress(r.progress_token, n), id=f"ne-{n}")
        await r.pause(r.settings.tick)


async def keepalive_only(r: Req) -> None:
    await r.sse_head()
    while True:
        await r.send(b": keepalive\n\n")
        await r.pause(r.settings.tick)


async def huge_event(r: Req) -> None:
    await r.sse_head()
    await r.event("", id="he-0")
    await r.send(b'id: he-1\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"data":"')
    chunk = b"A" * (64 * 1024)
    left = r.settings.huge_event_bytes
    while left > 0:
        await r.send(chunk[:left])
        left -= len(chunk)
    await r.send(b'"}}\n\n')
    await r.until_gone()


async def no_newline(r: Req) -> None:
    await r.sse_head()
    await r.send(b"data: ")
    chunk = b"x" * (64 * 1024)
    while True:
        await r.send(chunk)


async def invalid_json(r: Req) -> None:
    await r.sse_head()
    await r.event("", id="ij-0")
    await r.event('{"jsonrpc": "2.0", "id": ' + json.dumps(r.rpc_id) + ', "result": {not json', id="ij-1")


async def wrong_id(r: Req) -> None:
    await r.sse_head()
    await r.event("", id="wi-0")
    wrong = f"wrong-{r.rpc_id}" if r.rpc_id is not None else "wrong"
    await r.event(result(wrong, "answer for another request"), id="wi-1")


async def wrong_content_type(r: Req) -> None:
    await r.json(result(r.rpc_id), content_type="text/plain")


HTML = b"<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1>" \
       b"<p>The upstream gateway crashed.</p></body></html>"


async def html_500(r: Req) -> None:
    await r.head(500, "Internal Server Error", {"Content-Type": "text/html", "Content-Length": str(len(HTML))})
    await r.send(HTML)


async def close_mid_headers(r: Req) -> None:
    await r.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/ev")


async def slowloris(r: Req) -> None:
    body = json.dumps(result(r.rpc_id)).encode()
    whole = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
             "Connection: close\r\n\r\n").encode() + body
    for i in range(len(whole)):
        await r.send(whole[i:i + 1])
        await r.pause(r.settings.slow_interval)


async def redirect_loop(r: Req) -> None:
    await r.head(307, "Temporary Redirect", {"Location": r.path, "Content-Length": "0"})


async def huge_content_length(r: Req) -> None:
    await r.head(200, "OK", {"Content-Type": "application/json", "Content-Length": str(2 * 1024 * MB)})
    await r.until_gone()


async def non_utf8(r: Req) -> None:
    await r.sse_head()
    await r.event("", id="nu-0")
    await r.event(b'\xff\xfe\x80' + json.dumps(result(r.rpc_id)).encode() + b'\xc3\x28', id="nu-1")


async def duplicate_event_ids(r: Req) -> None:
    await r.sse_head()
    await r.event("", id="dup-1")
    for _ in range(2):
        await r.event(progress(r.progress_token, 1), id="dup-1")
    for _ in range(2):
        await r.event(result(r.rpc_id), id="dup-1")


async def unsolicited_response(r: Req) -> None:
    await r.sse_head()
    await r.event("", id="ur-0")
    await r.event(result(987_654_321, "a response to a request nobody sent"), id="ur-1")


async def request_flood(r: Req) -> None:
    await r.sse_head()
    await r.event("", id="rf-0")
    n = 0
    while True:
        batch = b""
        for _ in range(r.settings.flood_batch):
            n += 1
            batch += sse_event({"jsonrpc": "2.0", "id": f"flood-{n}", "method": "elicitation/create",
                                "params": {"mode": "form", "message": f"flood {n}",
                                           "requestedSchema": {"type": "object", "properties": {}}}},
                               id=f"rf-{n}")
        await r.send(batch)
        await r.pause(r.settings.tick)


async def many_events(r: Req) -> None:
    """Not hostile: MANY_EVENTS progress notifications, then the result (for memory figures)."""
    await r.sse_head()
    await r.event("", id="me-0")
    total = r.settings.many_events
    batch = b""
    for n in range(1, total + 1):
        batch += sse_event(progress(r.progress_token, n, total), id=f"me-{n}")
        if len(batch) > 64 * 1024:
            await r.send(batch)
            batch = b""
    await r.send(batch + sse_event(result(r.rpc_id), id=f"me-{total + 1}"))


async def ok(r: Req) -> None:
    """The control: a correct progress tool (priming event, three notifications, the result)."""
    if r.method != "POST":
        await r.json({"error": "method not allowed"}, status=405)
        return
    if r.rpc_method != "tools/call":
        await r.json({"jsonrpc": "2.0", "id": r.rpc_id, "result": {}})
        return
    await r.sse_head()
    await r.event("", id="ok-0")
    for n in range(1, 4):
        if r.progress_token is not None:
            await r.event(progress(r.progress_token, n, 3), id=f"ok-{n}")
    await r.event(result(r.rpc_id), id="ok-4")


BEHAVIOURS: dict[str, Callable[[Req], Awaitable[None]]] = {
    "sse-never-ends": sse_never_ends,
    "keepalive-only": keepalive_only,
    "huge-event": huge_event,
    "no-newline": no_newline,
    "invalid-json": invalid_json,
    "wrong-id": wrong_id,
    "wrong-content-type": wrong_content_type,
    "html-500": html_500,
    "close-mid-headers": close_mid_headers,
    "slowloris": slowloris,
    "redirect-loop": redirect_loop,
    "huge-content-length": huge_content_length,
    "non-utf8": non_utf8,
    "duplicate-event-ids": duplicate_event_ids,
    "unsolicited-response": unsolicited_response,
    "request-flood": request_flood,
    "many-events": many_events,
    "ok": ok,
}
HOSTILE = [b for b in BEHAVIOURS if b not in ("ok", "many-events")]


# -- the plausible part --------------------------------------------------------------------------

async def _plausible(r: Req) -> bool:
    """Answer the handshake and the client's answers; False when the behaviour must play instead."""
    m = r.rpc_method
    if r.method == "POST" and isinstance(r.body, dict) and "method" not in r.body:
        await r.head(202, "Accepted", {"Content-Length": "0"})  # a JSON-RPC response from the client
        return True
    if r.method == "POST" and m.startswith("notifications/"):
        await r.head(202, "Accepted", {"Content-Length": "0"})
        return True
    if m == "initialize" and not r.on_init:
        params = r.body.get("params") or {}
        version = params.get("protocolVersion") or "2025-11-25"
        await r.json({"jsonrpc": "2.0", "id": r.rpc_id, "result": {
            "protocolVersion": version, "capabilities": {"tools": {}},
            "serverInfo": {"name": "faultline-hostile", "version": "0"}}},
            headers={"Mcp-Session-Id": f"hostile-{r.behaviour}"})
        return True
    if m == "server/discover" and not r.on_init:
        await r.json({"jsonrpc": "2.0", "id": r.rpc_id, "result": {
            "supportedVersions": ["2025-11-25", "2026-07-28"], "capabilities": {"tools": {}},
            "serverInfo": {"name": "faultline-hostile", "version": "0"}, "resultType": "complete"}})
        return True
    return False


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], Any] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    body: Any = None
    length = int(headers.get("content-length") or 0)
    if length:
        raw = await reader.readexactly(min(length, 16 * MB))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
    return parts[0], parts[1], headers, body


class HostileServer:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping = asyncio.Event()
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            req = await _read_request(reader)
            if req is None:
                return
            method, path, headers, body = req
            segments = [s for s in path.split("?", 1)[0].split("/") if s]
            name = segments[1] if len(segments) > 1 else "ok"
            r = Req(method, path, headers, body, name, "init" in segments[2:], reader, writer, self.settings,
                    self._stopping)
            self.settings.seen.append((name, method, r.rpc_method))
            behaviour = BEHAVIOURS.get(name)
            if behaviour is None:
                await r.json({"error": f"unknown behaviour {name!r}"}, status=404)
                return
            if await _plausible(r):
                return
            await behaviour(r)
        except (Gone, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, limit=256 * 1024)
        self.port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self._stopping.set()
        for w in list(self._writers):
            w.transport.abort()  # each behaviour then ends with Gone at its next write or read
        if self._tasks:
            _, late = await asyncio.wait(list(self._tasks), timeout=2.0)
            for t in late:  # a behaviour asleep between writes (slowloris): cancel it
                t.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            self._server = None


@contextlib.asynccontextmanager
async def hostile_server(settings: Settings | None = None) -> AsyncIterator[str]:
    """Start the hostile server on 127.0.0.1, port 0; yield its base URL (`http://127.0.0.1:PORT`).

    The MCP endpoint of a behaviour is `f"{base}/mcp/{behaviour}"`.
    """
    server = HostileServer(settings)
    base = await server.start()
    try:
        yield base
    finally:
        await server.stop()


def url_for(base: str, behaviour: str, *, on_init: bool = False) -> str:
    return f"{base}/mcp/{behaviour}" + ("/init" if on_init else "")


if __name__ == "__main__":  # `python tests/hostile/server.py [PORT]`: serve until interrupted
    import sys

    async def _serve() -> None:
        s = HostileServer()
        s._server = await asyncio.start_server(s._handle, "127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0,
                                               limit=256 * 1024)
        port = s._server.sockets[0].getsockname()[1]
        print(f"listening on http://127.0.0.1:{port}/mcp/<behaviour>  ({', '.join(BEHAVIOURS)})", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve())
