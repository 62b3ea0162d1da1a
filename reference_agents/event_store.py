"""The agents' EventStore: scoped per session and per stream, with live listeners.

`EventHub` is shared by the whole server (one backend, one global sequence, the test hooks);
`SessionEventStore` is the SDK-facing `EventStore` of ONE session (SDK bug A: the SDK hands a
single store to every session and keys streams by request id only, so two sessions both using
request id 1 would share a stream; we give each session its own wrapper, see transport.py).

Per session, a stream is one generation of a key: a POST's `str(request id)` gets a new stream
number each time the id is reused after its response (sequential reuse stays legal), the GET
stream is one stream. Event ids (`StoredEvent.event_id`) are monotonic and encode the stream.

Live listeners (used by the attach-then-replay resume, SDK bug B) are notified from
`store_event`, which the SDK's message router calls for every message BEFORE delivering it, so
"subscribe, then snapshot, then drain with de-dup by position" misses nothing.

`store_event` never raises (SDK bug E): a failure is logged, listeners are still fed from memory,
and the id returned is one the store does not know, so a resume from it gets a 400 (bug C).
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.streamable_http import GET_STREAM_KEY, EventCallback, EventMessage, EventStore
from mcp_types import JSONRPCError, JSONRPCMessage, JSONRPCResponse, jsonrpc_message_adapter

from reference_agents.behaviour import Behaviour
from reference_agents.storage import Storage, StoredEvent, StreamRow, parse_event_id

logger = logging.getLogger(__name__)


@dataclass
class Hooks:
    """Test seams (all optional, all async): gate the store to make races reproducible."""

    # called before an event is stored (the SDK router waits on it): (session, stream key, message)
    before_store: Callable[[str, str, JSONRPCMessage | None], Awaitable[None]] | None = None
    # called by a resume after the replayed snapshot was sent, before it goes live: (session, stream key)
    after_replay_snapshot: Callable[[str, str], Awaitable[None]] | None = None
    # called for every event stored: (session, stream key, event)
    on_stored: Callable[[str, str, StoredEvent], None] | None = None
    # called by an agent before it saves a record's status: (kind, id, status)
    before_save: Callable[[str, str, str], Awaitable[None]] | None = None


@dataclass
class _Stream:
    no: int
    key: str
    next_pos: int = 1
    terminal: bool = False
    listeners: set[MemoryObjectSendStream[StoredEvent]] = field(default_factory=set)


class EventHub:
    """Server-wide: the backend, the global sequence, one SessionEventStore per session."""

    def __init__(self, storage: Storage, hooks: Hooks | None = None, behaviour: Behaviour | None = None) -> None:
        self.storage = storage
        self.hooks = hooks or Hooks()
        self.behaviour = behaviour or Behaviour()
        self._seq = storage.max_seq()
        self._sessions: dict[str, SessionEventStore] = {}
        self.on_session_end: Callable[[str], None] | None = None  # a session's transport terminated

    def other_sessions(self, session: str) -> list[SessionEventStore]:
        return [s for k, s in self._sessions.items() if k != session]

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def for_session(self, session: str) -> SessionEventStore:
        store = self._sessions.get(session)
        if store is None:
            self.storage.add_session(session)
            store = self._sessions[session] = SessionEventStore(self, session)
        return store

    def knows_session(self, session: str) -> bool:
        return self.storage.session_state(session) == "live"

    def interrupt_open_streams(self) -> int:
        """After a restart: end every POST stream left without a response with a JSON-RPC error,
        so a client resuming it gets the events it missed and then an end, never a hang."""
        count = 0
        for row in self.storage.streams():
            if row.terminal or row.key == GET_STREAM_KEY:
                continue
            store = self.for_session(row.session)
            raw_id = row.request_id if row.request_id is not None else _guess_id_json(row.key)
            err = (f'{{"jsonrpc":"2.0","id":{raw_id},"error":{{"code":-32603,"message":'
                   '"interrupted: the server restarted before this request completed"}}')
            store.append_raw(row.key, err, terminal=True)
            count += 1
        return count


def _guess_id_json(key: str) -> str:
    return key if key.lstrip("-").isdigit() else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


class SessionEventStore(EventStore):
    """The EventStore of one session (SDK-facing), over the hub's shared backend."""

    def __init__(self, hub: EventHub, session: str) -> None:
        self.hub = hub
        self.session = session
        self._current: dict[str, _Stream] = {}  # key -> latest generation
        self._by_no: dict[int, _Stream] = {}
        self._request_ids: dict[str, str] = {}  # key -> raw JSON id of the request about to open it
        self.on_terminal: Callable[[str], None] | None = None
        for row in hub.storage.streams(session):  # rebuild after a restart (no-op when new)
            st = _Stream(row.stream_no, row.key, row.last_pos + 1, row.terminal)
            self._by_no[st.no] = st
            cur = self._current.get(row.key)
            if cur is None or cur.no < st.no:
                self._current[row.key] = st

    # --- writing -------------------------------------------------------------------------
    def expect_request(self, key: str, raw_id_json: str) -> None:
        """The transport tells us the raw id of the request whose stream `key` opens next."""
        self._request_ids[key] = raw_id_json

    def _stream_for_write(self, key: str) -> _Stream:
        st = self._current.get(key)
        if st is None or st.terminal:
            no = max(self._by_no, default=0) + 1
            st = _Stream(no, key)
            raw = self._request_ids.pop(key, None)
            self.hub.storage.new_stream(StreamRow(self.session, no, key, raw))
            self._current[key] = self._by_no[no] = st
        return st

    def append_raw(self, key: str, message_json: str | None, *, terminal: bool) -> StoredEvent:
        st = self._stream_for_write(key)
        ev = StoredEvent(self.hub.next_seq(), self.session, st.no, st.next_pos, message_json, terminal)
        st.next_pos += 1
        st.terminal = terminal
        try:
            self.hub.behaviour.persist_event(self.hub.storage, ev)
        except Exception:  # E: lose resumability, never delivery
            # the id stays unknown to `lookup`, so a resume from it is refused with a 400 (C)
            logger.exception("event store: could not persist %s; a resume from it will be refused", ev.event_id)
        for listener in list(st.listeners):
            try:
                listener.send_nowait(ev)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                st.listeners.discard(listener)
        if terminal:
            for listener in list(st.listeners):
                listener.close()
            st.listeners.clear()
            if self.on_terminal is not None:
                self.on_terminal(key)
        if self.hub.hooks.on_stored is not None:
            self.hub.hooks.on_stored(self.session, key, ev)
        return ev

    async def store_event(self, stream_id: str, message: JSONRPCMessage | None) -> str:
        try:
            if self.hub.hooks.before_store is not None:
                await self.hub.hooks.before_store(self.session, stream_id, message)
            terminal = (stream_id != GET_STREAM_KEY and isinstance(message, JSONRPCResponse | JSONRPCError)
                        and message.id is not None)
            text = None if message is None else message.model_dump_json(by_alias=True, exclude_unset=True)
            if terminal:
                return self.hub.behaviour.store_response(self, stream_id, text)
            ev = self.append_raw(stream_id, text, terminal=False)
            return self.hub.behaviour.wire_event_id(self, stream_id, ev)
        except Exception:  # E: the SDK router dies on an exception here and wedges the session
            logger.exception("event store: store_event failed for stream %r", stream_id)
            return f"lost-{uuid.uuid4().hex}"

    # --- reading -------------------------------------------------------------------------
    def lookup(self, event_id: str) -> tuple[StoredEvent, str] | None:
        """The event (of THIS session) and its stream key; None if unknown, foreign or malformed."""
        parsed = parse_event_id(event_id)
        if parsed is None:
            return None
        ev = self.hub.storage.find(self.session, parsed[0])
        if ev is None or (ev.stream_no, ev.pos) != parsed[1:]:
            return None
        st = self._by_no.get(ev.stream_no)
        return (ev, st.key) if st is not None else None

    def events_after(self, ev: StoredEvent) -> list[StoredEvent]:
        return self.hub.storage.events_after(self.session, ev.stream_no, ev.pos)

    def stream_events(self, key: str) -> list[StoredEvent]:
        """Every stored event of `key`'s latest stream."""
        st = self._current.get(key)
        return [] if st is None else self.hub.storage.events_after(self.session, st.no, 0)

    def is_terminal(self, stream_no: int) -> bool:
        st = self._by_no.get(stream_no)
        return st is None or st.terminal

    def subscribe(self, stream_no: int) -> MemoryObjectReceiveStream[StoredEvent]:
        """A live feed of the stream's events stored from now on (closed after the terminal one)."""
        send, recv = anyio.create_memory_object_stream[StoredEvent](math.inf)
        st = self._by_no.get(stream_no)
        if st is None or st.terminal:
            send.close()
        else:
            st.listeners.add(send)
        return recv

    def close_listeners(self) -> None:
        for st in self._by_no.values():
            for listener in st.listeners:
                listener.close()
            st.listeners.clear()

    async def replay_events_after(self, last_event_id: str, send_callback: EventCallback) -> str | None:
        """The SDK's interface, used only by the SDK's stock replay (mutant replay-handoff-gap): replays the
        events after `last_event_id`; returns the stream key to go live on, or None when the
        stream already ended (D: the SDK then closes the response right after the replay)."""
        found = self.lookup(last_event_id)
        if found is None:
            return None
        ev, key = found
        for e in self.events_after(ev):
            if e.message is not None:
                await send_callback(EventMessage(jsonrpc_message_adapter.validate_json(e.message), e.event_id))
        if self.hub.hooks.after_replay_snapshot is not None:
            await self.hub.hooks.after_replay_snapshot(self.session, key)
        return None if self.is_terminal(ev.stream_no) else key
