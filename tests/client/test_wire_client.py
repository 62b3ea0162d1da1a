"""The recording client against the reference agents on both revisions, and against a stream
that never ends (the deadline ends it, never a hang)."""

from __future__ import annotations

import anyio
import pytest

from harness.client.answers import Answers
from harness.client.factory import wire_client
from harness.history import Answer, End, History, SseEvent
from harness.revisions import Revision
from reference_agents.server import running_agents

pytestmark = pytest.mark.anyio


async def test_2025_travel_decline_recorded_in_full():
    async with running_agents(retry_ms=50) as url:
        h = History()
        async with wire_client(url, h, revision=Revision.R2025, answers=Answers(elicitation="decline")) as c:
            await c.open()
            assert c.session_id
            out = await c.call_tool("travel_agent", {"destination": "Oslo"}, progress_token="tok", deadline=10)
    assert out.ended == "eof" and "cancelled by the user" in out.result["content"][0]["text"]
    evs = [e for e in h.of(SseEvent) if e.x == out.exchanges[0]]
    assert evs[0].id and evs[0].data == "" and evs[0].retry == 50
    progress = [e.message["params"] for e in evs if (e.message or {}).get("method") == "notifications/progress"]
    assert progress and all(p["progressToken"] == "tok" for p in progress)
    assert [a.script for a in h.of(Answer)] == ["decline"]


async def test_2025_cut_then_resume_gets_the_rest():
    async with running_agents() as url:
        h = History()
        async with wire_client(url, h, revision=Revision.R2025) as c:
            await c.open()
            cut = await c.call_tool("long_running_agent", {"steps": 4}, progress_token="p", cut_after=3)
            assert cut.ended == "cut" and cut.response is None and len(cut.events) == 3
            rest = await c.resume(cut.stream, cut.last_event_id, deadline=10)
            mid = await c.call_tool("long_running_agent", {"steps": 4}, progress_token="q", cut_after=2,
                                    cut_mid_event=True)
    assert rest.result is not None and rest.status == 200
    assert mid.ended == "cut" and "mid-event" in h.end(mid.exchanges[0]).detail


async def test_2026_mrtr_rounds_and_tampered_state():
    async with running_agents() as url:
        h = History()
        async with wire_client(url, h, revision=Revision.R2026,
                              answers=Answers(elicitation="accept", elicitation_content={"confirm": True})) as c:
            await c.open()
            ok = await c.call_tool("travel_agent", {"destination": "Rome"})
            bad = await c.call_tool("travel_agent", {"destination": "Rome"}, tamper_request_state=True)
    assert len(ok.exchanges) == 2 and "Booked" in ok.result["content"][0]["text"]
    assert bad.error is not None
    assert [a.request_id for a in h.of(Answer)] == ["confirm_price", "confirm_price"]


async def test_a_stream_that_never_ends_is_ended_by_the_deadline():
    async def endless(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\nid: 1\ndata: \n\n")
        await writer.drain()
        await anyio.sleep(30)

    import asyncio

    server = await asyncio.start_server(endless, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        h = History()
        async with wire_client(f"http://127.0.0.1:{port}/mcp", h, revision=Revision.R2025) as c:
            with anyio.fail_after(5):
                out = await c.call("tools/call", {"name": "x"}, deadline=0.5)
        assert out.ended == "timeout" and len(out.events) == 1
        assert h.of(End)[-1].reason == "timeout"
    finally:
        server.close()
