"""Faultline's own toxics (faultline.sse_cut, sse_stall, http_drop, embedded proxy only) and the
HTTP/SSE framing they share."""

from __future__ import annotations

import asyncio
import random

import anyio
import httpx
import pytest
from conftest import needs_faultline_toxics
from proxy_servers import port_of

from harness.proxy.attributes import HttpDrop, SseCut, SseStall
from harness.proxy.toxics.framing import HttpFraming, SseEvents
from mcp_wire.sse import SseParser

pytestmark = pytest.mark.anyio


async def sse_events_through(port: int) -> int:
    async with httpx.AsyncClient(timeout=5) as c:
        parser, count = SseParser(), 0
        try:
            async with c.stream("GET", f"http://127.0.0.1:{port}/sse") as resp:
                async for chunk in resp.aiter_raw():
                    count += len(parser.feed(chunk))
        except httpx.HTTPError:
            pass
        return count


@needs_faultline_toxics
async def test_sse_cut_after_exactly_n_events_twenty_runs_each(px, name, sse_server):
    p = await px.create_proxy(name, f"127.0.0.1:{sse_server}")
    port = port_of(p.listen)
    assert await sse_events_through(port) == 8
    for n in range(1, 6):
        async with px.toxic(name, SseCut(events=n)):
            got = [await sse_events_through(port) for _ in range(20)]
        assert got == [n] * 20, (n, got)
    events = await px.events(name)
    assert any("cut after 5 events" in e["event"] for e in events)


@needs_faultline_toxics
async def test_sse_cut_times_and_inside_an_event_and_stall(px, name, sse_server):
    p = await px.create_proxy(name, f"127.0.0.1:{sse_server}")
    port = port_of(p.listen)
    async with px.toxic(name, SseCut(events=2, offset=5)):
        assert await sse_events_through(port) == 2
    async with px.toxic(name, SseCut(events=1, times=1)):
        assert [await sse_events_through(port) for _ in range(3)] == [1, 8, 8]
    await px.add_toxic(name, SseStall(events=3))
    async with anyio.create_task_group() as tg:
        result: list[int] = []

        async def read() -> None:
            result.append(await sse_events_through(port))

        tg.start_soon(read)
        await anyio.sleep(0.3)
        assert not result  # held after 3 events
        await px.remove_toxic(name, "faultline.sse_stall_downstream")
    assert result == [8]


@needs_faultline_toxics
async def test_http_drop_counts_requests_upstream_and_responses_downstream(px, name, echo, keep_alive_server):
    p = await px.create_proxy(name, f"127.0.0.1:{echo}")
    port = port_of(p.listen)

    async def echoed(payload: bytes) -> bytes:
        r, w = await asyncio.open_connection("127.0.0.1", port)
        try:
            w.write(payload)
            with anyio.fail_after(3):
                return await r.read(100)
        except ConnectionError:
            return b"reset"
        finally:
            w.close()

    async with px.toxic(name, HttpDrop(requests=2), stream="upstream"):
        got = [await echoed(b"GET / HTTP/1.1\r\n\r\n") for _ in range(3)]
    assert got == [b"", b"", b"GET / HTTP/1.1\r\n\r\n"]
    await px.update_proxy(name, upstream=f"127.0.0.1:{keep_alive_server}")
    r, w = await asyncio.open_connection("127.0.0.1", port)
    request = b"POST /mcp HTTP/1.1\r\nhost: x\r\n\r\n"
    try:
        with anyio.fail_after(3):
            w.write(request)
            assert (await r.readuntil(b"ok")).startswith(b"HTTP/1.1 200")
            await px.add_toxic(name, HttpDrop(requests=1, mode="reset"))  # the next response on this connection
            w.write(request)
            with pytest.raises((ConnectionResetError, asyncio.IncompleteReadError)):
                await r.readuntil(b"ok")
    finally:
        w.close()
    events = [e["event"] for e in await px.events(name)]
    assert any("dropped response 1" in e for e in events) and any("(RST)" in e for e in events), events


# -- the framing, on its own -------------------------------------------------------------------------

def sse_response(n: int, start: int = 0) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    body = b""
    for i in range(start, start + n):
        ev = f"id: {i}\ndata: {{\"n\": {i}}}\n\n".encode()
        body += f"{len(ev):x}\r\n".encode() + ev + b"\r\n"
    return head + body + b"0\r\n\r\n"


JSON_BODY = b'{"a":"\n\n"}'
JSON_RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (
    len(JSON_BODY), JSON_BODY)


def test_sse_events_are_counted_whatever_the_chunking():
    stream = sse_response(3) + JSON_RESPONSE + sse_response(4, 3)
    rng = random.Random(3)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(stream)), rng.randrange(0, 12)))
        sse, seen = SseEvents(), []
        for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True):
            sse.scan(stream[a:b], lambda e, i: False)
            seen.append(sse.events)
        assert sse.events == 7, cuts  # the blank lines inside the JSON body are not SSE
    whole = SseEvents()
    at = whole.scan(stream, lambda e, i: e >= 2 and i == 0)
    assert at is not None and stream[:at].endswith(b'data: {"n": 1}\n\n')


def test_http_framing_finds_requests_and_resyncs_when_joined_mid_message():
    body = b'{"jsonrpc":"2.0"}'
    req = b"POST /mcp HTTP/1.1\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
    framing = HttpFraming("request")
    starts = [m for m in framing.feed(req + req) if m[0] == "start"]
    assert [m[1] for m in starts] == [0, len(req)]
    joined_late = HttpFraming("request")
    assert [m for m in joined_late.feed(b'rpc":"2.0"}') if m[0] == "start"] == [] and joined_late.state == "lost"
    assert [m[1] for m in joined_late.feed(req) if m[0] == "start"] == [0]
