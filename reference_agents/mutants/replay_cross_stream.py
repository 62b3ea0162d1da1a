from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant
from reference_agents.storage import StoredEvent


class ReplayCrossStream(Behaviour):
    def replayed_events(self, store: SessionEventStore, after: StoredEvent,
                        events: list[StoredEvent]) -> list[StoredEvent]:
        others = [ev for row in store.hub.storage.streams(store.session) if row.stream_no != after.stream_no
                  for ev in store.hub.storage.events_after(store.session, row.stream_no, 0) if ev.seq > after.seq]
        return sorted(others, key=lambda ev: ev.seq) + events


MUTANT = Mutant(
    "replay-cross-stream",
    "a resume also replays the later events of the session's OTHER streams",
    hook="replayed_events", behaviour=ReplayCrossStream,
    requirements=("http.resume.per-stream",), scenarios=("stream-isolation",))
