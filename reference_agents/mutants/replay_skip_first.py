from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant
from reference_agents.storage import StoredEvent


class ReplaySkipFirst(Behaviour):
    def replayed_events(self, store: SessionEventStore, after: StoredEvent,
                        events: list[StoredEvent]) -> list[StoredEvent]:
        msgs = [i for i, ev in enumerate(events) if ev.message is not None]
        return events[:msgs[0]] + events[msgs[0] + 1:] if msgs else events


MUTANT = Mutant(
    "replay-skip-first",
    "a resume skips the first event after Last-Event-ID",
    hook="replayed_events", behaviour=ReplaySkipFirst,
    requirements=("http.resume.no-gaps",), scenarios=("resume-each-boundary",))
