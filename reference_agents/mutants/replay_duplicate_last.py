from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant
from reference_agents.storage import StoredEvent


class ReplayDuplicateLast(Behaviour):
    def replayed_events(self, store: SessionEventStore, after: StoredEvent,
                        events: list[StoredEvent]) -> list[StoredEvent]:
        return [after, *events] if after.message is not None else events


MUTANT = Mutant(
    "replay-duplicate-last",
    "a resume replays the Last-Event-ID event itself again before the rest",
    hook="replayed_events", behaviour=ReplayDuplicateLast,
    requirements=("http.resume.no-duplicates",), scenarios=("resume-each-boundary",))
