"""The trip plan: the user's request, what each agent delivered, the timeline, the itinerary."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import anyio

AGENTS = ("research", "travel")


@dataclass(frozen=True)
class TripRequest:
    """The user's context, carried into both agents' calls."""

    destination: str
    travellers: int = 1
    budget: int = 0  # dollars; 0: no limit
    dates: str = ""

    def topic(self) -> str:
        return f"{self.destination} for {self.travellers} travellers, {self.dates}"


def idempotency_key(trip: TripRequest, run_id: str, agent: str) -> str:
    """Deterministic per (trip, run, agent): a call re-sent after a fault carries the same key."""
    blob = json.dumps({"trip": asdict(trip), "run": run_id, "agent": agent}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Brief:
    report_id: str
    summary: str
    uri: str = ""


@dataclass(frozen=True)
class Booking:
    booking_id: str
    price: int | None
    status: str
    uri: str = ""


@dataclass(frozen=True)
class Entry:
    """One thing that happened: `at` seconds since the run began (monotonic clock)."""

    at: float
    agent: str
    kind: str  # called | session | task | progress | input-asked | input-answered | cut | refused |
    #            resumed | retried | re-sent | result | failed
    detail: str = ""


class Timeline:
    """Ordered entries of one run; `wait_for` lets a caller (a test, the fault injector) block until
    something has happened, instead of sleeping."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.entries: list[Entry] = []
        self._changed = anyio.Event()

    def add(self, agent: str, kind: str, detail: str = "") -> Entry:
        at = max(time.monotonic() - self.start, self.entries[-1].at if self.entries else 0.0)
        entry = Entry(round(at, 4), agent, kind, detail)
        self.entries.append(entry)
        self._changed.set()
        self._changed = anyio.Event()
        return entry

    def find(self, agent: str | None = None, kind: str | None = None,
             where: Callable[[Entry], bool] | None = None) -> list[Entry]:
        return [e for e in self.entries if (agent is None or e.agent == agent) and (kind is None or e.kind == kind)
                and (where is None or where(e))]

    async def wait_for(self, agent: str | None = None, kind: str | None = None,
                       where: Callable[[Entry], bool] | None = None, *, after: int = 0) -> Entry:
        """The first entry (from index `after`) that matches, waiting for it if need be. Callers bound
        the wait (anyio.fail_after)."""
        while True:
            for e in self.entries[after:]:
                if (agent is None or e.agent == agent) and (kind is None or e.kind == kind) and (
                        where is None or where(e)):
                    return e
            await self._changed.wait()

    def ordered(self) -> bool:
        return all(a.at <= b.at for a, b in zip(self.entries, self.entries[1:], strict=False))

    def render(self) -> str:
        return "\n".join(f"  {e.at:8.3f}s  {e.agent:<8} {e.kind:<14} {e.detail}".rstrip() for e in self.entries)


@dataclass
class Itinerary:
    trip: TripRequest
    brief: Brief
    booking: Booking
    timeline: Timeline = field(default_factory=Timeline)

    def problems(self) -> list[str]:
        """Why this itinerary is not complete and ordered ([] when it is)."""
        out: list[str] = []
        if self.booking.status != "confirmed":
            out.append(f"booking {self.booking.booking_id} is {self.booking.status}, not confirmed")
        if not self.brief.summary:
            out.append(f"report {self.brief.report_id} has no summary")
        if not self.timeline.ordered():
            out.append("the timeline is out of order")
        for agent in AGENTS:
            kinds = [e.kind for e in self.timeline.entries if e.agent == agent]
            if "called" not in kinds or "result" not in kinds:
                out.append(f"the {agent} agent's timeline lacks its call or its result")
            elif kinds.index("called") > len(kinds) - 1 - kinds[::-1].index("result"):
                out.append(f"the {agent} agent's result comes before its call")
        return out

    def render(self) -> str:
        t = self.trip
        budget = f"${t.budget}" if t.budget else "no limit"
        price = f"${self.booking.price}" if self.booking.price is not None else "?"
        lines = [
            f"Itinerary: {t.destination} for {t.travellers} traveller{'s' if t.travellers != 1 else ''}, "
            f"{t.dates or 'dates open'}, budget {budget}",
            f"  booking  {self.booking.booking_id}  {self.booking.status}  {price}  {self.booking.uri}".rstrip(),
            f"  brief    {self.brief.report_id}  {self.brief.uri}".rstrip(),
            f"           {self.brief.summary}",
            f"Timeline ({len(self.timeline.entries)} entries):",
            self.timeline.render(),
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"trip": asdict(self.trip), "brief": asdict(self.brief), "booking": asdict(self.booking),
                "timeline": [asdict(e) for e in self.timeline.entries]}
