"""The SDK-driven client (harness/client/sdk.py): the official SDK's Client, recorded exchange by
exchange into the same History, so the same checks judge what a real SDK user saw."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import anyio
import pytest

from harness.checks import run_checks
from harness.client.answers import Answers
from harness.client.factory import wire_client
from harness.client.sdk import SdkClient
from harness.history import Answer, End, History, Meta, Request, SseEvent
from harness.proxy.client import embedded_proxy
from harness.revisions import Revision
from reference_agents.server import running_agents

pytestmark = pytest.mark.anyio


def _status(h: History, requirement: str) -> str:
    return next(v.status for v in run_checks(h) if v.requirement == requirement)


async def test_2025_sdk_reconnects_by_itself_and_the_history_shows_the_resume():
    async with running_agents(retry_ms=20) as url, embedded_proxy() as proxy:
        up = urlsplit(url)
        model = await proxy.create_proxy("sdk", upstream=up.netloc)
        h = History()
        h.append(Meta(scenario="sdk-test", revision=Revision.R2025.value))
        async with SdkClient(f"http://{model.listen}{up.path}", h, revision=Revision.R2025, timeout=10) as c:
            assert c.session_id
            twin = await c.call_tool("long_running_agent", {"steps": 4})
            await proxy.add_toxic("sdk", "faultline.sse_cut", {"events": 3, "times": 1})
            cut = await c.call_tool("long_running_agent", {"steps": 4})
    assert twin.error is None and cut.error is None, (twin.error, cut.error)
    assert cut.result["content"] == twin.result["content"]
    resumes = [r for r in h.of(Request) if r.purpose == "resume"]
    assert len(resumes) == 1 and resumes[0].method == "GET" and resumes[0].stream.startswith("post:")
    assert any(e.reason in ("error", "reset") for e in h.of(End))  # the cut, as the SDK saw it
    for req in ("http.resume.no-gaps", "http.resume.no-duplicates", "http.post.eventually-response"):
        assert _status(h, req) == "PASS", req


async def test_2025_sdk_answers_elicitation_from_the_script_and_records_it():
    async with running_agents() as url:
        h = History()
        async with SdkClient(url, h, revision=Revision.R2025, answers=Answers(elicitation="decline")) as c:
            out = await c.call_tool("travel_agent", {"destination": "Oslo"})
    assert out.error is None and "cancelled by the user" in out.result["content"][0]["text"]
    (answer,) = h.of(Answer)
    assert answer.script == "decline" and answer.method == "elicitation/create"
    assert answer.x is not None  # the exchange the server's request arrived on
    asked = [e for e in h.of(SseEvent) if (e.message or {}).get("method") == "elicitation/create"]
    assert asked and asked[0].x == answer.x
    assert any(r.purpose == "answer" for r in h.of(Request))


async def test_2026_sdk_runs_the_mrtr_loop_and_the_retry_is_recorded():
    async with running_agents() as url:
        h = History()
        async with SdkClient(url, h, revision=Revision.R2026,
                             answers=Answers(elicitation="accept", elicitation_content={"confirm": True})) as c:
            out = await c.call_tool("travel_agent", {"destination": "Rome"})
    assert out.error is None and "Booked" in out.result["content"][0]["text"]
    calls = [r for r in h.of(Request) if r.purpose == "call" and r.body["method"] == "tools/call"]
    assert len(calls) == 2 and "inputResponses" in calls[1].body["params"]
    assert all(r.headers.get("mcp-protocol-version") == Revision.R2026.value for r in calls)
    assert not any(r.purpose == "initialize" for r in h.of(Request))


async def test_sdk_failure_is_an_outcome_within_the_deadline_never_a_raise():
    async def silent(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.Event().wait()  # never answers; the client's deadline must end it

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        h = History()
        with anyio.fail_after(10):
            with pytest.raises(Exception):  # noqa: B017 - the SDK decides the type; the runner makes it ERROR
                async with SdkClient(f"http://127.0.0.1:{port}/mcp", h, revision=Revision.R2025, timeout=0.5):
                    pass
        assert any(isinstance(r, End) and r.reason == "timeout" for r in h.records)
    finally:
        server.close()


async def test_wire_client_closes_a_stream_held_open_after_the_response():
    body = (b'id: 1\ndata: \n\nid: 2\ndata: {"jsonrpc":"2.0","id":1,"result":{"content":[]}}\n\n')

    async def held(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n" + body)
        await writer.drain()
        await asyncio.Event().wait()

    server = await asyncio.start_server(held, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        h = History()
        h.append(Meta(scenario="held", revision=Revision.R2026.value))
        async with wire_client(f"http://127.0.0.1:{port}/mcp", h, revision=Revision.R2026, grace=0.2) as c:
            with anyio.fail_after(5):
                out = await c.call("tools/call", {"name": "x", "arguments": {}}, deadline=3)
        assert out.ended == "held-open" and out.result == {"content": []}
        v = next(v for v in run_checks(h) if v.requirement == "http.post.response-terminates")
        assert v.status == "WARN" and len(v.witness) == 2
    finally:
        server.close()
