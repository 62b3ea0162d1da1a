"""Transport protections of the agents (raw httpx): unknown Last-Event-ID -> prompt 400 (bug C),
finished streams close after their remaining events (D), store_event failures do not wedge the
session (E), duplicate in-flight ids -> 409 (F), Origin -> 403, `retry` with --retry-ms, and the
2026-07-28 wire (InputRequiredResult rounds, re-ask when the answer is missing)."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest
from agents_wire import V2026, RawClient, is_response, method_of
from mcp_types import JSONRPCMessage, JSONRPCNotification, JSONRPCResponse

from reference_agents.event_store import Hooks
from reference_agents.server import running_agents


async def finished_call(c: RawClient, steps: int = 2, **kw: Any) -> tuple[dict[str, Any], list[Any]]:
    body = c.request("tools/call", {"name": "long_running_agent", "arguments": {"steps": steps}}, **kw)
    async with c.post(body) as s:
        evs = await s.read_all()
    return body, evs


@pytest.mark.anyio
@pytest.mark.parametrize("last_id", ["0000000999-1-1", "nonsense", "lost-abc", "foreign"])
async def test_unknown_last_event_id_gets_a_prompt_400(agents_url: str, last_id: str) -> None:
    async with RawClient(agents_url) as c, RawClient(agents_url) as other:
        await c.open()
        await other.open()
        _, evs = await finished_call(other)  # other session's ids exist, but are foreign to c
        if last_id == "foreign":
            last_id = evs[1].id
        t0 = time.monotonic()
        with anyio.fail_after(5):
            async with c.resume(last_id) as r:
                assert r.response.status_code == 400
                body = (await r.response.aread()).decode()
        assert '"code":-32602' in body and time.monotonic() - t0 < 1


@pytest.mark.anyio
async def test_resuming_a_finished_stream_sends_the_rest_then_closes(agents_url: str) -> None:
    async with RawClient(agents_url) as c:
        await c.open()
        body, evs = await finished_call(c, steps=2)
        assert evs[0].priming
        with anyio.fail_after(5):
            async with c.resume(evs[0].id) as r:  # from the priming event: everything, then the end
                again = await r.read_all()
            async with c.resume(evs[-1].id) as r:  # from the response: nothing, then the end
                nothing = await r.read_all()
        assert [e.data for e in again] == [e.data for e in evs[1:]] and is_response(again[-1], body["id"])
        assert nothing == []


@pytest.mark.anyio
async def test_store_failure_loses_resumability_not_delivery() -> None:
    fail_progress = {2}

    async def before_store(session: str, key: str, message: JSONRPCMessage | None) -> None:
        if (isinstance(message, JSONRPCNotification) and message.method == "notifications/progress"
                and message.params and message.params["progress"] in fail_progress):
            raise RuntimeError("disk full")

    async with running_agents(hooks=Hooks(before_store=before_store)) as url, RawClient(url) as c:
        await c.open()
        with anyio.fail_after(5):
            body, evs = await finished_call(c, steps=3, progress_token="p")
            progress = [e for e in evs if method_of(e) == "notifications/progress"]
            assert [e.msg["params"]["progress"] for e in progress] == [1, 2, 3]  # delivered all the same
            assert is_response(evs[-1], body["id"])
            lost_id = progress[1].id
            assert lost_id
            async with c.resume(lost_id) as r:  # its id is unknown to the store: refused, not hung
                assert r.response.status_code == 400
            body2, evs2 = await finished_call(c, steps=1)  # the session is not wedged (SDK bug E)
            assert is_response(evs2[-1], body2["id"])


@pytest.mark.anyio
async def test_duplicate_in_flight_request_id_is_refused_with_409() -> None:
    dup_answered = anyio.Event()

    async def before_store(session: str, key: str, message: JSONRPCMessage | None) -> None:
        if key == "42" and isinstance(message, JSONRPCResponse) and not dup_answered.is_set():
            with anyio.move_on_after(5):  # hold the first call in flight until the duplicate was refused
                await dup_answered.wait()

    async with running_agents(hooks=Hooks(before_store=before_store)) as url, RawClient(url) as c:
        await c.open()
        with anyio.fail_after(10):
            body = c.request("tools/call", {"name": "long_running_agent", "arguments": {"steps": 3}}, id=42)
            async with c.post(body) as first:
                await first.next()  # in flight
                dup = await c.http.post(url, json=body, headers=c.headers())
                dup_answered.set()
                assert dup.status_code == 409
                assert dup.json()["id"] == 42 and dup.json()["error"]["code"] == -32600
                evs = await first.read_all()
            assert is_response(evs[-1], 42)
            assert evs[-1].msg["result"]["structuredContent"]["steps"] == 3
            body2, evs2 = await finished_call(c, steps=1, id=42)  # sequential reuse stays legal
            assert is_response(evs2[-1], 42)


@pytest.mark.anyio
@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example:80"])
async def test_non_local_origin_is_refused_with_403(agents_url: str, origin: str) -> None:
    async with RawClient(agents_url, headers={"Origin": origin}) as c:
        body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}}}
        r = await c.http.post(agents_url, json=body, headers=c.headers())
        assert r.status_code == 403 and r.json()["error"]["code"] == -32600
        r = await c.http.get(agents_url, headers={"Accept": "text/event-stream"})
        assert r.status_code == 403
    async with RawClient(agents_url, headers={"Origin": "http://localhost:5173"}) as ok:
        await ok.open()


@pytest.mark.anyio
async def test_retry_ms_is_sent_on_priming_and_on_resumed_streams() -> None:
    async with running_agents(retry_ms=1234) as url, RawClient(url) as c:
        await c.open()
        with anyio.fail_after(5):
            body, evs = await finished_call(c, steps=2)
            assert evs[0].priming and evs[0].retry == 1234
            async with c.resume(evs[0].id) as r:
                again = await r.read_all()
        assert again[0].retry == 1234


@pytest.mark.anyio
async def test_2026_travel_rounds_raw_including_reask_when_answer_missing(agents_url: str) -> None:
    async with RawClient(agents_url, revision=V2026) as c:
        with anyio.fail_after(10):
            params = {"name": "travel_agent", "arguments": {"destination": "Nice"}}
            first = await c.call("tools/call", params, progress_token="r1")
            res = first["result"]
            assert res["resultType"] == "input_required"
            ask = res["inputRequests"]["confirm_price"]
            assert ask["method"] == "elicitation/create" and "confirm" in ask["params"]["requestedSchema"]["properties"]
            again = await c.call("tools/call", {**params, "requestState": res["requestState"]})  # no answer
            assert again["result"]["resultType"] == "input_required"
            done = await c.call("tools/call", {**params, "requestState": again["result"]["requestState"],
                                               "inputResponses": {"confirm_price": {"action": "decline"}}})
        result = done["result"]
        assert result.get("isError") in (None, False) and "cancelled by the user" in result["content"][0]["text"]


@pytest.mark.anyio
async def test_2026_tampered_request_state_is_rejected(agents_url: str) -> None:
    async with RawClient(agents_url, revision=V2026) as c:
        with anyio.fail_after(10):
            params = {"name": "research_agent", "arguments": {"topic": "x"}}
            res = (await c.call("tools/call", params))["result"]
            assert res["resultType"] == "input_required"
            bad = await c.call("tools/call", {**params, "requestState": res["requestState"] + "x", "inputResponses": {
                "summary": {"role": "assistant", "content": {"type": "text", "text": "s"}, "model": "m"}}})
        assert "error" in bad and bad["error"]["code"] == -32602


@pytest.mark.anyio
async def test_mutant_seams_switch_the_protections_off() -> None:
    async with running_agents(mutant="no-origin-check") as url, RawClient(url, headers={"Origin": "http://evil.example"}) as c:
        await c.open()  # served, not refused
    async with running_agents(mutant="duplicate-id-accepted", step_delay=0.05) as url, RawClient(url) as c:
        await c.open()
        with anyio.fail_after(10):
            body = c.request("tools/call", {"name": "long_running_agent", "arguments": {"steps": 2}}, id=5)
            async with c.post(body) as first:
                await first.next()
                async with c.post(body) as dup:
                    assert dup.response.status_code == 200  # accepted: the SDK's bug F is back
