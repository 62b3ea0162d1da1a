"""With a real Toxiproxy: the client knows it is not the embedded proxy, a faultline.* toxic is
refused before any request, a scenario that needs one is NOT-APPLICABLE (never ERROR); an
unreachable proxy is an error, never taken for a real Toxiproxy. "Real" here is FakeToxiproxy (the
embedded API with the faultline routes and toxics refused): no Toxiproxy binary can be installed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from conftest import REAL
from proxy_servers import FakeToxiproxy

from harness.errors import HarnessError
from harness.history import History
from harness.profiles import REFERENCE
from harness.proxy.attributes import Latency, SseCut
from harness.proxy.client import ExtensionUnavailable, ProxyClient
from harness.revisions import Revision
from harness.runner import PROXY_NAME, Context, RunConfig, run_suite
from harness.targets import UrlTarget
from reference_agents.server import running_agents
from scenarios.api import NotApplicable, select

pytestmark = pytest.mark.anyio


@pytest.fixture
async def fake_toxiproxy() -> AsyncIterator[str]:
    server = FakeToxiproxy("127.0.0.1", 0)
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


async def test_the_client_tells_a_real_toxiproxy_and_refuses_faultline_toxics(fake_toxiproxy, echo):
    requests: list[str] = []

    async def log(request: httpx.Request) -> None:
        requests.append(f"{request.method} {request.url.path}")

    client = ProxyClient(fake_toxiproxy)
    client.http.event_hooks["request"].append(log)
    try:
        caps = await client.capabilities()
        assert not caps.embedded and not client.extensions and caps.supports("latency")
        await client.create_proxy("p", f"127.0.0.1:{echo}")
        requests.clear()
        with pytest.raises(ExtensionUnavailable, match="faultline.sse_cut toxic is a Faultline extension"):
            await client.add_toxic("p", SseCut(events=1))
        assert requests == []  # refused by the client, not by the server
        assert (await client.add_toxic("p", Latency(latency=5), stream="upstream")).stream == "upstream"
    finally:
        await client.aclose()


async def test_an_unreachable_proxy_is_an_error_not_a_real_toxiproxy():
    client = ProxyClient("http://127.0.0.1:9")
    try:
        with pytest.raises(HarnessError, match="unreachable"):
            await client.add_toxic("p", SseCut(events=1))
        with pytest.raises(HarnessError, match="unreachable"):
            await client.reset()
    finally:
        await client.aclose()


async def test_the_runner_turns_a_missing_extension_into_not_applicable(fake_toxiproxy, echo):
    client = ProxyClient(fake_toxiproxy)
    try:
        await client.create_proxy(PROXY_NAME, f"127.0.0.1:{echo}")
        history = History()
        ctx = Context(revision=Revision.R2025, history=history, proxy=client, base_url="http://unused",
                      target=UrlTarget(f"http://127.0.0.1:{echo}/mcp"), profile=REFERENCE, time_scale=1.0,
                      on_restart=lambda: None)
        with pytest.raises(NotApplicable, match="faultline.sse_cut"):
            await ctx.fault("faultline.sse_cut", {"events": 3})
        await ctx.fault("latency", {"latency": 1})  # a classic toxic is fine
        assert [r.toxic["type"] for r in history.records if getattr(r, "action", "") == "add"] == ["latency"]
    finally:
        await client.aclose()


@pytest.mark.timeout(120)
async def test_a_scenario_needing_sse_cut_is_not_applicable_against_a_real_toxiproxy(fake_toxiproxy):
    async with running_agents(step_delay=0.0) as url:
        config = RunConfig(scenarios=select(["network-down-up"]), revisions=(Revision.R2025, Revision.R2026),
                           profile=REFERENCE, proxy=fake_toxiproxy)
        results = await run_suite(UrlTarget(url), config)
    assert [(r.revision, r.status) for r in results] == [("2025-11-25", "NOT-APPLICABLE"),
                                                         ("2026-07-28", "NOT-APPLICABLE")]
    assert all("faultline.sse_cut" in r.reason and "Faultline extension" in r.reason for r in results)


@pytest.mark.skipif(REAL, reason="checks what an unreachable TOXIPROXY_URL does; TOXIPROXY_URL is already set")
def test_the_proxy_tests_fail_when_toxiproxy_url_is_set_but_unreachable():
    tests = Path(__file__).parent
    env = {**os.environ, "TOXIPROXY_URL": "http://127.0.0.1:9"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests / "test_proxy.py"),
                           "-k", "api_create or latency_limit"], capture_output=True, text=True, env=env, timeout=120,
                          cwd=tests.parents[1])
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "2 errors" in proc.stdout and "TOXIPROXY_URL is set but the proxy cannot be used" in proc.stdout
