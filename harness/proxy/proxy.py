"""A proxy: a listener on `listen` that forwards each accepted connection to `upstream` through
its toxics. Listens on loopback only unless the server allows remote listeners."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from collections import deque
from typing import Any

from harness.proxy.attributes import STREAMS, BadAttributes
from harness.proxy.link import Connection
from harness.proxy.toxics import TOXICS, Toxic

LOOPBACK_NAMES = {"localhost", ""}
LINK_CHANGE_TIMEOUT = 5.0  # s: a link that cannot take a toxic change in this time (its peer reads nothing) is closed


class ProxyError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def split_hostport(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise ProxyError(f"listen tcp: address {value}: missing port in address", 400)
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Proxy:
    def __init__(self, name: str, listen: str, upstream: str, *, allow_remote: bool = False) -> None:
        self.name, self.listen, self.upstream = name, listen, upstream
        self.allow_remote = allow_remote
        self.enabled = False
        self.toxics: list[Toxic[Any]] = []  # in creation order; each link takes those of its direction
        self._chain_lock = asyncio.Lock()  # one toxic change at a time, as Toxiproxy's collection lock
        self.connections: set[Connection] = set()
        self.events: deque[dict[str, Any]] = deque(maxlen=1000)
        self._server: asyncio.base_events.Server | None = None
        self._accepted: set[asyncio.Task[None]] = set()  # the handlers of accepted connections

    def record(self, text: str) -> None:
        self.events.append({"t": time.time(), "event": text})

    def model(self) -> dict[str, Any]:
        return {"name": self.name, "listen": self.listen, "upstream": self.upstream, "enabled": self.enabled,
                "toxics": [t.model() for d in STREAMS for t in self.toxics if t.direction == d]}

    async def start(self) -> None:
        host, port = split_hostport(self.listen)
        if not self.allow_remote and not is_loopback(host):
            raise ProxyError(f"listen address {self.listen} is not a loopback address "
                             "(start the proxy server with --allow-remote to allow it)", 400)
        try:
            self._server = await asyncio.start_server(self._accept, host, port)
        except OSError as exc:
            raise ProxyError(f"listen tcp {self.listen}: bind: {exc.strerror or exc}", 500) from None
        sock = self._server.sockets[0].getsockname()
        self.listen = f"{sock[0]}:{sock[1]}" if ":" not in sock[0] else f"[{sock[0]}]:{sock[1]}"
        self.enabled = True

    async def stop(self) -> None:
        self.enabled = False
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)
            self._server = None
        for c in list(self.connections):
            c.close()
        # Wait for the handlers to return (a closed connection ends its handler), so none is left for the event
        # loop to cancel at its end; one still connecting upstream is cancelled after a second.
        handlers = [t for t in self._accepted if t is not asyncio.current_task()]
        if handlers:
            _, pending = await asyncio.wait(handlers, timeout=1)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._accepted.add(task)
        try:
            await self._forward(reader, writer)
        except asyncio.CancelledError:
            # Stopped while it connected upstream: the connection just closes. Not re-raised: asyncio (3.11) logs
            # "Exception in callback ... CancelledError" for a start_server handler task that ends cancelled.
            writer.close()
        finally:
            if task is not None:
                self._accepted.discard(task)

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = split_hostport(self.upstream)
        try:
            up = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
        except (OSError, TimeoutError):
            self.record(f"upstream {self.upstream} unreachable")
            writer.close()
            return
        if not self.enabled:  # disabled while it connected: a connection of the proxy that is down
            up[1].close()
            writer.close()
            return
        conn = Connection(self, (reader, writer), up)
        self.connections.add(conn)
        try:
            await conn.run()
        finally:
            self.connections.discard(conn)

    # -- toxics ------------------------------------------------------------------------------
    def find_toxic(self, name: str) -> Toxic[Any]:
        for t in self.toxics:
            if t.name == name:
                return t
        raise ProxyError("toxic not found", 404)

    def new_toxic(self, body: dict[str, Any]) -> Toxic[Any]:
        """A toxic from an API body, checked in Toxiproxy's order: the body's JSON types, the stream,
        the type, the name's uniqueness, then the attributes (which depend on the type)."""
        fields = {k: body.get(k) for k in ("type", "name", "stream")}
        toxicity = body.get("toxicity", 1.0)
        if any(v is not None and not isinstance(v, str) for v in fields.values()) or (
                isinstance(toxicity, bool) or not isinstance(toxicity, int | float | None)):
            raise ProxyError("bad request body: type, name and stream must be strings, toxicity a number", 400)
        stream = fields["stream"] or "downstream"
        if stream.lower() not in STREAMS:
            raise ProxyError("stream was invalid, can be either upstream or downstream", 400)
        kind = fields["type"] or ""
        if kind not in TOXICS:
            raise ProxyError("invalid toxic type", 400)
        name = fields["name"] or f"{kind}_{stream}"
        if any(t.name == name for t in self.toxics):
            raise ProxyError("toxic already exists", 409)
        cls = TOXICS[kind]
        try:
            attributes = cls.attributes_type.parse(body.get("attributes"))
        except BadAttributes as exc:
            raise ProxyError(str(exc), 400) from None
        return cls(name, stream, 1.0 if toxicity is None else float(toxicity), attributes)

    async def _each_link(self, toxic: Toxic[Any], change: str) -> None:
        """Apply `change` (the name of a Link method) to every open link of the toxic's direction."""
        async def one(conn: Connection) -> None:
            try:
                await asyncio.wait_for(getattr(conn.links[toxic.direction], change)(toxic), LINK_CHANGE_TIMEOUT)
            except TimeoutError:
                conn.close(detail=f"toxic {toxic.name}: the {change} waited {LINK_CHANGE_TIMEOUT:.0f} s for a "
                                  "peer that reads nothing")

        conns = list(self.connections)
        if conns:
            await asyncio.gather(*(one(c) for c in conns))

    async def add_toxic(self, body: dict[str, Any]) -> Toxic[Any]:
        async with self._chain_lock:
            toxic = self.new_toxic(body)
            self.toxics.append(toxic)  # connections accepted from now on build it in
            for conn in list(self.connections):
                conn.links[toxic.direction].add(toxic)
        self.record(f"toxic added: {toxic.name} ({toxic.type}, {toxic.stream})")
        return toxic

    async def update_toxic(self, name: str, body: dict[str, Any]) -> Toxic[Any]:
        async with self._chain_lock:
            toxic = self.find_toxic(name)
            toxicity = body.get("toxicity", toxic.toxicity)
            if isinstance(toxicity, bool) or not isinstance(toxicity, int | float | None):
                raise ProxyError("bad request body: toxicity must be a number", 400)
            try:
                toxic.attributes = toxic.attributes.merged(body.get("attributes"))
            except BadAttributes as exc:
                raise ProxyError(str(exc), 400) from None
            toxic.toxicity = toxic.toxicity if toxicity is None else float(toxicity)
            await self._each_link(toxic, "update")
        return toxic

    async def remove_toxic(self, name: str) -> None:
        async with self._chain_lock:
            toxic = self.find_toxic(name)
            self.toxics.remove(toxic)
            await self._each_link(toxic, "remove")
        self.record(f"toxic removed: {name}")

    async def remove_all_toxics(self) -> None:
        for t in list(self.toxics):
            await self.remove_toxic(t.name)
