from __future__ import annotations

from mcp.server.streamable_http import GET_STREAM_KEY

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant
from reference_agents.storage import StoredEvent


class StandaloneReplayFromStart(Behaviour):
    def replayed_events(self, store: SessionEventStore, after: StoredEvent,
                        events: list[StoredEvent]) -> list[StoredEvent]:
        """A GET resume of the standalone stream ignores where Last-Event-ID points and replays the stream
        from its first event (what the client already had comes again)."""
        found = store.lookup(after.event_id)
        if found is None or found[1] != GET_STREAM_KEY:
            return events
        return store.stream_events(GET_STREAM_KEY)


MUTANT = Mutant(
    "standalone-replay-from-start",
    "2025: a resume of the standalone GET stream replays it from its first event, not from after Last-Event-ID",
    hook="replayed_events", behaviour=StandaloneReplayFromStart,
    requirements=("http.resume.no-duplicates",), scenarios=("standalone-burst-cut",))
