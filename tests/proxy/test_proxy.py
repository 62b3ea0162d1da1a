"""The proxy's API and each classic toxic's observable effect, against the embedded proxy or the real
Toxiproxy at TOXIPROXY_URL; the embedded proxy's own refusals and capabilities."""

from __future__ import annotations

import asyncio
import time

import anyio
import httpx
import pytest
from conftest import embedded_behaviour, needs_faultline_toxics
from proxy_servers import port_of

from harness.proxy.attributes import (
    CATALOGUE,
    Bandwidth,
    Latency,
    LimitData,
    ResetPeer,
    Slicer,
    SlowClose,
    Timeout,
)
from harness.proxy.client import ProxyApiError

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


async def test_api_create_list_toxics_reset_delete(px, name, echo):
    async with httpx.AsyncClient(base_url=px.api_url, timeout=5) as api:
        r = await api.get("/version")
        assert r.status_code == 200 and r.json() == {"version": "2.12.0"}
        r = await api.post("/proxies", json={"name": name, "upstream": f"127.0.0.1:{echo}", "listen": "127.0.0.1:0"})
        assert r.status_code == 201 and port_of(r.json()["listen"]) > 0 and r.json()["toxics"] == []
        r = await api.post("/proxies", json={"name": name, "upstream": f"127.0.0.1:{echo}"})
        assert (r.status_code, r.json()) == (409, {"error": "proxy already exists", "status": 409})
        r = await api.post(f"/proxies/{name}/toxics", json={"type": "latency", "attributes": {"latency": 5}})
        assert r.status_code == 200 and r.json()["name"] == "latency_downstream"
        assert (await api.post(f"/proxies/{name}/toxics", json={"type": "latency"})).status_code == 409
        await px.add_toxic(name, Latency(latency=1), stream="upstream")
        toxics = (await px.get_proxy(name)).toxics
        assert [(t.name, t.stream) for t in toxics] == [("latency_upstream", "upstream"),
                                                       ("latency_downstream", "downstream")]  # upstream first
        assert toxics[1].typed() == Latency(latency=5)
        assert (await api.post("/reset")).status_code == 204
        assert (await api.get(f"/proxies/{name}/toxics")).json() == []
        assert (await api.delete(f"/proxies/{name}")).status_code == 204
        with pytest.raises(ProxyApiError, match="proxy not found"):
            await px.get_proxy(name)


async def test_latency_limit_data_slicer_reset_peer_timeout_and_disable(px, name, echo):
    p = await px.create_proxy(name, f"127.0.0.1:{echo}")
    port = port_of(p.listen)
    assert await roundtrip(port, b"hello") == b"hello"
    async with px.toxic(name, Latency(latency=150)):
        t0 = time.monotonic()
        assert await roundtrip(port, b"slow") == b"slow"
        assert time.monotonic() - t0 >= 0.14
    async with px.toxic(name, LimitData(bytes=3)):
        assert await roundtrip(port, b"abcdef") == b"abc"
    async with px.toxic(name, Slicer(average_size=2, size_variation=1, delay=10)):
        assert await roundtrip(port, b"0123456789" * 5) == b"0123456789" * 5
    async with px.toxic(name, ResetPeer(timeout=0)):
        with pytest.raises((ConnectionResetError, ConnectionError, asyncio.IncompleteReadError)):
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(b"x")
            await w.drain()
            with anyio.fail_after(3):
                data = await r.read(10)
                if not data:
                    raise ConnectionError("closed")
    r, w = await asyncio.open_connection("127.0.0.1", port)
    await px.add_toxic(name, Timeout(timeout=0))
    w.write(b"lost")
    await w.drain()
    with anyio.move_on_after(0.3):  # absence: nothing may come back while the toxic holds
        assert await r.read(10) == b"", "the timeout toxic let data through"
    await px.remove_toxic(name, "timeout_downstream")
    with anyio.fail_after(3):
        assert await r.read(10) == b""  # removal closed the blackholed connection
    await px.set_enabled(name, False)
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    await px.set_enabled(name, True)
    assert await roundtrip(port, b"back") == b"back"


