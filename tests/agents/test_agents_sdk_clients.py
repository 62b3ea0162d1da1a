"""The agents through the SDK's own clients, on both revisions: `mcp.Client(url, mode="legacy")`
(2025-11-25: session, live elicitation/sampling on the call's stream) and `mode="2026-07-28"`
(stateless: InputRequiredResult rounds driven by the client)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import CreateMessageResult, ElicitResult, ErrorData, TextContent

MODES = ["legacy", "2026-07-28"]


def client(url: str, mode: str, **kw: Any) -> Client:
    return Client(url, mode=mode, read_timeout_seconds=10, cache=None, **kw)


def elicit_with(action: str, content: dict[str, Any] | None = None) -> Any:
    async def cb(ctx: Any, params: Any) -> ElicitResult:
        return ElicitResult(action=action, content=content)
    return cb


def sample_with(outcome: str) -> Any:
    async def cb(ctx: Any, params: Any) -> CreateMessageResult | ErrorData:
        if outcome == "reject":
            return ErrorData(code=-1, message="User rejected sampling request")
        if outcome == "error":
            return ErrorData(code=-32603, message="model unavailable")
        return CreateMessageResult(role="assistant", content=TextContent(type="text", text="It is fine."), model="m")
    return cb


def text_of(result: Any) -> str:
    return " ".join(c.text for c in result.content if c.type == "text")


def link_of(result: Any) -> str | None:
    return next((str(c.uri) for c in result.content if c.type == "resource_link"), None)


async def read_json(c: Client, uri: str) -> dict[str, Any]:
    rr = await c.read_resource(uri)
    return json.loads(rr.contents[0].text)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", [*MODES, "auto"])
async def test_travel_accept_books_and_links_resource(agents_url: str, mode: str) -> None:
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(p: float, t: float | None, m: str | None) -> None:
        progress.append((p, t, m))

    with anyio.fail_after(15):
        async with client(agents_url, mode, elicitation_callback=elicit_with("accept", {"confirm": True})) as c:
            r = await c.call_tool("travel_agent", {"destination": "Lima"}, progress_callback=on_progress)
            assert not r.is_error, text_of(r)
            uri = link_of(r)
            assert uri and uri.startswith("travel://bookings/")
            assert r.structured_content["status"] == "confirmed"
            assert (await read_json(c, uri))["status"] == "confirmed"
    values = [p for p, _, _ in progress]
    assert len(values) >= 4 and values == sorted(set(values))
    assert all(t == 5 and m for _, t, m in progress)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("action", "content", "words"), [
    ("decline", None, "declined"), ("cancel", None, "cancelled the confirmation"),
    ("accept", {"confirm": False}, "did not confirm")])
async def test_travel_refusals_are_cancelled_results(agents_url: str, mode: str, action: str,
                                                     content: dict[str, Any] | None, words: str) -> None:
    with anyio.fail_after(15):
        async with client(agents_url, mode, elicitation_callback=elicit_with(action, content)) as c:
            r = await c.call_tool("travel_agent", {"destination": "Quito"})
            assert not r.is_error
            assert "was cancelled by the user" in text_of(r) and words in text_of(r)
            bid = r.structured_content["booking_id"]
            assert (await read_json(c, f"travel://bookings/{bid}"))["status"] == "cancelled"


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_travel_without_elicitation_capability_is_an_immediate_tool_error(agents_url: str, mode: str) -> None:
    progress: list[float] = []

    async def on_progress(p: float, t: float | None, m: str | None) -> None:
        progress.append(p)

    with anyio.fail_after(10):
        async with client(agents_url, mode) as c:
            r = await c.call_tool("travel_agent", {"destination": "Rome"}, progress_callback=on_progress)
    assert r.is_error and "elicitation capability" in text_of(r)
    assert progress == []  # refused before any work


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_research_sampling_success_has_summary_and_report(agents_url: str, mode: str) -> None:
    with anyio.fail_after(15):
        async with client(agents_url, mode, sampling_callback=sample_with("success")) as c:
            r = await c.call_tool("research_agent", {"topic": "tides"})
            assert not r.is_error and "It is fine." in text_of(r)
            uri = link_of(r)
            assert uri and uri.startswith("research://reports/")
            report = await read_json(c, uri)
            assert report["status"] == "done" and report["summary"] == "It is fine."


@pytest.mark.anyio
@pytest.mark.parametrize(("outcome", "words"), [("reject", "rejected the sampling request (-1"),
                                                ("error", "sampling request failed (-32603")])
async def test_research_sampling_refused_legacy_finishes_with_reason(agents_url: str, outcome: str,
                                                                     words: str) -> None:
    with anyio.fail_after(15):
        async with client(agents_url, "legacy", sampling_callback=sample_with(outcome)) as c:
            r = await c.call_tool("research_agent", {"topic": "tides"})
            assert not r.is_error
            assert "summary was unavailable" in text_of(r) and words in text_of(r)
            assert (await read_json(c, link_of(r) or ""))["status"] == "summary_unavailable"


@pytest.mark.anyio
@pytest.mark.parametrize("outcome", ["reject", "error"])
async def test_research_sampling_refused_2026_fails_fast_client_side(agents_url: str, outcome: str) -> None:
    # 2026 (MRTR § Error Handling): a refused input request is simply not retried; the server is
    # not waiting. The SDK client raises at once; nothing hangs on either side.
    with anyio.fail_after(10):
        async with client(agents_url, "2026-07-28", sampling_callback=sample_with(outcome)) as c:
            with pytest.raises(MCPError):
                await c.call_tool("research_agent", {"topic": "tides"})
            r = await c.call_tool("long_running_agent", {"steps": 1})  # the server is still fine
            assert not r.is_error


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_research_without_sampling_capability_says_why(agents_url: str, mode: str) -> None:
    with anyio.fail_after(10):
        async with client(agents_url, mode) as c:
            r = await c.call_tool("research_agent", {"topic": "tides"})
    assert not r.is_error
    assert "summary was unavailable" in text_of(r) and "did not declare the sampling capability" in text_of(r)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_long_running_progress_strictly_increasing_with_logs(agents_url: str, mode: str) -> None:
    progress: list[float] = []
    logs: list[Any] = []

    async def on_progress(p: float, t: float | None, m: str | None) -> None:
        progress.append(p)

    async def on_log(params: Any) -> None:
        logs.append(params.data)

    with anyio.fail_after(10):
        async with client(agents_url, mode, logging_callback=on_log, log_level="info") as c:
            r = await c.call_tool("long_running_agent", {"steps": 6}, progress_callback=on_progress)
    assert not r.is_error and r.structured_content == {"steps": 6, "status": "done"}
    assert progress == [1, 2, 3, 4, 5, 6]
    assert len(logs) == 6 and "step 6 of 6" in str(logs[-1])


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("uri", ["travel://bookings/nope", "research://reports/nope", "other://x"])
async def test_unknown_resource_is_invalid_params(agents_url: str, mode: str, uri: str) -> None:
    with anyio.fail_after(10):
        async with client(agents_url, mode) as c:
            with pytest.raises(MCPError) as err:
                await c.read_resource(uri)
    assert err.value.error.code == -32602
