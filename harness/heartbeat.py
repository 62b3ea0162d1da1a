"""A line at least every few seconds from a long job, on a terminal and in a CI log alike.

    with Heartbeat(lambda: f"still running {name}: {done}/{total} done", every=10) as hb:
        ...            # the job; hb.say(line) prints a line of its own and restarts the clock

A thread prints `status()` whenever `every` seconds passed without a line; the job's own lines (`say`)
count, so a job that reports often is not interrupted. Lines are whole lines, flushed at once.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

HEARTBEAT_S = 8.0  # under the 10 s a CI log (and `nox -s mutants`) must never stay silent for


def duration(seconds: float) -> str:
    """`42s`, `3 min 05 s`, `1 h 02 min`: how long, for a person."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class Heartbeat:
    def __init__(self, status: Callable[[], str], *, every: float | None = HEARTBEAT_S,
                 stream: TextIO | None = None) -> None:
        """`every=None`: no heartbeat (a terminal whose progress line rewrites itself), `say` only."""
        self.status = status
        self.every = every
        self.out = stream
        self._last = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._beat, name="faultline-heartbeat", daemon=True)

    def say(self, line: str) -> None:
        """Print one line now (and restart the silence clock)."""
        with self._lock:
            out = self.out or sys.stdout
            out.write(line + "\n")
            out.flush()
            self._last = time.monotonic()

    def touch(self) -> None:
        """Someone else just printed a line: restart the silence clock."""
        self._last = time.monotonic()

    def _beat(self) -> None:
        assert self.every is not None
        while not self._stop.wait(max(0.05, self.every - (time.monotonic() - self._last))):
            if time.monotonic() - self._last >= self.every:
                try:
                    line = self.status()
                except Exception as exc:  # noqa: BLE001 - a status that fails must not kill the job
                    line = f"(status unavailable: {type(exc).__name__})"
                self.say(line)

    def __enter__(self) -> Heartbeat:
        self._last = time.monotonic()
        if self.every is not None:
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
