"""`--through-proxy`: the embedded fault proxy between the host and the server, and the keys that act on it
while a call runs — `d` network down, `u` up, `c` cut every connection now (down and straight up again),
`l` latency on (500 ms) or off. Every action is a Fault record in the history, so the checks never blame
the server for what a key did. The keys are read from the terminal one at a time (cbreak mode), in a
thread, paused while a question is asked."""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import anyio.from_thread

from harness.history import Fault, History
from harness.proxy.client import ProxyClient, embedded_proxy
from harness.targets import UrlTarget

PROXY = "faultline-call"
LATENCY_MS = 500
HELP = "keys: d network down, u up, c cut the stream, l latency on/off"


class FaultKeys:
    """The proxy's actions, recorded; `events` remembers them for the repro (kind, ms or events seen)."""

    def __init__(self, proxy: ProxyClient, history: History, say: Callable[[str], None]) -> None:
        self.proxy, self.history, self.say = proxy, history, say
        self.latency = False
        self.down = False
        self.actions: list[str] = []
        self.up_again = anyio.Event()
        self.up_again.set()

    async def act(self, key: str) -> None:
        if key == "d" and not self.down:
            await self.proxy.set_enabled(PROXY, False)
            self.down, self.up_again = True, anyio.Event()
            self.history.append(Fault(action="down", proxy=PROXY, detail="key d"))
            self.say("[d] network down (u brings it up)")
        elif key == "u" and self.down:
            await self.proxy.set_enabled(PROXY, True)
            self.down = False
            self.up_again.set()
            self.history.append(Fault(action="up", proxy=PROXY, detail="key u"))
            self.say("[u] network up")
        elif key == "c":
            await self.proxy.set_enabled(PROXY, False)
            await self.proxy.set_enabled(PROXY, True)
            self.history.append(Fault(action="cut", proxy=PROXY, detail="key c: every connection closed"))
            self.say("[c] stream cut")
        elif key == "l":
            self.latency = not self.latency
            if self.latency:
                await self.proxy.add_toxic(PROXY, "latency", {"latency": LATENCY_MS}, name="key-latency",
                                           stream="downstream")
                toxic = {"name": "key-latency", "type": "latency", "attributes": {"latency": LATENCY_MS}}
                self.history.append(Fault(action="add", proxy=PROXY, toxic=toxic))
            else:
                await self.proxy.remove_toxic(PROXY, "key-latency")
                self.history.append(Fault(action="remove", proxy=PROXY, toxic={"name": "key-latency"}))
            self.say(f"[l] latency {'on (' + str(LATENCY_MS) + ' ms)' if self.latency else 'off'}")
        else:
            return
        self.actions.append(key)


@contextlib.asynccontextmanager
async def fault_proxy(upstream_url: str) -> AsyncIterator[tuple[ProxyClient, str]]:
    """The embedded proxy in front of `upstream_url`; yields (its client, the MCP URL through it)."""
    server = UrlTarget(upstream_url)
    async with embedded_proxy() as proxy:
        model = await proxy.create_proxy(PROXY, upstream=server.upstream, listen="127.0.0.1:0")
        yield proxy, f"http://{model.listen}{server.path}"


class KeyReader:
    """Single keys from a terminal stdin, each handed to `act` on the event loop."""

    def __init__(self, act: Callable[[str], Any]) -> None:
        self.act = act
        self._stop = threading.Event()
        self._run = threading.Event()  # set: reading keys; clear: paused (a question owns the terminal)
        self._idle = threading.Event()  # set by the thread once it has left cbreak mode for a pause
        self._run.set()

    async def pause(self) -> None:
        self._idle.clear()
        self._run.clear()
        await anyio.to_thread.run_sync(self._idle.wait, 1.0)

    def resume(self) -> None:
        self._run.set()

    def stop(self) -> None:
        self._stop.set()
        self._run.set()

    async def run(self) -> None:
        await anyio.to_thread.run_sync(self._loop, abandon_on_cancel=True)

    def _loop(self) -> None:
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        cbreak = False
        try:
            while not self._stop.is_set():
                if not self._run.is_set():
                    termios.tcsetattr(fd, termios.TCSADRAIN, saved)
                    cbreak = False
                    self._idle.set()
                    self._run.wait()
                    continue
                if not cbreak:
                    tty.setcbreak(fd, termios.TCSANOW)
                    cbreak = True
                ready, _, _ = select.select([fd], [], [], 0.1)
                if ready and self._run.is_set():
                    key = os.read(fd, 1).decode("utf-8", "replace")
                    if key:
                        with contextlib.suppress(Exception):
                            anyio.from_thread.run(self.act, key.lower())
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
            self._idle.set()
