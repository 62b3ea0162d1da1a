"""One proxied TCP connection: two links (upstream: client->server, downstream: server->client).

A link is a pipeline, as in Toxiproxy: a reader task stamps each chunk at arrival and puts it on a
bounded channel; each toxic of the direction runs as its own task (a Stage) between two channels;
the last one writes to the destination socket. Toxics are therefore pipelined: a latency toxic
delays every chunk by its latency counted from that chunk's arrival, not from the previous chunk's
release. The chain is the proxy's chain when the connection was accepted; toxics added later are
appended to every open link, removed ones are bypassed, updated ones restarted -- mid-stream, with no
byte lost or reordered (see Link.add and Link.remove).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Coroutine
from typing import Any

from harness.proxy.stream import Channel, Chunk, End, Item, Outlet, Sink
from harness.proxy.toxics.base import Toxic
from harness.proxy.toxics.noop import NOOP

READ_SIZE = 32 * 1024  # as Toxiproxy: a chunk is one read of up to 32 KiB


def _wake(fut: asyncio.Future[bool] | None, value: bool) -> None:
    if fut is not None and not fut.done():
        fut.set_result(value)


class Stage:
    """One toxic on one link: runs the toxic's pipe between `input` and `output` until interrupted
    (for an update or a removal) or closed."""

    def __init__(self, link: Link, toxic: Toxic[Any], input: Channel, output: Outlet) -> None:
        self.link, self.toxic, self.input, self.output = link, toxic, input, output
        self.state = toxic.new_state()
        self.running: Toxic[Any] = toxic  # the toxic, or the noop its toxicity draw chose instead
        self.interrupted = False
        self.closed = False
        self.task: asyncio.Task[None] | None = None
        self._waiting: asyncio.Future[bool] | None = None

    @property
    def conn(self) -> Connection:
        return self.link.conn

    def start(self) -> None:
        self.task = self.conn.spawn(self._run())

    async def _run(self) -> None:
        self.running = self.toxic if self.toxic.roll() else NOOP
        try:
            await self.running.pipe(self)
        except (ConnectionError, OSError):
            self.conn.close()
        except Exception as exc:  # a toxic's bug must not leave the connection hanging
            self.conn.close(detail=f"toxic {self.toxic.name} failed: {exc!r}")

    async def interrupt(self) -> bool:
        """Stop the running toxic (it first sends what it holds); True if it was running and is not
        closed, so it can be restarted."""
        if self.task is None or self.task.done() or self.closed:
            return False
        self.interrupted = True
        self.input.wake()
        _wake(self._waiting, False)
        await asyncio.wait({self.task})
        self.interrupted = False
        return not self.closed and not self.task.cancelled() and not self.conn.closed.is_set()

    # -- what a toxic's pipe calls ---------------------------------------------------------------
    async def recv(self, timeout: float | None = None) -> Chunk | None:
        """The next chunk; None when the stage is interrupted, or the stream ended (the running
        toxic's on_end has then run). TimeoutError after `timeout` seconds without a chunk."""
        if self.interrupted:
            return None
        item = await self.input.get(lambda: self.interrupted, timeout)
        if item is None:
            return None
        if isinstance(item, End):
            await self.running.on_end(self, item)
            return None
        return item

    async def send(self, item: Item) -> None:
        await self.output.put(item)

    async def close(self, end: End) -> None:
        """Send the end of the stream on: the connection closes once it reaches the socket."""
        self.closed = True
        self.output.put_nowait(end)

    async def wait_until(self, when: float) -> bool:
        """Wait until loop time `when`; False if interrupted first."""
        loop = asyncio.get_running_loop()
        if self.interrupted:
            return False
        if when <= loop.time():
            return True
        fut = self._waiting = loop.create_future()
        timer = loop.call_at(when, _wake, fut, True)
        try:
            return await fut
        finally:
            timer.cancel()
            self._waiting = None

    async def wait(self, seconds: float) -> bool:
        return await self.wait_until(asyncio.get_running_loop().time() + seconds)

    async def hold(self) -> None:
        """Wait until interrupted (a stall)."""
        while await self.wait(3600):
            pass

    def record(self, text: str) -> None:
        self.conn.record(text)


class Link:
    """One direction of a connection: reader -> stages -> sink."""

    def __init__(self, conn: Connection, direction: str, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, toxics: list[Toxic[Any]]) -> None:
        self.conn, self.direction, self.reader = conn, direction, reader
        self.sink = Sink(writer, conn.end)
        self.stages: list[Stage] = []
        outlet: Outlet = self.sink
        for toxic in reversed(toxics):
            channel = Channel(toxic.buffer_size)
            self.stages.insert(0, Stage(self, toxic, channel, outlet))
            outlet = channel
        self.head: Outlet = outlet  # where the reader puts each chunk

    def start(self) -> None:
        for stage in self.stages:
            stage.start()
        self.conn.spawn(self._read())

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while data := await self.reader.read(READ_SIZE):
                await self.head.put(Chunk(data, loop.time()))
        except (ConnectionError, OSError):
            pass
        await self.head.put(End())

    def stage_of(self, toxic: Toxic[Any]) -> Stage | None:
        return next((s for s in self.stages if s.toxic is toxic), None)

    def add(self, toxic: Toxic[Any]) -> None:
        """Append a toxic. The previous last stage (or the reader) now sends to the new stage: what it
        already wrote is on the socket, what it sends next passes the new toxic. Nothing is
        interrupted (Toxiproxy interrupts the previous stage, releasing a held chunk early)."""
        if self.conn.closed.is_set():
            return
        channel = Channel(toxic.buffer_size)
        stage = Stage(self, toxic, channel, self.sink)
        if self.stages:
            self.stages[-1].output = channel
        else:
            self.head = channel
        self.stages.append(stage)
        stage.start()

    async def remove(self, toxic: Toxic[Any]) -> None:
        """Take a toxic out: interrupt its stage (it sends on the chunk it holds), let it clean up
        (timeout closes the connection), then bypass it: its queued chunks move on in order and its
        producer's next put goes straight to its output."""
        stage = self.stage_of(toxic)
        if stage is None:
            return
        await stage.interrupt()
        if toxic.cleanup(stage):
            return
        i = self.stages.index(stage)
        stage.input.redirect(stage.output)
        if i == 0:
            self.head = stage.output
        else:
            self.stages[i - 1].output = stage.output
        del self.stages[i]

    async def update(self, toxic: Toxic[Any]) -> None:
        """Restart the toxic's stage with its new attributes (a new toxicity draw, timers start over)."""
        stage = self.stage_of(toxic)
        if stage is not None and await stage.interrupt():
            stage.start()

    def abort(self) -> None:
        self.sink.closed = True
        for stage in self.stages:
            stage.input.close()


class Connection:
    def __init__(self, proxy: Any, client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                 upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        self.proxy = proxy
        self.writers = (client[1], upstream[1])
        self._tasks: set[asyncio.Task[Any]] = set()
        self.closed = asyncio.Event()
        chain: list[Toxic[Any]] = list(proxy.toxics)
        self.links = {
            "upstream": Link(self, "upstream", client[0], upstream[1],
                             [t for t in chain if t.direction == "upstream"]),
            "downstream": Link(self, "downstream", upstream[0], client[1],
                               [t for t in chain if t.direction == "downstream"]),
        }
        for link in self.links.values():
            link.start()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def record(self, text: str) -> None:
        self.proxy.record(text)

    async def run(self) -> None:
        await self.closed.wait()
        for task in list(self._tasks):
            task.cancel()
        for w in self.writers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(w.wait_closed(), 1)

    def end(self, end: End) -> None:
        """An end of stream reached a socket: the whole connection comes down (as in Toxiproxy, the
        destination is closed, which breaks the other direction too)."""
        self.close(reset=end.reset, detail=end.detail)

    def close(self, *, reset: bool = False, detail: str = "") -> None:
        if self.closed.is_set():
            return
        if detail:
            self.record(f"connection closed: {detail}" + (" (RST)" if reset else ""))
        for link in self.links.values():
            link.abort()
        for w in self.writers:
            if reset:
                sock = w.get_extra_info("socket")
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(Exception):
                w.close()
        self.closed.set()
