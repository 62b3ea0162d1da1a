"""SIGKILL + restart with `--store sqlite:PATH`: a resume with the old session id and Last-Event-ID
recovers the rest of the stream, and bookings stay readable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from agents_wire import V2026, RawClient, is_response, method_of, shape, spawn_agents


async def travel_until_elicitation(c: RawClient, *, accept: bool) -> tuple[dict[str, Any], list[Any]]:
    body = c.request("tools/call", {"name": "travel_agent", "arguments": {"destination": "Tallinn"}},
                     progress_token="k")
    async with c.post(body) as s:
        ask = await s.read_until(lambda e: method_of(e) == "elicitation/create")
        if accept:
            assert await c.answer(ask.msg["id"], {"action": "accept", "content": {"confirm": True}}) == 202
            await s.read_until(lambda e: is_response(e, body["id"]))
        return body, list(s.events)


async def sigkill(proc: Any) -> None:
    proc.kill()
    with anyio.fail_after(5):
        await proc.wait()


@pytest.mark.anyio
async def test_sigkill_restart_resume_recovers_the_rest_of_a_finished_call(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path / 'agents.db'}"
    async with spawn_agents("--store", store) as (url, proc):
        async with RawClient(url) as c:
            with anyio.fail_after(10):
                await c.open()
                body, seen = await travel_until_elicitation(c, accept=True)
            session = c.session_id
        await sigkill(proc)
    booking_uri = seen[1].msg["params"]["message"].split()[1].rstrip(":")
    cut = seen[2]  # pretend the connection died after progress 1
    async with spawn_agents("--store", store) as (url2, _), RawClient(url2) as c2:
        c2.session_id = session
        with anyio.fail_after(10):
            async with c2.resume(cut.id) as r:
                assert r.response.status_code == 200
                rest = await r.read_all()
        assert [shape(e) for e in rest] == [shape(e) for e in seen[3:]]
        assert [e.id for e in rest] == [e.id for e in seen[3:]]
        assert shape(rest[-1]) == "result confirmed"
        async with RawClient(url2, revision=V2026) as fresh:  # and the booking is still there
            with anyio.fail_after(10):
                read = await fresh.call("resources/read", {"uri": booking_uri})
        assert json.loads(read["result"]["contents"][0]["text"])["status"] == "confirmed"


@pytest.mark.anyio
async def test_sigkill_mid_call_resume_gets_the_stored_events_then_an_interrupted_error(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path / 'agents.db'}"
    async with spawn_agents("--store", store, "--step-delay", "0.01") as (url, proc):
        async with RawClient(url) as c:
            with anyio.fail_after(10):
                await c.open()
                body, seen = await travel_until_elicitation(c, accept=False)  # the tool now waits
            session = c.session_id
        await sigkill(proc)
    async with spawn_agents("--store", store) as (url2, _), RawClient(url2) as c2:
        c2.session_id = session
        with anyio.fail_after(10):
            async with c2.resume(seen[1].id) as r:
                rest = await r.read_all()  # ends: never a hang on a request the kill cut short
        assert [shape(e) for e in rest[:-1]] == [shape(e) for e in seen[2:]]
        assert is_response(rest[-1], body["id"]) and rest[-1].msg["error"]["code"] == -32603
        assert "restarted" in rest[-1].msg["error"]["message"]
        async with c2.resume("0000099999-1-1") as r:  # the revived session still refuses unknown ids
            assert r.response.status_code == 400
        # only the streams survived, not the MCP connection: a POST is told to start a new session
        post = await c2.http.post(url2, json=c2.request("tools/list"), headers=c2.headers())
        assert post.status_code == 404
