"""The hostile server alone: each behaviour, seen with raw httpx or a raw socket, does what it says."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest

from hostile.server import BEHAVIOURS, HOSTILE, Settings, hostile_server, url_for

CALL = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "t", "arguments": {}, "_meta": {"progressToken": "p"}}}
HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


@pytest.fixture
async def base() -> AsyncIterator[str]:
    async with hostile_server(Settings(slow_interval=0.05, tick=0.01, huge_event_bytes=2 * 1024 * 1024)) as b:
        yield b


async def first_bytes(client: httpx.AsyncClient, url: str, n: int, body: Any = CALL,
                      until: bytes | None = None) -> tuple[int, str, bytes]:
    async with client.stream("POST", url, json=body, headers=HEADERS) as resp:
        got = b""
        async for chunk in resp.aiter_raw():
            got += chunk
            if len(got) >= n or (until is not None and got.endswith(until)):
                break
        return resp.status_code, resp.headers.get("content-type", ""), got


async def raw_exchange(url: str, body: Any = CALL, *, limit: int = 1 << 20) -> bytes:
    """Send one POST on a raw socket and read what comes back until EOF or `limit` bytes."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    reader, writer = await asyncio.open_connection(host, int(port))
    data = json.dumps(body).encode()
    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
    got = b""
    while len(got) < limit and (chunk := await reader.read(65536)):
        got += chunk
    writer.close()
    return got


def events(raw: bytes) -> list[dict[str, str]]:
    out = []
    for block in raw.decode("utf-8", "replace").split("\n\n"):
        ev: dict[str, str] = {}
        for line in block.split("\n"):
            if ":" in line and not line.startswith(":"):
                k, v = line.split(":", 1)
                ev[k] = ev.get(k, "") + v.strip()
        if ev:
            out.append(ev)
    return out


@pytest.mark.anyio
async def test_at_least_fifteen_hostile_behaviours() -> None:
    assert len(HOSTILE) >= 16
    assert set(HOSTILE) <= set(BEHAVIOURS)


@pytest.mark.anyio
@pytest.mark.parametrize("behaviour", HOSTILE)
async def test_handshake_is_plausible_for_every_behaviour(base: str, behaviour: str) -> None:
    init = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25"}}
    with anyio.fail_after(5):
        async with httpx.AsyncClient(timeout=3) as c:
            r = await c.post(url_for(base, behaviour), json=init, headers=HEADERS)
            assert r.status_code == 200 and r.json()["result"]["protocolVersion"] == "2025-11-25"
            assert r.headers["mcp-session-id"]
            n = await c.post(url_for(base, behaviour), json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                             headers=HEADERS)
            assert n.status_code == 202
            d = await c.post(url_for(base, behaviour), headers=HEADERS,
                             json={"jsonrpc": "2.0", "id": 1, "method": "server/discover"})
            assert "2026-07-28" in d.json()["result"]["supportedVersions"]


@pytest.mark.anyio
async def test_init_variant_applies_the_behaviour_to_initialize(base: str) -> None:
    init = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {}}
    with anyio.fail_after(5):
        async with httpx.AsyncClient(timeout=3) as c:
            r = await c.post(url_for(base, "html-500", on_init=True), json=init, headers=HEADERS)
    assert r.status_code == 500 and "text/html" in r.headers["content-type"]


@pytest.mark.anyio
@pytest.mark.parametrize("behaviour", ["sse-never-ends", "keepalive-only", "no-newline", "request-flood"])
async def test_endless_streams_keep_sending(base: str, behaviour: str) -> None:
    with anyio.fail_after(5):
        async with httpx.AsyncClient(timeout=3) as c:
            status, ctype, got = await first_bytes(c, url_for(base, behaviour), 500 if "keep" in behaviour else 20_000)
    assert status == 200 and ctype == "text/event-stream"
    if behaviour == "keepalive-only":
        assert set(got.split(b"\n\n")) <= {b": keepalive", b""}
    elif behaviour == "no-newline":
        assert b"\n" not in got[:-1].split(b"\r\n\r\n")[-1]
    elif behaviour == "sse-never-ends":
        evs = events(got)
        assert len(evs) > 5 and all("result" not in e.get("data", "") for e in evs)
    else:
        assert got.count(b'"method": "elicitation/create"') > 50


