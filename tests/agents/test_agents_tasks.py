"""Tasks in the reference agents, pinned on the wire: 2025-11-25 (tasks utility) and 2026-07-28
(the tasks extension), input inside a task, cancellation, pagination, errors, and durability
across SIGKILL + restart with the SQLite store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from agents_wire import V2025, V2026, RawClient, method_of, spawn_agents

EXT = "io.modelcontextprotocol/tasks"
RELATED = "io.modelcontextprotocol/related-task"
TERMINAL = ("completed", "failed", "cancelled")
WITH_TASKS = {"elicitation": {"form": {}}, "sampling": {}, "extensions": {EXT: {}}}


def plain(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "_meta"}


async def poll(c: RawClient, task_id: str, until: Any, timeout: float = 10) -> dict[str, Any]:
    with anyio.fail_after(timeout):
        while True:
            res = (await c.call("tasks/get", {"taskId": task_id}))["result"]
            if until(res):
                return res
            await anyio.sleep(0.02)  # the polling pace, bounded by fail_after


def terminal(task: dict[str, Any]) -> bool:
    return task["status"] in TERMINAL


@pytest.mark.anyio
async def test_2025_task_lifecycle_matches_the_synchronous_call(agents_url: str) -> None:
    async with RawClient(agents_url) as c:
        with anyio.fail_after(20):
            init = await c.open()
            assert init["result"]["capabilities"]["tasks"] == {"list": {}, "cancel": {},
                                                                "requests": {"tools": {"call": {}}}}
            tools = (await c.call("tools/list"))["result"]["tools"]
            assert {t["name"]: t.get("execution") for t in tools}["long_running_agent"] == {"taskSupport": "optional"}
            args = {"steps": 3}
            created = (await c.call("tools/call", {"name": "long_running_agent", "arguments": args,
                                                   "task": {"ttl": 60000}}))["result"]["task"]
            assert created["status"] == "working" and created["ttl"] == 60000
            assert {"createdAt", "lastUpdatedAt", "pollInterval"} <= set(created)
            task_id = created["taskId"]
            first = (await c.call("tasks/result", {"taskId": task_id}))["result"]
            assert first["_meta"][RELATED] == {"taskId": task_id}
            again = (await c.call("tasks/result", {"taskId": task_id}))["result"]
            sync = (await c.call("tools/call", {"name": "long_running_agent", "arguments": args}))["result"]
            assert plain(first) == plain(again) == plain(sync)
            done = (await c.call("tasks/get", {"taskId": task_id}))["result"]
            assert done["status"] == "completed" and RELATED not in done.get("_meta", {})
            refused = await c.call("tasks/cancel", {"taskId": task_id})
            assert refused["error"]["code"] == -32602
            for method in ("tasks/get", "tasks/result", "tasks/cancel"):
                assert (await c.call(method, {"taskId": "no-such-task"}))["error"]["code"] == -32602
                assert (await c.call(method, {}))["error"]["code"] == -32602


@pytest.mark.anyio
async def test_2025_list_pages_and_refuses_a_garbage_cursor(agents_url: str) -> None:
    async with RawClient(agents_url) as c:
        with anyio.fail_after(30):
            await c.open()
            made = set()
            for _ in range(25):
                res = await c.call("tools/call", {"name": "long_running_agent", "arguments": {"steps": 1},
                                                  "task": {}})
                made.add(res["result"]["task"]["taskId"])
            listed, cursor, pages = set(), None, 0
            while True:
                page = (await c.call("tasks/list", {"cursor": cursor} if cursor else {}))["result"]
                listed |= {t["taskId"] for t in page["tasks"]}
                pages += 1
                cursor = page.get("nextCursor")
                if cursor is None:
                    break
            assert made <= listed and pages >= 2
            assert (await c.call("tasks/list", {"cursor": "garbage!"}))["error"]["code"] == -32602


@pytest.mark.anyio
async def test_2025_elicitation_inside_a_task_arrives_on_tasks_result(agents_url: str) -> None:
    async with RawClient(agents_url) as c:
        with anyio.fail_after(20):
            await c.open()
            res = await c.call("tools/call", {"name": "travel_agent", "arguments": {"destination": "Riga"},
                                              "task": {}})
            task_id = res["result"]["task"]["taskId"]
            waiting = await poll(c, task_id, lambda t: t["status"] != "working")
            assert waiting["status"] == "input_required"
            body = c.request("tasks/result", {"taskId": task_id})
            async with c.post(body) as s:
                ask = await s.read_until(lambda e: method_of(e) == "elicitation/create")
                assert ask.msg["params"]["_meta"][RELATED] == {"taskId": task_id}
                assert await c.answer(ask.msg["id"], {"action": "accept", "content": {"confirm": True}}) == 202
                final = await s.read_until(lambda e: e.msg is not None and e.msg.get("id") == body["id"])
            assert final.msg["result"]["structuredContent"]["status"] == "confirmed"
            assert (await poll(c, task_id, terminal))["status"] == "completed"


@pytest.mark.anyio
async def test_2025_task_progress_goes_to_the_standalone_stream_tagged_with_the_task(agents_url: str) -> None:
    async with RawClient(agents_url) as c:
        with anyio.fail_after(20):
            await c.open()
            async with _get_stream(c) as get:
                res = await c.call("tools/call", {"name": "long_running_agent", "arguments": {"steps": 2},
                                                  "task": {}, "_meta": {"progressToken": "tp"}})
                task_id = res["result"]["task"]["taskId"]
                ev = await get.read_until(lambda e: method_of(e) == "notifications/progress")
                assert ev.msg["params"]["progressToken"] == "tp"
                assert ev.msg["params"]["_meta"][RELATED] == {"taskId": task_id}


def _get_stream(c: RawClient) -> Any:
    from contextlib import asynccontextmanager

    from agents_wire import SseReader, Stream

    @asynccontextmanager
    async def opened() -> Any:
        h = c.headers()
        h.pop("Content-Type")
        response = await c.http.send(c.http.build_request("GET", c.url, headers=h), stream=True)
        try:
            yield Stream(response, SseReader(response))
        finally:
            await response.aclose()
    return opened()


@pytest.mark.anyio
async def test_2026_tasks_extension(agents_url: str) -> None:
    async with RawClient(agents_url, revision=V2026, capabilities=WITH_TASKS) as c, \
            RawClient(agents_url, revision=V2026) as plain_client:
        with anyio.fail_after(20):
            disc = await c.call("server/discover")
            assert EXT in disc["result"]["capabilities"]["extensions"]
            args = {"steps": 2}
            unasked = await plain_client.call("tools/call", {"name": "long_running_agent", "arguments": args,
                                                             "task": {"ttl": 1000}})
            assert unasked["result"]["resultType"] == "complete"  # no extension: no task, the `task` field ignored
            created = (await c.call("tools/call", {"name": "long_running_agent", "arguments": args}))["result"]
            assert created["resultType"] == "task" and created["status"] == "working"
            assert isinstance(created["ttlMs"], int) and isinstance(created["pollIntervalMs"], int)
            done = await poll(c, created["taskId"], terminal)
            assert done["resultType"] == "complete" and done["status"] == "completed"
            assert plain(done["result"]) == plain(unasked["result"])
            denied = await plain_client.call("tasks/get", {"taskId": created["taskId"]})
            assert denied["error"]["code"] == -32021
            assert denied["error"]["data"]["requiredCapabilities"]["extensions"] == {EXT: {}}
            assert (await c.call("tasks/result", {"taskId": created["taskId"]}))["error"]["code"] == -32601
            assert (await c.call("tasks/get", {"taskId": "nope"}))["error"]["code"] == -32602
            ack = await c.call("tasks/cancel", {"taskId": created["taskId"]})
            assert ack["result"]["resultType"] == "complete"
            assert (await poll(c, created["taskId"], terminal))["status"] == "completed"  # finished stays finished


@pytest.mark.anyio
async def test_2026_sampling_inside_a_task_by_tasks_update_ignoring_stale_keys(agents_url: str) -> None:
    async with RawClient(agents_url, revision=V2026, capabilities=WITH_TASKS) as c:
        with anyio.fail_after(20):
            created = (await c.call("tools/call", {"name": "research_agent", "arguments": {"topic": "kelp"}}))
            task_id = created["result"]["taskId"]
            waiting = await poll(c, task_id, lambda t: t["status"] != "working")
            assert waiting["status"] == "input_required"
            [(key, req)] = waiting["inputRequests"].items()
            assert req["method"] == "sampling/createMessage"
            answer = {"role": "assistant", "content": {"type": "text", "text": "Kelp grows fast."}, "model": "m"}
            stale = await c.call("tasks/update", {"taskId": task_id, "inputResponses": {"never-asked": answer}})
            assert stale["result"]["resultType"] == "complete"
            assert (await c.call("tasks/get", {"taskId": task_id}))["result"]["status"] == "input_required"
            await c.call("tasks/update", {"taskId": task_id, "inputResponses": {key: answer}})
            done = await poll(c, task_id, terminal)
            assert done["result"]["structuredContent"]["summary"] == "Kelp grows fast."


@pytest.mark.anyio
async def test_2026_cancel_stops_a_running_task(agents_url: str) -> None:
    async with RawClient(agents_url, revision=V2026, capabilities=WITH_TASKS) as c:
        with anyio.fail_after(20):
            created = await c.call("tools/call", {"name": "long_running_agent",
                                                  "arguments": {"steps": 50, "step_ms": 100}})
            task_id = created["result"]["taskId"]
            await c.call("tasks/cancel", {"taskId": task_id})
            done = await poll(c, task_id, terminal)
            assert done["status"] == "cancelled" and "result" not in done


@pytest.mark.anyio
async def test_2025_ttl_expired_task_is_gone(agents_url: str) -> None:
    async with RawClient(agents_url) as c:
        with anyio.fail_after(10):
            await c.open()
            res = await c.call("tools/call", {"name": "long_running_agent", "arguments": {"steps": 1},
                                              "task": {"ttl": 300}})
            task_id = res["result"]["task"]["taskId"]
            assert "result" in await c.call("tasks/get", {"taskId": task_id})
            while True:  # until the TTL has run out, bounded by fail_after
                gone = await c.call("tasks/get", {"taskId": task_id})
                if "error" in gone:
                    break
                await anyio.sleep(0.05)
            assert gone["error"]["code"] == -32602


@pytest.mark.anyio
@pytest.mark.parametrize("revision", [V2025, V2026])
async def test_sigkill_restart_mid_task_resumes_from_its_checkpoint(tmp_path: Path, revision: str) -> None:
    """Killed at step 2 of 5: after the restart the task goes on from there (no step repeated) and its result is
    the synchronous call's; the same idempotency key still names the same task."""
    store = f"sqlite:{tmp_path / 'agents.db'}"
    caps = WITH_TASKS if revision == V2026 else None
    args = {"steps": 5, "step_ms": 300}
    travel = {"destination": "Vilnius", "idempotency_key": "trip-1"}
    async with spawn_agents("--store", store) as (url, proc):
        async with RawClient(url, revision=revision, capabilities=caps) as c:
            with anyio.fail_after(20):
                await c.open()
                extra = {"task": {}} if revision == V2025 else {}
                res = await c.call("tools/call", {"name": "long_running_agent", "arguments": args, **extra})
                task = res["result"]["task"] if revision == V2025 else res["result"]
                booked = await c.call("tools/call", {"name": "travel_agent", "arguments": travel, **extra})
                booking = booked["result"]["task"] if revision == V2025 else booked["result"]
                await poll(c, task["taskId"], lambda t: "step 2/5" in (t.get("statusMessage") or ""))
        proc.kill()
        with anyio.fail_after(5):
            await proc.wait()
    async with spawn_agents("--store", store) as (url, proc):
        async with RawClient(url, revision=revision, capabilities=caps) as c:
            with anyio.fail_after(20):
                await c.open()
                mid = (await c.call("tasks/get", {"taskId": task["taskId"]}))["result"]
                assert mid["status"] == "working" and "step 2/5" in mid["statusMessage"]
                done = await poll(c, task["taskId"], terminal)
                async with RawClient(url, revision=revision) as sync_client:  # a client without tasks
                    await sync_client.open()
                    sync = (await sync_client.call("tools/call", {"name": "long_running_agent",
                                                                  "arguments": args}))["result"]
                got = done["result"] if revision == V2026 else (await c.call("tasks/result",
                                                                             {"taskId": task["taskId"]}))["result"]
                assert plain(got) == plain(sync)
                resent = await c.call("tools/call", {"name": "travel_agent", "arguments": travel, **extra})
                again = resent["result"]["task"] if revision == V2025 else resent["result"]
                assert again["taskId"] == booking["taskId"]
