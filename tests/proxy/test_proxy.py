"""The embedded proxy: API shapes and errors, each toxic's observable effect, the SSE cut."""

from __future__ import annotations

import asyncio
import time

import anyio
import httpx
import pytest

from harness.proxy.client import ExtensionUnavailable, ProxyApiError, ProxyClient, embedded_proxy
from mcp_wire.sse import SseParser

pytestmark = pytest.mark.anyio


async def roundtrip(port: int, payload: bytes, *, timeout: float = 5.0) -> bytes:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    try:
        w.write(payload)
        await w.drain()
        got = b""
        with anyio.fail_after(timeout):
            while len(got) < len(payload):
                chunk = await r.read(65536)
                if not chunk:
                    break
                got += chunk
        return got
    finally:
        w.close()


def port_of(listen: str) -> int:
    return int(listen.rsplit(":", 1)[1])


async def test_api_shapes_and_errors(echo):
    async with embedded_proxy() as px:
        api = httpx.AsyncClient(base_url=px.api_url, timeout=5)
        r = await api.get("/version")
        assert r.status_code == 200 and r.text == '{"version": "2.12.0"}\n'
        r = await api.post("/proxies", json={"name": "e", "upstream": f"127.0.0.1:{echo}", "listen": "127.0.0.1:0"})
        assert r.status_code == 201 and port_of(r.json()["listen"]) > 0 and r.json()["toxics"] == []
        cases = [
            ("POST", "/proxies", {"name": "e", "upstream": f"127.0.0.1:{echo}"}, 409, "proxy already exists"),
            ("POST", "/proxies", {"upstream": "x:1"}, 400, "missing required field: name"),
            ("POST", "/proxies", {"name": "n"}, 400, "missing required field: upstream"),
            ("POST", "/proxies", {"name": "r", "upstream": "x:1", "listen": "10.1.2.3:0"}, 400, "not a loopback"),
            ("GET", "/proxies/nope", None, 404, "proxy not found"),
            ("POST", "/proxies/e/toxics", {"type": "nope"}, 400, "invalid toxic type"),
            ("POST", "/proxies/e/toxics", {"type": "latency", "stream": "sideways"}, 400, "stream was invalid"),
            ("POST", "/proxies/e/toxics", {"type": "slicer", "attributes": {"average_size": 0}}, 400, "average_size"),
            ("POST", "/proxies/e/toxics", {"type": "latency", "attributes": {"latency": "x"}}, 400, "integer"),
            ("POST", "/proxies/e/toxics", {"type": "bandwidth", "attributes": {"rate": -1}}, 400, "negative"),
            ("GET", "/proxies/e/toxics/nope", None, 404, "toxic not found"),
        ]
        for method, path, body, status, needle in cases:
            r = await api.request(method, path, json=body)
            assert r.status_code == status and r.json()["status"] == status and needle in r.json()["error"], (path, r.text)
        r = await api.post("/proxies", content=b"{not json")
        assert r.status_code == 400 and r.json()["error"].startswith("bad request body")
        r = await api.post("/proxies/e/toxics", json={"type": "latency", "attributes": {"latency": 5}})
        assert r.status_code == 200 and r.json()["name"] == "latency_downstream"
        assert (await api.post("/proxies/e/toxics", json={"type": "latency"})).status_code == 409
        assert (await api.get("/proxies")).json()["e"]["toxics"][0]["attributes"]["latency"] == 5
        r = await api.post("/populate", json=[{"name": "p2", "upstream": f"127.0.0.1:{echo}"}])
        assert r.status_code == 201 and r.json()["proxies"][0]["name"] == "p2"
        assert (await api.post("/populate", json={"a": 1})).status_code == 400
        assert (await api.post("/reset")).status_code == 204
        assert (await api.get("/proxies/e/toxics")).json() == []
        assert (await api.delete("/proxies/p2")).status_code == 204
        assert (await api.get("/nowhere")).status_code == 404
        await api.aclose()


