"""An event-id counter that races: two calls of one session writing at once get the same event id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcp.server.streamable_http import GET_STREAM_KEY

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant

if TYPE_CHECKING:
    from reference_agents.event_store import SessionEventStore
    from reference_agents.storage import StoredEvent


class EventIdRace(Behaviour):
    def __init__(self) -> None:
        self._last: dict[str, tuple[int, str]] = {}  # session -> (stream number, id) of its last write

    def wire_event_id(self, store: SessionEventStore, key: str, event: StoredEvent) -> str:
        """A lost update: while another call's stream of the session is still open (both writers at work), a
        write that follows one of the other stream gets the id just handed out (both read the counter, then both
        formatted their id from it). One call at a time, or the GET stream, never races."""
        if key == GET_STREAM_KEY:
            return event.event_id
        last = self._last.get(store.session)
        if last is not None and last[0] != event.stream_no and not store.is_terminal(last[0]):
            return last[1]
        self._last[store.session] = (event.stream_no, event.event_id)
        return event.event_id


MUTANT = Mutant(
    "event-id-race",
    "the event-id counter races: two calls of one session written at once get the same event id",
    hook="wire_event_id", behaviour=EventIdRace,
    requirements=("http.sse.event-id-unique",), by_load=True)
