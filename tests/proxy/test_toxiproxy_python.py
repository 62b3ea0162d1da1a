"""The PyPI client `toxiproxy-python` drives the proxy under test (the embedded server, or the real
Toxiproxy at TOXIPROXY_URL) through its whole API, with the effects observable on proxied traffic."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from conftest import REAL, TOXIPROXY_URL
from proxy_servers import echo_handler
from toxiproxy import Toxiproxy

from harness.proxy.api import ApiServer


@pytest.fixture
def server() -> Iterator[tuple[str, int, int]]:
    """(API host, API port, echo port), served from a background event loop (the client is synchronous)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    ports: dict[str, int] = {}
    api = ApiServer("127.0.0.1", 0)
    servers: list[asyncio.Server] = []

    async def start() -> None:
        if not REAL:
            await api.start()
        e = await asyncio.start_server(echo_handler, "127.0.0.1", 0)
        servers.append(e)
        ports["api"], ports["echo"] = api.port, e.sockets[0].getsockname()[1]
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    assert ready.wait(10)
    if REAL:
        url = urlsplit(TOXIPROXY_URL)
        yield url.hostname or "127.0.0.1", url.port or 8474, ports["echo"]
    else:
        yield "127.0.0.1", ports["api"], ports["echo"]

    async def stop() -> None:  # everything ends with the loop, nothing after it
        if not REAL:
            await api.stop()
        for e in servers:
            e.close()

    asyncio.run_coroutine_threadsafe(stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


TOXICS = [
    ("latency", {"latency": 100, "jitter": 0}),
    ("bandwidth", {"rate": 100}),
    ("slow_close", {"delay": 10}),
    ("timeout", {"timeout": 1000}),
    ("reset_peer", {"timeout": 10}),
    ("slicer", {"average_size": 4, "size_variation": 1, "delay": 10}),
    ("limit_data", {"bytes": 100}),
]


def roundtrip(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        got = b""
        while len(got) < len(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def test_toxiproxy_python_whole_api(server):
    host, api_port, echo_port = server
    name = f"echo-{uuid.uuid4().hex[:6]}"
    t = Toxiproxy()
    t.update_api_consumer(host, api_port)
    assert t.running(), f"no Toxiproxy API at {host}:{api_port}"
    assert b"2.12.0" in t.version()
    proxy = t.create(upstream=f"127.0.0.1:{echo_port}", name=name)
    try:
        assert name in t.proxies() and t.get_proxy(name).upstream == f"127.0.0.1:{echo_port}"
        port = int(proxy.listen.rsplit(":", 1)[1])
        assert roundtrip(port, b"ping") == b"ping"
        for kind, attrs in TOXICS:
            proxy.add_toxic(type=kind, attributes=attrs)
            assert kind in {x.type for x in proxy.toxics().values()}
            if kind == "latency":
                t0 = time.monotonic()
                assert roundtrip(port, b"slow") == b"slow"
                assert time.monotonic() - t0 >= 0.09
            proxy.destroy_toxic(f"{kind}_downstream")
            assert not proxy.toxics()
        proxy.disable()
        with pytest.raises(OSError):
            roundtrip(port, b"down")
        proxy.enable()
        assert roundtrip(port, b"up") == b"up"
        proxy.add_toxic(type="latency", attributes={"latency": 10})
        t.reset()
        assert not t.get_proxy(name).toxics()
    finally:
        t.destroy(proxy)
    assert name not in t.proxies()
