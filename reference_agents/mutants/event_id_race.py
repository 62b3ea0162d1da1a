"""An event-id counter that races: two writers of one session read it before either stores it back."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant

if TYPE_CHECKING:
    from reference_agents.event_store import SessionEventStore
    from reference_agents.storage import StoredEvent

RACE_WINDOW_S = 0.05  # two appends of one session closer than this "ran at once"


class EventIdRace(Behaviour):
    def __init__(self) -> None:
        self._last: dict[str, tuple[str, str, float]] = {}  # session -> (stream key, id handed out, when)

    def wire_event_id(self, store: SessionEventStore, key: str, event: StoredEvent) -> str:
        """A lost update: a write on another stream of the session within the window gets the id just handed
        out (both writers read the counter, then both formatted their id from it)."""
        now = time.monotonic()
        last = self._last.get(store.session)
        if last is not None and last[0] != key and now - last[2] < RACE_WINDOW_S:
            return last[1]
        self._last[store.session] = (key, event.event_id, now)
        return event.event_id


MUTANT = Mutant(
    "event-id-race",
    "the event-id counter races: two streams of one session written at once get the same event id",
    hook="wire_event_id", behaviour=EventIdRace,
    requirements=("http.sse.event-id-unique",), by_load=True)
