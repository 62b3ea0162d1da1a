from __future__ import annotations

from mcp.server.streamable_http import GET_STREAM_KEY

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant
from reference_agents.storage import StoredEvent


class StandaloneReplayDropsLogs(Behaviour):
    def replayed_events(self, store: SessionEventStore, after: StoredEvent,
                        events: list[StoredEvent]) -> list[StoredEvent]:
        """Log messages on the standalone stream are sent live but not kept for replay: a GET resume loses
        the ones sent while the stream was cut."""
        found = store.lookup(after.event_id)
        if found is None or found[1] != GET_STREAM_KEY:
            return events
        return [ev for ev in events if '"notifications/message"' not in (ev.message or "")]


MUTANT = Mutant(
    "standalone-replay-drops-logs",
    "2025: the standalone GET stream's log messages are not replayed: a resume with Last-Event-ID loses those "
    "sent while the stream was cut",
    hook="replayed_events", behaviour=StandaloneReplayDropsLogs,
    requirements=("http.resume.no-gaps",), scenarios=("standalone-burst-cut",))
