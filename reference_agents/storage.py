"""Durable state of the reference agents: SSE events (per session and stream) and records.

Two backends with one interface: `MemoryStorage` (a process's lifetime) and `SqliteStorage`
(survives SIGKILL: WAL journal, every write committed before the call returns). Both are
synchronous and fast; callers on the event loop use them directly.

Records are the agents' results (bookings, reports): a `kind`, an `id`, a `status` and a JSON
`data` object, with a `version` that only grows, so they can later be served as resources
whose status moves forward.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StoredEvent:
    """One SSE event as stored: `message` is the JSON-RPC message as JSON text, None for priming."""

    seq: int  # global, monotonic across sessions and restarts
    session: str
    stream_no: int  # per session: one number per stream (a POST's request id generation, or the GET stream)
    pos: int  # 1-based position in its stream
    message: str | None
    terminal: bool  # the stream's JSON-RPC response/error: nothing follows it

    @property
    def event_id(self) -> str:
        """Monotonic (zero-padded global sequence) and encoding the stream and position."""
        return f"{self.seq:010d}-{self.stream_no}-{self.pos}"


def parse_event_id(event_id: str) -> tuple[int, int, int] | None:
    """(seq, stream_no, pos) of an id made by `StoredEvent.event_id`, None if it is not one."""
    parts = event_id.split("-")
    if len(parts) != 3 or not all(p.isdigit() and len(p) < 19 for p in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


@dataclass
class StreamRow:
    session: str
    stream_no: int
    key: str  # the SDK's stream key: str(request id) or "_GET_stream"
    request_id: str | None  # the request id as JSON text (int vs str matters on the wire)
    terminal: bool = False
    last_pos: int = 0


@dataclass
class Record:
    kind: str  # "booking" | "report"
    id: str
    status: str
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0


class Storage(ABC):
    """What the event store and the agents need from a backend."""

    # sessions
    @abstractmethod
    def add_session(self, session: str) -> None: ...
    @abstractmethod
    def session_state(self, session: str) -> str | None:
        """'live', 'ended' (deleted by the client) or None (never seen)."""
    @abstractmethod
    def end_session(self, session: str) -> None: ...

    # streams and events
    @abstractmethod
    def max_seq(self) -> int: ...
    @abstractmethod
    def new_stream(self, row: StreamRow) -> None: ...
    @abstractmethod
    def streams(self, session: str | None = None) -> list[StreamRow]: ...
    @abstractmethod
    def append(self, event: StoredEvent) -> None:
        """Persist one event (and the stream's terminal flag / last position with it)."""
    @abstractmethod
    def find(self, session: str, seq: int) -> StoredEvent | None: ...
    @abstractmethod
    def events_after(self, session: str, stream_no: int, pos: int) -> list[StoredEvent]: ...

    # records
    @abstractmethod
    def put_record(self, record: Record) -> Record:
        """Store a record, bumping its version; returns the stored copy."""
    @abstractmethod
    def get_record(self, kind: str, id: str) -> Record | None: ...
    @abstractmethod
    def list_records(self, kind: str) -> list[Record]: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


class MemoryStorage(Storage):
    def __init__(self) -> None:
        self._sessions: dict[str, str] = {}
        self._streams: dict[tuple[str, int], StreamRow] = {}
        self._events: dict[tuple[str, int], list[StoredEvent]] = {}
        self._by_seq: dict[int, StoredEvent] = {}
        self._records: dict[tuple[str, str], Record] = {}
        # event ids of a process must not repeat another process's: start past any earlier run's (the clock in
        # milliseconds), so a Last-Event-ID kept across a restart never names a new session's event
        self._max_seq = time.time_ns() // 1_000_000

    def add_session(self, session: str) -> None:
        self._sessions.setdefault(session, "live")

    def session_state(self, session: str) -> str | None:
        return self._sessions.get(session)

    def end_session(self, session: str) -> None:
        self._sessions[session] = "ended"

    def max_seq(self) -> int:
        return self._max_seq

    def new_stream(self, row: StreamRow) -> None:
        self._streams[(row.session, row.stream_no)] = StreamRow(**row.__dict__)
        self._events[(row.session, row.stream_no)] = []

    def streams(self, session: str | None = None) -> list[StreamRow]:
        return [StreamRow(**r.__dict__) for (s, _), r in self._streams.items() if session in (None, s)]

    def append(self, event: StoredEvent) -> None:
        key = (event.session, event.stream_no)
        self._events[key].append(event)
        self._by_seq[event.seq] = event
        self._max_seq = max(self._max_seq, event.seq)
        row = self._streams[key]
        row.last_pos = event.pos
        row.terminal = row.terminal or event.terminal

    def find(self, session: str, seq: int) -> StoredEvent | None:
        ev = self._by_seq.get(seq)
        return ev if ev is not None and ev.session == session else None

    def events_after(self, session: str, stream_no: int, pos: int) -> list[StoredEvent]:
        # a copy: callers iterate across awaits while the live list keeps growing
        return [e for e in self._events.get((session, stream_no), []) if e.pos > pos]

    def put_record(self, record: Record) -> Record:
        old = self._records.get((record.kind, record.id))
        stored = Record(record.kind, record.id, record.status, json.loads(json.dumps(record.data)),
                        (old.version if old else 0) + 1)
        self._records[(record.kind, record.id)] = stored
        return stored

    def get_record(self, kind: str, id: str) -> Record | None:
        return self._records.get((kind, id))

    def list_records(self, kind: str) -> list[Record]:
        return [r for (k, _), r in self._records.items() if k == kind]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS streams (session TEXT NOT NULL, stream_no INTEGER NOT NULL, key TEXT NOT NULL,
  request_id TEXT, terminal INTEGER NOT NULL DEFAULT 0, last_pos INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session, stream_no));
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, session TEXT NOT NULL, stream_no INTEGER NOT NULL,
  pos INTEGER NOT NULL, message TEXT, terminal INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_stream ON events (session, stream_no, pos);
CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL,
  data TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (kind, id));
"""


class SqliteStorage(Storage):
    """SQLite backend set up for many concurrent sessions: autocommit, WAL (readers never block the writer),
    synchronous=NORMAL (a committed write survives a process kill), a busy timeout (another process holding
    the file, e.g. a killed server's successor starting, waits instead of failing), and ONE writer path: one
    connection behind one lock, every write its own short transaction committed before the call returns."""

    BUSY_TIMEOUT_MS = 5000

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                   timeout=self.BUSY_TIMEOUT_MS / 1000)
        self._lock = threading.Lock()
        self._db.execute(f"PRAGMA busy_timeout={self.BUSY_TIMEOUT_MS}")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def _q(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def add_session(self, session: str) -> None:
        self._q("INSERT OR IGNORE INTO sessions (id, state) VALUES (?, 'live')", (session,))

    def session_state(self, session: str) -> str | None:
        rows = self._q("SELECT state FROM sessions WHERE id = ?", (session,))
        return rows[0][0] if rows else None

    def end_session(self, session: str) -> None:
        self._q("INSERT OR REPLACE INTO sessions (id, state) VALUES (?, 'ended')", (session,))

    def max_seq(self) -> int:
        return int(self._q("SELECT COALESCE(MAX(seq), 0) FROM events")[0][0])

    def new_stream(self, row: StreamRow) -> None:
        self._q("INSERT INTO streams (session, stream_no, key, request_id, terminal, last_pos) VALUES (?,?,?,?,?,?)",
                (row.session, row.stream_no, row.key, row.request_id, int(row.terminal), row.last_pos))

    def streams(self, session: str | None = None) -> list[StreamRow]:
        sql = "SELECT session, stream_no, key, request_id, terminal, last_pos FROM streams"
        rows = self._q(sql + " WHERE session = ?", (session,)) if session is not None else self._q(sql)
        return [StreamRow(s, n, k, r, bool(t), p) for s, n, k, r, t, p in rows]

    def append(self, event: StoredEvent) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute("INSERT INTO events VALUES (?,?,?,?,?,?)", (
                    event.seq, event.session, event.stream_no, event.pos, event.message, int(event.terminal)))
                self._db.execute(
                    "UPDATE streams SET last_pos = ?, terminal = MAX(terminal, ?) WHERE session = ? AND stream_no = ?",
                    (event.pos, int(event.terminal), event.session, event.stream_no))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @staticmethod
    def _event(row: tuple[Any, ...]) -> StoredEvent:
        seq, session, stream_no, pos, message, terminal = row
        return StoredEvent(seq, session, stream_no, pos, message, bool(terminal))

    def find(self, session: str, seq: int) -> StoredEvent | None:
        rows = self._q("SELECT * FROM events WHERE seq = ? AND session = ?", (seq, session))
        return self._event(rows[0]) if rows else None

    def events_after(self, session: str, stream_no: int, pos: int) -> list[StoredEvent]:
        rows = self._q("SELECT * FROM events WHERE session = ? AND stream_no = ? AND pos > ? ORDER BY pos",
                       (session, stream_no, pos))
        return [self._event(r) for r in rows]

    def put_record(self, record: Record) -> Record:
        with self._lock:
            row = self._db.execute("SELECT version FROM records WHERE kind = ? AND id = ?",
                                   (record.kind, record.id)).fetchone()
            version = (row[0] if row else 0) + 1
            self._db.execute("INSERT OR REPLACE INTO records VALUES (?,?,?,?,?)",
                             (record.kind, record.id, record.status, json.dumps(record.data), version))
            # (one statement, autocommit: committed before the lock is released)
        return Record(record.kind, record.id, record.status, json.loads(json.dumps(record.data)), version)

    def get_record(self, kind: str, id: str) -> Record | None:
        rows = self._q("SELECT kind, id, status, data, version FROM records WHERE kind = ? AND id = ?", (kind, id))
        return Record(rows[0][0], rows[0][1], rows[0][2], json.loads(rows[0][3]), rows[0][4]) if rows else None

    def list_records(self, kind: str) -> list[Record]:
        rows = self._q("SELECT kind, id, status, data, version FROM records WHERE kind = ? ORDER BY id", (kind,))
        return [Record(k, i, s, json.loads(d), v) for k, i, s, d, v in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_storage(spec: str) -> Storage:
    """`memory` or `sqlite:PATH`; ValueError with a one-line reason otherwise."""
    if spec == "memory":
        return MemoryStorage()
    if spec.startswith("sqlite:") and len(spec) > len("sqlite:"):
        path = spec[len("sqlite:"):]
        try:
            return SqliteStorage(path)
        except sqlite3.Error as exc:
            raise ValueError(f"cannot open SQLite store {path!r}: {exc}") from None
    raise ValueError(f"--store must be 'memory' or 'sqlite:PATH', not {spec!r}")
