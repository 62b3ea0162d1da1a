"""The agents' storage and session-scoped EventStore, without a network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp.server.streamable_http import GET_STREAM_KEY, EventMessage
from mcp_types import JSONRPCNotification, JSONRPCResponse

from reference_agents.event_store import EventHub
from reference_agents.storage import MemoryStorage, Record, SqliteStorage, open_storage, parse_event_id


def note(i: int) -> JSONRPCNotification:
    return JSONRPCNotification(jsonrpc="2.0", method="notifications/progress",
                               params={"progressToken": "t", "progress": i})


def answer(id: int) -> JSONRPCResponse:
    return JSONRPCResponse(jsonrpc="2.0", id=id, result={})


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_ids_are_monotonic_encode_the_stream_and_are_session_scoped(tmp_path: Path, kind: str) -> None:
    hub = EventHub(open_storage("memory" if kind == "memory" else f"sqlite:{tmp_path / 'e.db'}"))
    a, b = hub.for_session("A"), hub.for_session("B")
    ids = [await a.store_event("1", None), await b.store_event("1", None), await a.store_event("1", note(1)),
           await b.store_event("1", note(1)), await a.store_event("1", answer(1)), await a.store_event("1", None)]
    seqs = [parse_event_id(i) for i in ids]
    assert all(s is not None for s in seqs)
    assert [s[0] for s in seqs if s] == sorted(s[0] for s in seqs if s)  # monotonic
    assert seqs[0] and seqs[2] and seqs[0][1] == seqs[2][1]  # same stream, encoded in the id
    assert seqs[5] and seqs[0] and seqs[5][1] != seqs[0][1]  # id 1 reused after its response: a new stream
    assert a.lookup(ids[1]) is None and b.lookup(ids[0]) is None  # foreign ids are unknown (bug A)
    found = a.lookup(ids[0])
    assert found is not None and found[1] == "1"
    replayed: list[EventMessage] = []

    async def collect(m: EventMessage) -> None:
        replayed.append(m)

    assert await a.replay_events_after(ids[0], collect) is None  # finished stream: None (bug D)
    assert [m.event_id for m in replayed] == [ids[2], ids[4]]
    assert await b.replay_events_after(ids[1], collect) == "1"  # still open: go live on it
    assert await b.replay_events_after("garbage", collect) is None


@pytest.mark.anyio
async def test_sqlite_store_survives_reopening_and_interrupts_open_streams(tmp_path: Path) -> None:
    path = str(tmp_path / "e.db")
    hub = EventHub(SqliteStorage(path))
    s = hub.for_session("S")
    s.expect_request("req", '"req"')
    first = await s.store_event("req", None)
    await s.store_event("req", note(1))
    done = [await s.store_event("9", None), await s.store_event("9", answer(9))]
    await s.store_event(GET_STREAM_KEY, note(5))
    hub.storage.put_record(Record("booking", "b1", "pending", {"x": 1}))
    hub.storage.put_record(Record("booking", "b1", "confirmed", {"x": 2}))
    hub.storage.close()

    hub2 = EventHub(SqliteStorage(path))
    assert hub2.interrupt_open_streams() == 1  # "req" had no response; "9" did; GET streams never end
    s2 = hub2.for_session("S")
    found = s2.lookup(first)
    assert found is not None
    rest = s2.events_after(found[0])
    assert json.loads(rest[-1].message or "{}")["id"] == "req" and rest[-1].terminal
    assert "restarted" in (rest[-1].message or "")
    assert s2.lookup(done[1]) is not None
    later = await s2.store_event("9", None)  # sequence continues after a restart
    assert (parse_event_id(later) or (0,))[0] > (parse_event_id(rest[-1].event_id) or (0,))[0]
    rec = hub2.storage.get_record("booking", "b1")
    assert rec is not None and (rec.status, rec.version, rec.data) == ("confirmed", 2, {"x": 2})
    assert hub2.knows_session("S") and not hub2.knows_session("T")
    hub2.storage.end_session("S")
    assert not hub2.knows_session("S")


class _BrokenStorage(MemoryStorage):
    def append(self, event: object) -> None:  # type: ignore[override]
        raise OSError("disk full")


@pytest.mark.anyio
async def test_store_event_never_raises_and_failed_ids_are_unknown() -> None:
    hub = EventHub(_BrokenStorage())
    s = hub.for_session("S")
    live = s.subscribe(1)  # nothing yet: closed at once
    event_id = await s.store_event("1", note(1))  # storage fails: still an id, no exception (bug E)
    assert s.lookup(event_id) is None
    assert [e async for e in live] == []
    feed = s.subscribe(1)
    await s.store_event("1", note(2))
    await s.store_event("1", answer(1))
    got = [e.pos async for e in feed]  # listeners still fed from memory; closed after the response
    assert got == [2, 3]


def test_open_storage_rejects_bad_specs() -> None:
    for bad in ("disk", "sqlite:", "sqlite"):
        with pytest.raises(ValueError, match="--store"):
            open_storage(bad)
    with pytest.raises(ValueError, match="cannot open SQLite store"):
        open_storage("sqlite:/nonexistent-dir/x.db")
