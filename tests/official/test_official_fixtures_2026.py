"""The 0.2 suite's 2026-07-28 fixtures and the divergences it found, over raw HTTP against the agents
(`--conformance-fixtures`); each divergence's mutant shows the test fails on the broken agents."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from harness.official.suite import load_expected
from reference_agents.server import AgentsConfig, serve

META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}}


async def rpc(url: str, method: str, params: dict[str, Any], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {**params, "_meta": meta or META}}
    headers = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28",
               "mcp-method": method}
    if "name" in params:
        headers["mcp-name"] = str(params["name"])
    async with httpx.AsyncClient(timeout=10) as http:
        r = await http.post(url, json=body, headers=headers)
    if r.headers.get("content-type", "").startswith("text/event-stream"):
        frames = [json.loads(line[5:]) for line in r.text.splitlines() if line.startswith("data:") and line[5:].strip()]
        return next(f for f in frames if f.get("id") == 1)
    return dict(r.json())


@pytest.fixture
async def agents(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    mutant = getattr(request, "param", None)
    async with serve(AgentsConfig(conformance_fixtures=True, mutant=mutant)) as url:
        yield url


@pytest.mark.anyio
async def test_a_round_asks_then_completes_and_a_tampered_state_is_refused(agents: str) -> None:
    with anyio.fail_after(20):
        first = await rpc(agents, "tools/call", {"name": "test_input_required_result_elicitation", "arguments": {}})
        assert first["result"]["resultType"] == "input_required"
        assert first["result"]["inputRequests"]["user_name"]["method"] == "elicitation/create"
        name = {"action": "accept", "content": {"name": "Ann"}}
        done = await rpc(agents, "tools/call", {"name": "test_input_required_result_elicitation", "arguments": {},
                                                "inputResponses": {"user_name": name}})
        assert done["result"]["content"][0]["text"] == "Hello, Ann!"
        again = await rpc(agents, "tools/call", {"name": "test_input_required_result_elicitation", "arguments": {},
                                                 "inputResponses": {"wrong_key": name}})
        assert again["result"]["resultType"] == "input_required"  # a missing input is asked again
        sealed = await rpc(agents, "tools/call", {"name": "test_input_required_result_tampered_state",
                                                  "arguments": {}})
        state = sealed["result"]["requestState"]
        tampered = await rpc(agents, "tools/call", {"name": "test_input_required_result_tampered_state",
                                                    "arguments": {}, "requestState": state + "-TAMPERED",
                                                    "inputResponses": {"confirm": {"action": "accept",
                                                                                   "content": {"ok": True}}}})
        assert "error" in tampered


@pytest.mark.anyio
@pytest.mark.parametrize("agents", [None, "input-responses-unchecked"], indirect=True)
async def test_null_input_responses_are_a_protocol_error(agents: str, request: pytest.FixtureRequest) -> None:
    with anyio.fail_after(20):
        r = await rpc(agents, "tools/call", {"name": "test_input_required_result_elicitation", "arguments": {},
                                             "inputResponses": None})
    refused = r.get("error", {}).get("code") == -32602
    assert refused is (request.node.callspec.params["agents"] is None), r


@pytest.mark.anyio
@pytest.mark.parametrize("agents", [None, "server-version-missing"], indirect=True)
async def test_discover_identifies_the_server_in_its_meta(agents: str, request: pytest.FixtureRequest) -> None:
    with anyio.fail_after(20):
        r = await rpc(agents, "server/discover", {})
    info = r["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]
    assert info["name"] == "faultline-reference-agents"
    assert bool(info["version"]) is (request.node.callspec.params["agents"] is None), info


@pytest.mark.anyio
async def test_an_undeclared_capability_is_refused_with_32021(agents: str) -> None:
    with anyio.fail_after(20):
        r = await rpc(agents, "tools/call", {"name": "test_missing_capability", "arguments": {}})
        assert r["error"]["code"] == -32021 and r["error"]["data"] == {"requiredCapabilities": {"sampling": {}}}
        meta = {**META, "io.modelcontextprotocol/clientCapabilities": {"sampling": {}}}
        ok = await rpc(agents, "tools/call", {"name": "test_missing_capability", "arguments": {}}, meta)
        assert ok["result"]["content"][0]["text"] == "Success"


@pytest.mark.anyio
@pytest.mark.parametrize("agents", [None, "list-change-silent"], indirect=True)
async def test_a_tool_list_change_reaches_an_open_listen_stream(agents: str, request: pytest.FixtureRequest) -> None:
    frames: list[dict[str, Any]] = []
    acknowledged, changed = anyio.Event(), anyio.Event()
    body = {"jsonrpc": "2.0", "id": 7, "method": "subscriptions/listen",
            "params": {"_meta": META, "notifications": {"toolsListChanged": True}}}
    headers = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28",
               "mcp-method": "subscriptions/listen"}

    async def listen() -> None:
        async with httpx.AsyncClient(timeout=10) as http, http.stream("POST", agents, json=body, headers=headers) as r:
            async for line in r.aiter_lines():
                if line.startswith("data:") and line[5:].strip():
                    frame = json.loads(line[5:])
                    frames.append(frame)
                    if frame.get("method") == "notifications/subscriptions/acknowledged":
                        acknowledged.set()
                    if frame.get("method") == "notifications/tools/list_changed":
                        changed.set()
                        return

    with anyio.fail_after(20):
        async with anyio.create_task_group() as tg:
            tg.start_soon(listen)
            await acknowledged.wait()
            await rpc(agents, "tools/call", {"name": "test_trigger_tool_change", "arguments": {}})
            with anyio.move_on_after(2):
                await changed.wait()
            tg.cancel_scope.cancel()
    assert changed.is_set() is (request.node.callspec.params["agents"] is None), frames


def test_expected_failures_are_keyed_by_suite_version(tmp_path: Path) -> None:
    f = tmp_path / "expected.yml"
    f.write_text('"0.1.16":\n  server: []\n"0.2.0-alpha.12":\n  server:\n'
                 "    - {scenario: caching, revision: 2026-07-28, reason: the spec says MAY}\n"
                 "    - {scenario: ping, reason: both revisions}\n")
    assert load_expected(f) == {}
    assert load_expected(f, "0.2.0-alpha.12", "2026-07-28") == {"caching": "the spec says MAY", "ping": "both revisions"}
    assert load_expected(f, "0.2.0-alpha.12", "2025-11-25") == {"ping": "both revisions"}
    assert load_expected(Path(__file__).parents[2] / "official-expected-failures.yml", "0.2.0-alpha.12") == {}
