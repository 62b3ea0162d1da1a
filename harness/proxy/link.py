"""One proxied TCP connection: two links (upstream: client->server, downstream: server->client),
each passing every chunk through the toxics of its direction as they are NOW (a toxic added or
removed applies to live connections)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Coroutine
from typing import Any

from harness.proxy.toxics.base import CloseConnection, Toxic

READ_SIZE = 32 * 1024


class Connection:
    def __init__(self, proxy: Any, client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                 upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        self.proxy = proxy
        self.readers = {"upstream": client[0], "downstream": upstream[0]}
        self.writers = {"upstream": upstream[1], "downstream": client[1]}
        self.toxic_state: dict[Any, dict[str, Any]] = {}
        self._rolls: dict[int, bool] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.closed = asyncio.Event()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def record(self, text: str) -> None:
        self.proxy.record(text)

    def _active(self, toxic: Toxic) -> bool:
        key = id(toxic)
        if key not in self._rolls:
            self._rolls[key] = toxic.roll()
        return self._rolls[key]

    def _chain(self, direction: str, after: Toxic | None) -> list[Toxic]:
        chain = [t for t in self.proxy.toxics if t.stream == direction]
        if after is not None:
            chain = chain[chain.index(after) + 1:] if after in chain else []
        return [t for t in chain if self._active(t)]

    async def push(self, direction: str, data: bytes, *, after: Toxic | None = None) -> None:
        pieces = [data]
        for toxic in self._chain(direction, after):
            out: list[bytes] = []
            for piece in pieces:
                try:
                    out += await toxic.apply(piece, self)
                except CloseConnection as cut:
                    await self._write(direction, cut.data)
                    self.close(reset=cut.reset, detail=cut.detail)
                    raise
            pieces = out
        for piece in pieces:
            await self._write(direction, piece)

    async def _write(self, direction: str, data: bytes) -> None:
        if data and not self.closed.is_set():
            w = self.writers[direction]
            w.write(data)
            await w.drain()

    async def pump(self, direction: str) -> None:
        reader = self.readers[direction]
        try:
            while not self.closed.is_set():
                data = await reader.read(READ_SIZE)
                if not data:
                    for toxic in self._chain(direction, None):
                        await toxic.on_eof(self)
                    break
                await self.push(direction, data)
        except CloseConnection as cut:
            self.close(reset=cut.reset, detail=cut.detail)
        except (ConnectionError, OSError):
            pass
        self.close()

    async def run(self) -> None:
        self.spawn(self.pump("upstream"))
        self.spawn(self.pump("downstream"))
        await self.closed.wait()
        for task in list(self._tasks):
            task.cancel()
        for w in self.writers.values():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(w.wait_closed(), 1)

    def close(self, *, reset: bool = False, detail: str = "") -> None:
        if self.closed.is_set():
            return
        if detail:
            self.record(f"connection closed: {detail}" + (" (RST)" if reset else ""))
        for w in self.writers.values():
            if reset:
                sock = w.get_extra_info("socket")
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(Exception):
                w.close()
        self.closed.set()
