from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant
from reference_agents.storage import StoredEvent


class ReplayOutOfOrder(Behaviour):
    def replayed_events(self, store: SessionEventStore, after: StoredEvent,
                        events: list[StoredEvent]) -> list[StoredEvent]:
        msgs = [i for i, ev in enumerate(events) if ev.message is not None]
        if len(msgs) < 2 or events[msgs[1]].terminal:
            return events
        events = list(events)
        events[msgs[0]], events[msgs[1]] = events[msgs[1]], events[msgs[0]]
        return events


MUTANT = Mutant(
    "replay-out-of-order",
    "a resume swaps the first two replayed events",
    hook="replayed_events", behaviour=ReplayOutOfOrder,
    requirements=("http.resume.no-gaps", "http.resume.order"), scenarios=("resume-each-boundary",))
