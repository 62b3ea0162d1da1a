"""What flows through a link: chunks stamped at arrival, the end of the stream, and the bounded
channels between toxic stages (Toxiproxy's stream/ package, on asyncio).

A link is: source socket -> Channel -> stage -> Channel -> stage ... -> Sink (destination socket).
Each channel has one producer and one consumer at a time. A stage removed from a link is bypassed by
`Channel.redirect`: what its input channel holds moves on in order, and the producer's next put goes
straight to the new target, so a removal neither loses nor reorders bytes.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(slots=True)
class Chunk:
    """What one socket read returned, and when (loop time, seconds). A latency toxic moves `stamp`
    on to the chunk's release time, so two latency toxics add up."""

    data: bytes
    stamp: float


@dataclass(frozen=True, slots=True)
class End:
    """The end of a direction: the source closed (detail ""), or a toxic closed the connection;
    `reset` closes with an RST instead of a FIN."""

    reset: bool = False
    detail: str = ""


Item = Chunk | End


def _wake(fut: asyncio.Future[None] | None) -> None:
    if fut is not None and not fut.done():
        fut.set_result(None)


class Outlet(Protocol):
    async def put(self, item: Item) -> None: ...

    def put_nowait(self, item: Item) -> None:
        """Put without waiting for room (a bounded queue goes over its bound)."""


class Channel:
    """A bounded FIFO between two stages. An End never waits for room, so closing never blocks."""

    def __init__(self, size: int = 1) -> None:
        self.size = max(1, size)
        self._items: deque[Item] = deque()
        self._getter: asyncio.Future[None] | None = None
        self._putters: deque[asyncio.Future[None]] = deque()
        self.target: Outlet | None = None  # set by redirect(): everything goes there now
        self.closed = False  # the connection is gone: puts are dropped, gets return None

    def __len__(self) -> int:
        return len(self._items)

    async def put(self, item: Item) -> None:
        while True:
            if self.target is not None:
                await self.target.put(item)
                return
            if self.closed:
                return
            if isinstance(item, End) or (len(self._items) < self.size and not self._putters):
                self._append(item)
                return
            fut = asyncio.get_running_loop().create_future()
            self._putters.append(fut)
            try:
                await fut
            finally:
                self._putters.remove(fut)
            if len(self._items) < self.size or self.target is not None or self.closed:
                self._deliver_or_append(item)
                return

    def _deliver_or_append(self, item: Item) -> None:
        if self.target is not None:
            self.target.put_nowait(item)
        elif not self.closed:
            self._append(item)

    def put_nowait(self, item: Item) -> None:
        self._deliver_or_append(item)

    def _append(self, item: Item) -> None:
        self._items.append(item)
        _wake(self._getter)

    async def get(self, stop: Callable[[], bool] = lambda: False, timeout: float | None = None) -> Item | None:
        """The next item; None when `stop()` became true while waiting (see wake) or the channel closed;
        TimeoutError after `timeout` seconds without an item."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not self._items:
            if stop() or self.closed:
                return None
            fut = self._getter = loop.create_future()
            timer = None if deadline is None else loop.call_at(deadline, _wake, fut)
            try:
                await fut
            finally:
                self._getter = None
                if timer is not None:
                    timer.cancel()
            if deadline is not None and not self._items and loop.time() >= deadline and not stop():
                raise TimeoutError
        item = self._items.popleft()
        if self._putters:
            _wake(self._putters[0])
        return item

    def wake(self) -> None:
        """Wake the consumer waiting in get() so it checks its stop condition."""
        _wake(self._getter)

    def redirect(self, target: Outlet) -> None:
        """From now on everything put here goes to `target`; what is queued moves there first, in order."""
        while self._items:
            target.put_nowait(self._items.popleft())
        self.target = target
        for fut in self._putters:
            _wake(fut)

    def close(self) -> None:
        self.closed = True
        self._items.clear()
        _wake(self._getter)
        for fut in self._putters:
            _wake(fut)


class Sink:
    """The destination socket of a link: chunks are written in put order (transport writes never
    wait; put then waits for the socket's drain), an End closes the connection via `on_end`."""

    def __init__(self, writer: asyncio.StreamWriter, on_end: Callable[[End], None]) -> None:
        self.writer = writer
        self.on_end = on_end
        self.closed = False

    def put_nowait(self, item: Item) -> None:
        if self.closed:
            return
        if isinstance(item, End):
            self.closed = True
            self.on_end(item)
        elif item.data:
            self.writer.write(item.data)

    async def put(self, item: Item) -> None:
        self.put_nowait(item)
        if not self.closed and isinstance(item, Chunk):
            await self.writer.drain()
