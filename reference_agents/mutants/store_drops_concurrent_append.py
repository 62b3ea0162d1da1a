"""A store that loses an event when two sessions append at once (a lost write, no error)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant

if TYPE_CHECKING:
    from reference_agents.storage import Storage, StoredEvent

RACE_WINDOW_S = 0.02  # appends of two sessions closer than this "ran at once"


class StoreDropsConcurrentAppend(Behaviour):
    def __init__(self) -> None:
        self._last: tuple[str, float] = ("", 0.0)  # the session that appended last, and when

    def persist_event(self, storage: Storage, event: StoredEvent) -> None:
        """The second of two concurrent appends (another session's within the window) is not stored: it is
        delivered live, but a resume never replays it."""
        now = time.monotonic()
        concurrent = self._last[0] not in ("", event.session) and now - self._last[1] < RACE_WINDOW_S
        self._last = (event.session, now)
        if concurrent and event.message is not None and not event.terminal:
            return
        storage.append(event)


MUTANT = Mutant(
    "store-drops-concurrent-append",
    "the event store drops an event when two sessions append at once: a resume skips it",
    hook="persist_event", behaviour=StoreDropsConcurrentAppend,
    requirements=("http.resume.no-gaps",), by_load=True)
