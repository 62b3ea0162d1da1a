"""The proxy under test: the embedded one, or a real Toxiproxy when TOXIPROXY_URL is set (then the
tests that need the faultline.* toxics or embedded-only behaviour are skipped with the reason, and an
unreachable TOXIPROXY_URL fails every test that needs the proxy)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from proxy_servers import echo_handler, eight_sse_events, http_handler, two_bytes_ok

from harness.errors import HarnessError
from harness.proxy import compat
from harness.proxy.client import ProxyApiError, ProxyClient, proxy_from_env

TOXIPROXY_URL = os.environ.get("TOXIPROXY_URL", "")
REAL = bool(TOXIPROXY_URL)
needs_faultline_toxics = pytest.mark.skipif(
    REAL, reason=f"TOXIPROXY_URL={TOXIPROXY_URL}: a real Toxiproxy has no faultline.* toxics")


def embedded_behaviour(topic: str) -> pytest.MarkDecorator:
    """Skip against a real Toxiproxy: it differs here, deliberately (the topic in harness/proxy/compat.py)."""
    assert any(d.topic == topic for d in compat.DIFFERENCES), topic
    return pytest.mark.skipif(REAL, reason=f"TOXIPROXY_URL={TOXIPROXY_URL}: Toxiproxy differs here "
                                           f"(harness/proxy/compat.py: {topic})")


@pytest.fixture
async def px() -> AsyncIterator[ProxyClient]:
    """A client of the proxy under test; the proxies a test creates through it are deleted after it."""
    async with contextlib.AsyncExitStack() as stack:
        try:
            client = await stack.enter_async_context(proxy_from_env())
        except HarnessError as exc:
            pytest.fail(f"TOXIPROXY_URL is set but the proxy cannot be used: {exc}", pytrace=False)
        before = set(await client.list_proxies())
        yield client
        for name in set(await client.list_proxies()) - before:
            with contextlib.suppress(ProxyApiError):  # a name with "/" cannot be addressed in Toxiproxy
                await client.delete_proxy(name)


@pytest.fixture
def name() -> str:
    """A proxy name no other run uses (a real Toxiproxy may be shared)."""
    return f"t-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def echo() -> AsyncIterator[int]:
    """A TCP echo server on loopback; yields its port."""
    server = await asyncio.start_server(echo_handler, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


@pytest.fixture
async def sse_server() -> AsyncIterator[int]:
    """An HTTP/1.1 server answering a request with 8 chunked SSE events (one write per event)."""
    server = await asyncio.start_server(http_handler(eight_sse_events, keep_alive=False), "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


@pytest.fixture
async def keep_alive_server() -> AsyncIterator[int]:
    """An HTTP/1.1 server answering every request of a connection with a 2-byte Content-Length body."""
    server = await asyncio.start_server(http_handler(two_bytes_ok, keep_alive=True), "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
