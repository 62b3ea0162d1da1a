from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant
from reference_agents.storage import StoredEvent


class HandoffLosesEvents(Behaviour):
    def replayed_events(self, store: SessionEventStore, after: StoredEvent,
                        events: list[StoredEvent]) -> list[StoredEvent]:
        lost = [i for i, ev in enumerate(events) if ev.message is not None and not ev.terminal]
        return events[:lost[-1]] + events[lost[-1] + 1:] if lost else events


MUTANT = Mutant(
    "handoff-loses-events",
    "a resume loses the last event stored before the hand-off to live delivery",
    hook="replayed_events", behaviour=HandoffLosesEvents,
    requirements=("http.resume.no-gaps",), scenarios=("resume-each-boundary", "resume-during-replay"))
