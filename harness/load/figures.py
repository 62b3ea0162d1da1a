"""Live figures of a load run: calls, events, open streams, verdict counts, latency histograms, memory, fds.

Bounded whatever the run's length: counters and fixed-size log-bucket histograms, never a list of samples.
`CountingHistory` is a History that feeds the figures as its records are appended (the clients' own writes).
"""

from __future__ import annotations

import math
import os
import resource
import time
from dataclasses import dataclass, field
from typing import Any

from harness.history import End, History, Record, Request, SseEvent


class Histogram:
    """Log buckets (10 per decade) from 0.1 ms to 1000 s: quantiles within ~12 %, constant memory."""

    LOW, DECADES, PER = 1e-4, 7, 10

    def __init__(self) -> None:
        self.counts = [0] * (self.DECADES * self.PER + 2)
        self.n = 0
        self.max = 0.0

    def add(self, seconds: float) -> None:
        if seconds <= self.LOW:
            i = 0
        else:
            i = min(len(self.counts) - 1, 1 + int(math.log10(seconds / self.LOW) * self.PER))
        self.counts[i] += 1
        self.n += 1
        self.max = max(self.max, seconds)

    def quantile(self, q: float) -> float | None:
        """The upper edge of the bucket holding the q-quantile (None: no sample)."""
        if not self.n:
            return None
        rank, seen = q * self.n, 0
        for i, c in enumerate(self.counts):
            seen += c
            if seen >= rank and c:
                return min(self.max, self.LOW * 10 ** (i / self.PER))
        return self.max


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


@dataclass
class Figures:
    clients: int = 0
    duration: float = 0.0
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None  # when the last client stopped
    calls: int = 0  # tools/call and every other JSON-RPC request a client sent (not answers, not resumes)
    resumes: int = 0
    events: int = 0  # SSE events received
    open_streams: int = 0
    segments: int = 0
    fails: int = 0
    warns: int = 0
    errors: int = 0
    restarts: int = 0
    peak_fds: int = 0
    event_latency: Histogram = field(default_factory=Histogram)  # request or previous event -> event
    call_latency: Histogram = field(default_factory=Histogram)  # request -> its end
    _open_at: dict[tuple[int, int], float] = field(default_factory=dict)  # (history id, x) -> last arrival

    def elapsed(self) -> float:
        return (self.ended if self.ended is not None else time.monotonic()) - self.started

    def rate(self, n: int) -> float:
        return n / max(self.elapsed(), 1e-9)

    def sample_fds(self) -> int:
        n = open_fds()
        self.peak_fds = max(self.peak_fds, n)
        return n

    def line(self) -> str:
        return (f"load: {self.elapsed():.0f}s/{self.duration:.0f}s  {self.clients} clients  "
                f"calls {self.rate(self.calls):.1f}/s  events {self.rate(self.events):.1f}/s  "
                f"open streams {self.open_streams}  FAIL {self.fails}  WARN {self.warns}  ERROR {self.errors}  "
                f"rss {peak_rss_mb():.0f} MB  fds {self.sample_fds()}")

    def seen(self, history: int, record: Record, now: float) -> None:
        if isinstance(record, Request):
            if record.purpose in ("call", "initialize", "list", "listen"):
                self.calls += 1
            elif record.purpose == "resume":
                self.resumes += 1
            self.open_streams += 1
            self._open_at[(history, record.x)] = now
        elif isinstance(record, SseEvent):
            self.events += 1
            last = self._open_at.get((history, record.x))
            if last is not None and record.message is not None:
                self.event_latency.add(now - last)
                self._open_at[(history, record.x)] = now
        elif isinstance(record, End):
            self.open_streams -= 1
            self._open_at.pop((history, record.x), None)


class CountingHistory(History):
    """A History whose appends feed `figures` (the request, event and end counts, the latencies)."""

    def __init__(self, figures: Figures, **kw: Any) -> None:
        super().__init__(**kw)
        self.figures = figures
        self._starts: dict[int, float] = {}

    def append(self, record: Record) -> Record:
        out = super().append(record)
        now = time.monotonic()
        if isinstance(record, Request):
            self._starts[record.x] = now
        elif isinstance(record, End) and record.x in self._starts:
            self.figures.call_latency.add(now - self._starts.pop(record.x))
        self.figures.seen(id(self), record, now)
        return out