async def test_latency_limit_data_reset_timeout_and_disable(echo):
    async with embedded_proxy() as px:
        p = await px.create_proxy("e", f"127.0.0.1:{echo}")
        port = port_of(p.listen)
        assert await roundtrip(port, b"hello") == b"hello"
        async with px.toxic("e", "latency", {"latency": 150}):
            t0 = time.monotonic()
            assert await roundtrip(port, b"slow") == b"slow"
            assert time.monotonic() - t0 >= 0.14
        async with px.toxic("e", "limit_data", {"bytes": 3}):
            assert await roundtrip(port, b"abcdef") == b"abc"
        async with px.toxic("e", "slicer", {"average_size": 2, "size_variation": 1, "delay": 10}):
            assert await roundtrip(port, b"0123456789" * 5) == b"0123456789" * 5
        async with px.toxic("e", "reset_peer", {"timeout": 0}):
            with pytest.raises((ConnectionResetError, ConnectionError, asyncio.IncompleteReadError)):
                r, w = await asyncio.open_connection("127.0.0.1", port)
                w.write(b"x")
                await w.drain()
                with anyio.fail_after(3):
                    data = await r.read(10)
                    if not data:
                        raise ConnectionError("closed")
        r, w = await asyncio.open_connection("127.0.0.1", port)
        await px.add_toxic("e", "timeout", {"timeout": 0})
        w.write(b"lost")
        await w.drain()
        with anyio.move_on_after(0.3):  # absence: nothing may come back while the toxic holds
            assert await r.read(10) == b"", "the timeout toxic let data through"
        await px.remove_toxic("e", "timeout_downstream")
        with anyio.fail_after(3):
            assert await r.read(10) == b""  # removal closed the blackholed connection
        await px.set_enabled("e", False)
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)
        await px.set_enabled("e", True)
        assert await roundtrip(port, b"back") == b"back"


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


async def test_sse_cut_after_exactly_n_events_twenty_runs_each(sse_server):
    async with embedded_proxy() as px:
        p = await px.create_proxy("s", f"127.0.0.1:{sse_server}")
        port = port_of(p.listen)
        assert await sse_events_through(port) == 8
        for n in range(1, 6):
            async with px.toxic("s", "faultline.sse_cut", {"events": n}):
                got = [await sse_events_through(port) for _ in range(20)]
            assert got == [n] * 20, (n, got)
        events = await px.events("s")
        assert any("cut after 5 events" in e["event"] for e in events)


async def test_sse_cut_inside_an_event_and_stall(sse_server):
    async with embedded_proxy() as px:
        p = await px.create_proxy("s", f"127.0.0.1:{sse_server}")
        port = port_of(p.listen)
        async with px.toxic("s", "faultline.sse_cut", {"events": 2, "offset": 5}):
            assert await sse_events_through(port) == 2
        await px.add_toxic("s", "faultline.sse_stall", {"events": 3})
        async with anyio.create_task_group() as tg:
            result: list[int] = []

            async def read() -> None:
                result.append(await sse_events_through(port))

            tg.start_soon(read)
            await anyio.sleep(0.3)
            assert not result  # held after 3 events
            await px.remove_toxic("s", "faultline.sse_stall_downstream")
        assert result == [8]


async def test_extension_toxics_refused_by_a_real_toxiproxy():
    client = ProxyClient("http://127.0.0.1:9", extensions=False)
    with pytest.raises(ExtensionUnavailable, match="Faultline extension"):
        await client.add_toxic("p", "faultline.sse_cut", {"events": 1})
    with pytest.raises(Exception, match="unreachable"):
        await client.reset()
    await client.aclose()
    async with embedded_proxy() as px:
        with pytest.raises(ProxyApiError, match="proxy not found"):
            await px.get_proxy("none")


async def test_bandwidth_slow_close_and_http_drop(echo):
    async with embedded_proxy() as px:
        p = await px.create_proxy("e", f"127.0.0.1:{echo}")
        port = port_of(p.listen)
        async with px.toxic("e", "bandwidth", {"rate": 20}):  # 20 KB/s: 8 KB take >= 0.3 s
            t0 = time.monotonic()
            assert await roundtrip(port, b"b" * 8000) == b"b" * 8000
            assert time.monotonic() - t0 >= 0.3
        async with px.toxic("e", "slow_close", {"delay": 200}, stream="upstream"):
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(b"bye")
            await w.drain()
            w.write_eof()
            t0 = time.monotonic()
            with anyio.fail_after(3):
                while await r.read(100):
                    pass
            assert time.monotonic() - t0 >= 0.19
        async with px.toxic("e", "faultline.http_drop", {"requests": 2, "mode": "close"}, stream="upstream"):
            got = [await roundtrip(port, b"GET / HTTP/1.1\r\n\r\n") for _ in range(3)]
        assert got[:2] == [b"", b""] and got[2] == b"GET / HTTP/1.1\r\n\r\n"
