"""Bookings and reports as resources: the URI is known before the work ends, every status change
is announced (2025-11-25: resources/subscribe + notifications/resources/updated on the GET stream;
2026-07-28: subscriptions/listen) only once a read shows it, unknown URIs are -32602, the store
keeps them across SIGKILL + restart; and each resource mutant's bug shows.

No sleeps: a `before_save` hook holds the booking at `pending` until the test has subscribed, and
"nothing else arrived" is checked against a sentinel (a second booking's list_changed), which the
server sends after everything the first booking caused.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from agents_wire import V2025, V2026, Ev, RawClient, SseReader, Stream, is_response, method_of, spawn_agents
from test_agents_restart import sigkill

from reference_agents.event_store import Hooks
from reference_agents.resources import STATUS_RANK
from reference_agents.server import running_agents

pytestmark = pytest.mark.anyio
SUB_ID = "io.modelcontextprotocol/subscriptionId"
UPDATED = "notifications/resources/updated"
LIST_CHANGED = "notifications/resources/list_changed"
ACK = "notifications/subscriptions/acknowledged"
RANK = STATUS_RANK["booking"]


class Gate:
    """Holds every booking before it leaves `pending` until `release()`."""

    def __init__(self) -> None:
        self.released = anyio.Event()

    async def before_save(self, kind: str, id: str, status: str) -> None:
        if status == "awaiting_confirmation":
            await self.released.wait()

    def hooks(self) -> Hooks:
        return Hooks(before_save=self.before_save)

    def release(self) -> None:
        self.released.set()


@asynccontextmanager
async def get_stream(c: RawClient, last_event_id: str | None = None, *, listed: bool = True) -> AsyncIterator[Stream]:
    """The 2025 standalone GET stream (or its resumption); `listed`: the session lists resources first, so it
    has a list whose changes it hears of."""
    if listed and last_event_id is None:
        await c.call("resources/list")
    h = c.headers(Accept="text/event-stream")
    h.pop("Content-Type")
    if last_event_id is not None:
        h["Last-Event-ID"] = last_event_id
    response = await c.http.send(c.http.build_request("GET", c.url, headers=h), stream=True)
    try:
        assert response.status_code == 200, response.status_code
        yield Stream(response, SseReader(response))
    finally:
        await response.aclose()


async def next_message(s: Stream) -> Ev:
    """The next event that carries a message (priming events skipped)."""
    return await s.read_until(lambda e: e.msg is not None)


def uri_from_progress(ev: Ev) -> str:
    """`booking travel://bookings/ID: ...`: the first progress message names the URI."""
    assert method_of(ev) == "notifications/progress", ev
    word = ev.msg["params"]["message"].split()[1].rstrip(":")
    assert word.startswith("travel://bookings/"), ev.msg
    return str(word)


async def status_of(c: RawClient, uri: str) -> str:
    r = await c.call("resources/read", {"uri": uri})
    assert "result" in r, r
    contents = r["result"]["contents"]
    assert len(contents) == 1 and contents[0]["uri"] == uri
    return str(json.loads(contents[0]["text"])["status"])


def travel(c: RawClient, destination: str = "Tallinn") -> dict[str, Any]:
    return c.request("tools/call", {"name": "travel_agent", "arguments": {"destination": destination}},
                     progress_token="p")


def answer(outcome: str) -> dict[str, Any]:
    return {"action": "accept", "content": {"confirm": True}} if outcome == "confirmed" else {"action": "decline"}


# --- 2025-11-25 ------------------------------------------------------------------------------
@pytest.mark.parametrize("outcome", ["confirmed", "cancelled"])
async def test_2025_subscribe_gets_one_update_per_status_change_each_readable(outcome: str) -> None:
    gate = Gate()
    async with running_agents(hooks=gate.hooks()) as url, RawClient(url) as c:
        with anyio.fail_after(15):
            init = await c.open()
            assert init["result"]["capabilities"]["resources"] == {"subscribe": True, "listChanged": True}
            async with get_stream(c) as g:
                primer = await g.next()
                assert primer is not None and primer.priming  # the GET stream is resumable from its start
                body = travel(c)
                async with c.post(body) as s:
                    uri = uri_from_progress(await next_message(s))
                    assert method_of(await next_message(g)) == LIST_CHANGED
                    listed = (await c.call("resources/list"))["result"]["resources"]
                    assert uri in [r["uri"] for r in listed]
                    assert await status_of(c, uri) == "pending"  # a resource from the moment the tool starts
                    assert (await c.call("resources/subscribe", {"uri": uri}))["result"] == {}
                    gate.release()
                    first = await next_message(g)
                    assert first.msg == {"jsonrpc": "2.0", "method": UPDATED, "params": {"uri": uri}}
                    assert await status_of(c, uri) == "awaiting_confirmation"  # the tool now waits for the user
                    ask = await s.read_until(lambda e: method_of(e) == "elicitation/create")
                    assert await c.answer(ask.msg["id"], answer(outcome)) == 202
                    done = await s.read_until(lambda e: is_response(e, body["id"]))
                    assert done.msg["result"]["structuredContent"]["status"] == outcome
                second = await next_message(g)
                assert second.msg == {"jsonrpc": "2.0", "method": UPDATED, "params": {"uri": uri}}
                assert await status_of(c, uri) == outcome
                # sentinel: a second booking's list_changed; nothing about the first came in between
                async with c.post(travel(c, "Riga")) as s2:
                    await next_message(s2)
                    sentinel = await next_message(g)
                assert method_of(sentinel) == LIST_CHANGED
                assert [method_of(e) for e in g.events] == [None, LIST_CHANGED, UPDATED, UPDATED, LIST_CHANGED]


async def test_2025_unsubscribe_stops_updates_and_the_get_stream_resumes_from_its_priming_event() -> None:
    gate = Gate()
    async with running_agents(hooks=gate.hooks()) as url, RawClient(url) as c:
        with anyio.fail_after(15):
            await c.open()
            async with get_stream(c) as g:
                primer = await g.next()
            assert primer is not None and primer.priming and primer.id is not None
            body = travel(c)
            async with c.post(body) as s:  # the GET stream is closed: its notifications are only stored
                uri = uri_from_progress(await next_message(s))
                await c.call("resources/subscribe", {"uri": uri})
                gate.release()
                ask = await s.read_until(lambda e: method_of(e) == "elicitation/create")
                async with get_stream(c, primer.id) as g2:  # resume: what was stored after the priming event
                    assert method_of(await next_message(g2)) == LIST_CHANGED
                    assert (await next_message(g2)).msg["params"] == {"uri": uri}
                    assert await status_of(c, uri) == "awaiting_confirmation"
                    await c.call("resources/unsubscribe", {"uri": uri})
                    await c.answer(ask.msg["id"], answer("confirmed"))
                    await s.read_until(lambda e: is_response(e, body["id"]))
                    async with c.post(travel(c, "Riga")) as s2:
                        await next_message(s2)
                        sentinel = await next_message(g2)
                    assert method_of(sentinel) == LIST_CHANGED  # no update for the unsubscribed URI came first
                    assert await status_of(c, uri) == "confirmed"


async def test_research_report_is_a_resource_moving_forward() -> None:
    async with running_agents() as url, RawClient(url, revision=V2026, capabilities={}) as c:
        with anyio.fail_after(15):
            body = c.request("tools/call", {"name": "research_agent", "arguments": {"topic": "tides"}},
                             progress_token="r")
            async with c.post(body) as s:
                events = await s.read_all()
            first = next(e for e in events if method_of(e) == "notifications/progress")
            uri = first.msg["params"]["message"].split()[1].rstrip(":")
            assert uri.startswith("research://reports/")
            read = await c.call("resources/read", {"uri": uri})
            assert json.loads(read["result"]["contents"][0]["text"])["status"] == "summary_unavailable"
            listed = (await c.call("resources/list"))["result"]["resources"]
            assert uri in [r["uri"] for r in listed]


# --- 2026-07-28 ------------------------------------------------------------------------------
@asynccontextmanager
async def listen(c: RawClient, notifications: dict[str, Any]) -> AsyncIterator[tuple[Stream, Any]]:
    body = c.request("subscriptions/listen", {"notifications": notifications})
    async with c.post(body) as s:
        assert s.response.headers["content-type"].startswith("text/event-stream")
        yield s, body["id"]


def stamped(ev: Ev, sub_id: Any) -> bool:
    return ev.msg is not None and ev.msg["params"]["_meta"][SUB_ID] == sub_id


@pytest.mark.parametrize("outcome", ["confirmed", "cancelled"])
async def test_2026_listen_streams_get_acked_stamped_filtered_updates(outcome: str) -> None:
    gate = Gate()
    async with running_agents(hooks=gate.hooks()) as url, RawClient(url, revision=V2026) as c:
        with anyio.fail_after(15):
            async with listen(c, {"resourcesListChanged": True}) as (a, a_id):
                ack_a = await a.next()
                assert ack_a is not None and method_of(ack_a) == ACK and stamped(ack_a, a_id)
                assert ack_a.msg["params"]["notifications"] == {"resourcesListChanged": True}
                body = travel(c)
                params = body["params"]
                async with c.post(body) as s:
                    uri = uri_from_progress(await next_message(s))
                    assert method_of(await a.next()) == LIST_CHANGED
                    listed = (await c.call("resources/list"))["result"]["resources"]
                    assert uri in [r["uri"] for r in listed]
                    assert await status_of(c, uri) == "pending"
                    async with listen(c, {"resourceSubscriptions": [uri], "resourcesListChanged": True}) as (b, b_id):
                        ack_b = await b.next()
                        assert ack_b is not None and method_of(ack_b) == ACK and stamped(ack_b, b_id)
                        assert ack_b.msg["params"]["notifications"] == {"resourceSubscriptions": [uri],
                                                                        "resourcesListChanged": True}
                        gate.release()
                        first = await b.next()
                        assert first is not None and first.msg["params"]["uri"] == uri
                        assert await status_of(c, uri) == "awaiting_confirmation"  # round one has not ended yet
                        asked = await s.read_until(lambda e: is_response(e, body["id"]))
                        state = asked.msg["result"]["requestState"]
                        assert asked.msg["result"]["resultType"] == "input_required"
                        done = await c.call("tools/call", {**{k: v for k, v in params.items() if k != "_meta"},
                                                           "requestState": state,
                                                           "inputResponses": {"confirm_price": answer(outcome)}})
                        assert done["result"]["structuredContent"]["status"] == outcome
                        second = await b.next()
                        assert second is not None and second.msg["params"]["uri"] == uri
                        assert await status_of(c, uri) == outcome
                        async with c.post(travel(c, "Riga")) as s2:  # sentinel: a new booking
                            await next_message(s2)
                            sentinel_b = await b.next()
                            sentinel_a = await a.next()
                        assert sentinel_a is not None and sentinel_b is not None
                        assert [method_of(e) for e in b.events] == [ACK, UPDATED, UPDATED, LIST_CHANGED]
                        assert all(stamped(e, b_id) for e in b.events)
                assert [method_of(e) for e in a.events] == [ACK, LIST_CHANGED, LIST_CHANGED]  # never an update
                assert all(stamped(e, a_id) for e in a.events)
                assert a_id != b_id


# --- unknown URIs -----------------------------------------------------------------------------
@pytest.mark.parametrize("revision", [V2025, V2026])
@pytest.mark.parametrize("uri", ["travel://bookings/nope", "research://reports/nope", "nope://x"])
async def test_unknown_uri_is_invalid_params(agents_url: str, revision: str, uri: str) -> None:
    async with RawClient(agents_url, revision=revision) as c:
        with anyio.fail_after(10):
            await c.open()
            r = await c.call("resources/read", {"uri": uri})
    assert "result" not in r and r["error"]["code"] == -32602, r


# --- SIGKILL + restart --------------------------------------------------------------------------
async def booking_until(c: RawClient, status: str) -> str:
    """Drive a 2025 booking to `status`; returns its URI (the call may still be running)."""
    body = travel(c)
    async with c.post(body) as s:
        uri = uri_from_progress(await next_message(s))
        if status == "pending":
            return uri
        ask = await s.read_until(lambda e: method_of(e) == "elicitation/create")
        if status == "awaiting_confirmation":
            return uri
        await c.answer(ask.msg["id"], answer(status))
        await s.read_until(lambda e: is_response(e, body["id"]))
    return uri


@pytest.mark.parametrize("status", ["pending", "awaiting_confirmation", "confirmed", "cancelled"])
async def test_booking_survives_sigkill_and_restart_with_sqlite(tmp_path: Path, status: str) -> None:
    store = f"sqlite:{tmp_path / 'agents.db'}"
    # a step delay keeps a `pending` booking pending while we kill (read below accepts "or later")
    async with spawn_agents("--store", store, "--step-delay", "0.5" if status == "pending" else "0") as (url, proc):
        async with RawClient(url) as c:
            with anyio.fail_after(15):
                await c.open()
                uri = await booking_until(c, status)
        await sigkill(proc)
    async with spawn_agents("--store", store) as (url2, _), RawClient(url2, revision=V2026) as fresh:
        with anyio.fail_after(10):
            after = await status_of(fresh, uri)
            listed = (await fresh.call("resources/list"))["result"]["resources"]
    assert RANK[after] >= RANK[status] and (RANK[status] < 2 or after == status)
    assert uri in [r["uri"] for r in listed]


async def test_2025_list_changed_goes_to_the_sessions_that_listed() -> None:
    """A session that never listed resources has no list to refresh: another session's booking is announced to
    the sessions that listed (under `faultline run -j N`, the other runs' sessions hear nothing of it)."""
    gate = Gate()
    async with running_agents(hooks=gate.hooks()) as url, RawClient(url) as a, RawClient(url) as b:
        with anyio.fail_after(15):
            await a.open()
            await b.open()
            async with get_stream(a) as ga, get_stream(b, listed=False) as gb:
                assert (await ga.next()).priming and (await gb.next()).priming
                async with a.post(travel(a)) as s:
                    uri = uri_from_progress(await next_message(s))
                    assert method_of(await next_message(ga)) == LIST_CHANGED  # a listed: told
                    assert (await b.call("resources/subscribe", {"uri": uri}))["result"] == {}
                    gate.release()
                    first = await next_message(gb)  # b was not told of the booking: its subscription's update first
                    assert first.msg == {"jsonrpc": "2.0", "method": UPDATED, "params": {"uri": uri}}
                    ask = await s.read_until(lambda e: method_of(e) == "elicitation/create")
                    await a.answer(ask.msg["id"], answer("cancelled"))


# --- mutants ------------------------------------------------------------------------------------
async def subscribed_booking(c: RawClient, gate: Gate, g: Stream, body: dict[str, Any], s: Stream) -> str:
    uri = uri_from_progress(await next_message(s))
    assert method_of(await next_message(g)) == LIST_CHANGED
    await c.call("resources/subscribe", {"uri": uri})
    gate.release()
    return uri


async def test_mutant_resource_no_update() -> None:
    gate = Gate()
    async with running_agents(mutant="resource-no-update", hooks=gate.hooks()) as url, RawClient(url) as c:
        with anyio.fail_after(15):
            await c.open()
            async with get_stream(c) as g:
                await g.next()
                body = travel(c)
                async with c.post(body) as s:
                    uri = await subscribed_booking(c, gate, g, body, s)
                    ask = await s.read_until(lambda e: method_of(e) == "elicitation/create")
                    await c.answer(ask.msg["id"], answer("confirmed"))
                    await s.read_until(lambda e: is_response(e, body["id"]))
                async with c.post(travel(c, "Riga")) as s2:
                    await next_message(s2)
                    sentinel = await next_message(g)
                assert method_of(sentinel) == LIST_CHANGED  # the bug: two status changes, no update at all
                assert await status_of(c, uri) == "confirmed"


async def test_mutant_resource_update_before_commit() -> None:
    gate = Gate()
    async with running_agents(mutant="resource-update-before-commit", hooks=gate.hooks()) as url, \
            RawClient(url) as c:
        with anyio.fail_after(15):
            await c.open()
            async with get_stream(c) as g:
                await g.next()
                async with c.post(travel(c)) as s:
                    uri = await subscribed_booking(c, gate, g, {}, s)
                    assert method_of(await next_message(g)) == UPDATED
                    assert await status_of(c, uri) == "pending"  # the bug: announced, not yet readable
                    await s.read_until(lambda e: method_of(e) == "elicitation/create")
                    assert await status_of(c, uri) == "awaiting_confirmation"


async def test_mutant_resource_update_after_unsubscribe() -> None:
    gate = Gate()
    async with running_agents(mutant="resource-update-after-unsubscribe", hooks=gate.hooks()) as url, \
            RawClient(url) as c:
        with anyio.fail_after(15):
            await c.open()
            async with get_stream(c) as g:
                await g.next()
                body = travel(c)
                async with c.post(body) as s:
                    uri = await subscribed_booking(c, gate, g, body, s)
                    assert method_of(await next_message(g)) == UPDATED
                    assert (await c.call("resources/unsubscribe", {"uri": uri}))["result"] == {}
                    ask = await s.read_until(lambda e: method_of(e) == "elicitation/create")
                    await c.answer(ask.msg["id"], answer("confirmed"))
                    await s.read_until(lambda e: is_response(e, body["id"]))
                async with c.post(travel(c, "Riga")) as s2:  # sentinel: a new booking's list_changed
                    await next_message(s2)
                    late = await next_message(g)
                assert late.msg["method"] == UPDATED and late.msg["params"]["uri"] == uri  # the bug


@pytest.mark.parametrize("revision", [V2025, V2026])
async def test_mutant_resource_unknown_empty(revision: str) -> None:
    async with running_agents(mutant="resource-unknown-empty") as url, RawClient(url, revision=revision) as c:
        with anyio.fail_after(10):
            await c.open()
            r = await c.call("resources/read", {"uri": "travel://bookings/nope"})
    assert r["result"]["contents"] == []  # the bug: empty contents, not -32602


async def test_mutant_resource_lost_on_restart(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path / 'agents.db'}"
    args = ("--store", store, "--mutant", "resource-lost-on-restart")
    async with spawn_agents(*args) as (url, proc):
        async with RawClient(url) as c:
            with anyio.fail_after(15):
                await c.open()
                uri = await booking_until(c, "confirmed")
                assert await status_of(c, uri) == "confirmed"
        await sigkill(proc)
    async with spawn_agents(*args) as (url2, _), RawClient(url2, revision=V2026) as fresh:
        with anyio.fail_after(10):
            r = await fresh.call("resources/read", {"uri": uri})
    assert r["error"]["code"] == -32602  # the bug: the confirmed booking is gone


async def existing_booking(c: RawClient, destination: str = "Tallinn") -> tuple[str, dict[str, Any]]:
    """2026: round one of a booking (it ends input_required, the booking awaits confirmation);
    returns its URI and the tools/call params that finish it."""
    body = travel(c, destination)
    async with c.post(body) as s:
        events = await s.read_all()
    uri = uri_from_progress(next(e for e in events if method_of(e) == "notifications/progress"))
    state = next(e for e in events if is_response(e, body["id"])).msg["result"]["requestState"]
    finish = {"name": "travel_agent", "arguments": {"destination": destination}, "requestState": state,
              "inputResponses": {"confirm_price": answer("confirmed")}}
    return uri, finish


async def test_mutant_listen_no_ack() -> None:
    async with running_agents(mutant="listen-no-ack") as url, RawClient(url, revision=V2026) as c:
        with anyio.fail_after(10):
            uri, _ = await existing_booking(c)
            async with listen(c, {"resourceSubscriptions": [uri]}) as (s, sub_id):
                first = await s.next()
                assert first is not None and method_of(first) == UPDATED  # the bug: an update before the ack
                second = await s.next()
                assert second is not None and method_of(second) == ACK and stamped(second, sub_id)


async def test_mutant_listen_unrequested() -> None:
    async with running_agents(mutant="listen-unrequested") as url, RawClient(url, revision=V2026) as c:
        with anyio.fail_after(10):
            uri, finish = await existing_booking(c)
            async with listen(c, {"resourceSubscriptions": [uri]}) as (s, sub_id):
                ack = await s.next()
                assert ack is not None and ack.msg["params"]["notifications"] == {"resourceSubscriptions": [uri]}
                await existing_booking(c, "Riga")  # another booking: list_changed and updates, none requested
                await c.call("tools/call", finish)  # then the requested update: uri confirmed
                nxt = await s.next()
    assert nxt is not None and stamped(nxt, sub_id)
    assert method_of(nxt) == LIST_CHANGED  # the bug: a type the stream did not ask for (clean: the update)