async def test_bandwidth_and_slow_close(px, name, echo):
    p = await px.create_proxy(name, f"127.0.0.1:{echo}")
    port = port_of(p.listen)
    async with px.toxic(name, Bandwidth(rate=20)):  # 20 KB/s: 8 KB take >= 0.3 s
        t0 = time.monotonic()
        assert await roundtrip(port, b"b" * 8000) == b"b" * 8000
        assert time.monotonic() - t0 >= 0.3
    async with px.toxic(name, SlowClose(delay=200), stream="upstream"):
        r, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(b"bye")
        await w.drain()
        w.write_eof()
        t0 = time.monotonic()
        with anyio.fail_after(3):
            while await r.read(100):
                pass
        assert time.monotonic() - t0 >= 0.19


async def test_a_timeout_toxic_closes_after_its_timeout_without_data(px, name, echo):
    p = await px.create_proxy(name, f"127.0.0.1:{echo}")
    await px.add_toxic(name, Timeout(timeout=200), stream="upstream")
    r, w = await asyncio.open_connection("127.0.0.1", port_of(p.listen))
    t0 = time.monotonic()
    try:
        for _ in range(3):  # each dropped chunk starts the wait again
            await anyio.sleep(0.1)
            w.write(b"x")
            await w.drain()
        with anyio.fail_after(3):
            assert await r.read(10) == b""
    finally:
        w.close()
    assert time.monotonic() - t0 >= 0.45


async def test_limit_data_counts_across_an_update(px, name, echo):
    p = await px.create_proxy(name, f"127.0.0.1:{echo}")
    await px.add_toxic(name, LimitData(bytes=10), name="limit")
    r, w = await asyncio.open_connection("127.0.0.1", port_of(p.listen))
    try:
        with anyio.fail_after(3):
            w.write(b"abcdef")
            assert await r.readexactly(6) == b"abcdef"
            await px.update_toxic(name, "limit", LimitData(bytes=8))  # 6 of the 8 are sent already
            w.write(b"ghijk")
            assert await r.read(100) == b"gh"
            assert await r.read(100) == b""
    finally:
        w.close()


async def test_bandwidth_rate_zero_holds_until_removed(px, name, echo):
    p = await px.create_proxy(name, f"127.0.0.1:{echo}")
    await px.add_toxic(name, Bandwidth(rate=0), name="freeze")
    r, w = await asyncio.open_connection("127.0.0.1", port_of(p.listen))
    try:
        w.write(b"frozen")
        with anyio.move_on_after(0.3):  # absence: held while the toxic is there
            assert await r.read(10) == b"", "rate 0 let data through"
        await px.remove_toxic(name, "freeze")
        with anyio.fail_after(3):
            assert await r.read(10) == b"frozen"
    finally:
        w.close()


@embedded_behaviour("bandwidth `rate` < 0")
@needs_faultline_toxics
async def test_embedded_refusals_and_capabilities(px, name, echo):
    async with httpx.AsyncClient(base_url=px.api_url, timeout=5) as api:
        await px.create_proxy(name, f"127.0.0.1:{echo}")
        cases = [
            ("POST", "/proxies", {"name": "r", "upstream": "x:1", "listen": "10.1.2.3:0"}, 400, "not a loopback"),
            ("POST", f"/proxies/{name}/toxics", {"type": "slicer", "attributes": {"average_size": 0}}, 400,
             "average_size"),
            ("POST", f"/proxies/{name}/toxics", {"type": "bandwidth", "attributes": {"rate": -1}}, 400, "negative"),
            ("POST", f"/proxies/{name}/toxics", {"type": "faultline.http_drop", "attributes": {"mode": "x"}}, 400,
             "attributes.mode"),
        ]
        for method, path, body, status, needle in cases:
            r = await api.request(method, path, json=body)
            assert r.status_code == status and needle in r.json()["error"], (body, r.text)
            assert r.headers["content-type"] == "text/plain; charset=utf-8"  # as Toxiproxy sends errors
        r = await api.get("/faultline")
        assert r.json()["server"] == "faultline" and set(r.json()["toxics"]) == set(CATALOGUE)
    caps = await px.capabilities()
    assert caps.embedded and caps.supports("faultline.sse_cut")