@pytest.mark.anyio
async def test_huge_event_is_one_event_of_the_configured_size(base: str) -> None:
    with anyio.fail_after(10):
        async with httpx.AsyncClient(timeout=3) as c:
            _, _, got = await first_bytes(c, url_for(base, "huge-event"), 3 * 1024 * 1024, until=b'"}}\n\n')
    evs = events(got)
    assert len(evs) == 2 and len(evs[1]["data"]) > 2 * 1024 * 1024


@pytest.mark.anyio
async def test_finite_sse_behaviours(base: str) -> None:
    with anyio.fail_after(10):
        async with httpx.AsyncClient(timeout=3) as c:
            got = {b: (await c.post(url_for(base, b), json=CALL, headers=HEADERS)).content
                   for b in ("invalid-json", "wrong-id", "non-utf8", "duplicate-event-ids", "unsolicited-response",
                             "ok", "many-events")}
    with pytest.raises(ValueError):
        json.loads(events(got["invalid-json"])[1]["data"])
    assert json.loads(events(got["wrong-id"])[1]["data"])["id"] == "wrong-7"
    with pytest.raises(UnicodeDecodeError):
        got["non-utf8"].decode("utf-8")
    dup = events(got["duplicate-event-ids"])
    assert [e["id"] for e in dup] == ["dup-1"] * 5
    assert json.loads(events(got["unsolicited-response"])[1]["data"])["id"] == 987654321
    okev = events(got["ok"])
    assert [json.loads(e["data"]).get("id") for e in okev[1:]] == [None, None, None, 7]
    assert len(events(got["many-events"])) == 10_002


@pytest.mark.anyio
async def test_wrong_content_type_html_500_and_redirect(base: str) -> None:
    with anyio.fail_after(5):
        async with httpx.AsyncClient(timeout=3) as c:
            wct = await c.post(url_for(base, "wrong-content-type"), json=CALL, headers=HEADERS)
            h5 = await c.post(url_for(base, "html-500"), json=CALL, headers=HEADERS)
            rl = await c.post(url_for(base, "redirect-loop"), json=CALL, headers=HEADERS)
            with pytest.raises(httpx.TooManyRedirects):
                await c.post(url_for(base, "redirect-loop"), json=CALL, headers=HEADERS, follow_redirects=True)
    assert wct.headers["content-type"] == "text/plain" and wct.json()["id"] == 7
    assert h5.status_code == 500 and h5.text.startswith("<html>")
    assert rl.status_code == 307 and rl.headers["location"] == "/mcp/redirect-loop"


@pytest.mark.anyio
async def test_close_mid_headers(base: str) -> None:
    with anyio.fail_after(5):
        assert await raw_exchange(url_for(base, "close-mid-headers")) == b"HTTP/1.1 200 OK\r\nContent-Type: text/ev"
        async with httpx.AsyncClient(timeout=3) as c:
            with pytest.raises(httpx.RemoteProtocolError):
                await c.post(url_for(base, "close-mid-headers"), json=CALL, headers=HEADERS)


@pytest.mark.anyio
async def test_slowloris_sends_one_byte_per_interval(base: str) -> None:
    host, port = base.split("//")[1].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    data = json.dumps(CALL).encode()
    writer.write(b"POST /mcp/slowloris HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(data) + data)
    sizes = []
    with anyio.fail_after(5):
        for _ in range(4):
            sizes.append(len(await reader.read(65536)))
    writer.close()
    assert sizes == [1, 1, 1, 1]


@pytest.mark.anyio
async def test_huge_content_length_sends_headers_only(base: str) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(3, read=0.3)) as c:
        with anyio.fail_after(5):
            async with c.stream("POST", url_for(base, "huge-content-length"), json=CALL, headers=HEADERS) as r:
                assert r.headers["content-length"] == str(2 * 1024 ** 3)
                with pytest.raises(httpx.ReadTimeout):
                    await r.aread()


@pytest.mark.anyio
async def test_stop_ends_held_connections() -> None:
    """Leaving the context manager ends every behaviour still playing (no leaked tasks)."""
    with anyio.fail_after(5):
        async with hostile_server(Settings(tick=0.01)) as b:
            async with httpx.AsyncClient(timeout=3) as c:
                async with c.stream("POST", url_for(b, "huge-content-length"), json=CALL, headers=HEADERS):
                    pass
                await first_bytes(c, url_for(b, "keepalive-only"), 100)
