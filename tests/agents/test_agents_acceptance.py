"""Issue 2's acceptance line, through the real CLI: `faultline agents --port 0 --step-delay 0.05` and a
raw 2025-11-25 client: priming first, strictly increasing progress under ITS token, the elicitation on
the call's own stream, and after `decline` a result saying the booking was cancelled."""

from __future__ import annotations

import signal
import time

import anyio
import pytest
from agents_wire import RawClient, is_response, method_of, spawn_agents


@pytest.mark.anyio
async def test_acceptance_line_raw_2025_client_decline() -> None:
    async with spawn_agents("--port", "0", "--step-delay", "0.05") as (url, proc):
        with anyio.fail_after(20):
            async with RawClient(url) as c:
                await c.open()
                body = c.request("tools/call", {"name": "travel_agent", "arguments": {"destination": "Oslo"}},
                                 progress_token="my-token-7")
                async with c.post(body) as s:
                    assert s.response.status_code == 200
                    assert s.response.headers["content-type"].startswith("text/event-stream")
                    first = await s.next()
                    assert first is not None and first.priming, first
                    ask = await s.read_until(lambda e: method_of(e) == "elicitation/create")
                    progress = [e.msg["params"] for e in s.events if method_of(e) == "notifications/progress"]
                    assert len(progress) >= 4
                    assert all(p["progressToken"] == "my-token-7" for p in progress)
                    values = [p["progress"] for p in progress]
                    assert values == sorted(set(values)), values
                    assert all(p.get("total") and p.get("message") for p in progress)
                    assert ask.msg["params"]["requestedSchema"]["properties"]["confirm"]["type"] == "boolean"
                    assert await c.answer(ask.msg["id"], {"action": "decline"}) == 202
                    done = await s.read_until(lambda e: is_response(e, body["id"]))
                    rest = await s.read_all()  # the stream ends right after the response
                    assert rest[-1] is done
                result = done.msg["result"]
                assert result.get("isError") in (None, False)
                assert "cancelled by the user" in result["content"][0]["text"]
                assert result["structuredContent"]["status"] == "cancelled"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        with anyio.fail_after(5):
            assert await proc.wait() == 0
        assert time.monotonic() - t0 < 3
