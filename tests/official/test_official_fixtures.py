"""The conformance fixtures through the SDK client (what the official suite asks of them), and the real
suite against them (only with FAULTLINE_OFFICIAL=1: it installs Node 22 and the suite from npm)."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp_types import CreateMessageResult, ElicitResult, PromptReference, TextContent
from official_fixture_server import fixture_server

from reference_agents.conformance_fixtures import SEP1034_SCHEMA


def text_of(result: Any) -> str:
    return " ".join(c.text for c in result.content if c.type == "text")


@pytest.mark.anyio
async def test_fixtures_answer_like_the_everything_server() -> None:
    progress: list[float] = []
    logs: list[Any] = []
    asked: list[Any] = []

    async def on_progress(p: float, t: float | None, m: str | None) -> None:
        progress.append(p)

    async def on_log(params: Any) -> None:
        logs.append(params.data)

    async def on_sample(ctx: Any, params: Any) -> CreateMessageResult:
        assert params.max_tokens == 100
        return CreateMessageResult(role="assistant", content=TextContent(type="text", text="sampled!"), model="m")

    async def on_elicit(ctx: Any, params: Any) -> ElicitResult:
        asked.append(params.requested_schema)
        return ElicitResult(action="accept", content={"username": "u", "email": "e@x"})

    with anyio.fail_after(20):
        async with fixture_server() as url, Client(url, mode="legacy", read_timeout_seconds=10, cache=None,
                                                   sampling_callback=on_sample, elicitation_callback=on_elicit,
                                                   logging_callback=on_log) as c:
            tools = (await c.list_tools()).tools
            assert {"test_simple_text", "test_tool_with_progress", "test_sampling", "test_elicitation",
                    "test_reconnection", "test_elicitation_sep1330_enums"} <= {t.name for t in tools}
            assert all(t.description for t in tools)
            assert text_of(await c.call_tool("test_simple_text", {})) == "This is a simple text response for testing."
            audio = (await c.call_tool("test_audio_content", {})).content[0]
            assert audio.type == "audio" and audio.mime_type == "audio/wav" and base64.b64decode(audio.data)
            err = await c.call_tool("test_error_handling", {})
            assert err.is_error and text_of(err)
            await c.set_logging_level("debug")
            await c.call_tool("test_tool_with_logging", {})
            await c.call_tool("test_tool_with_progress", {}, progress_callback=on_progress)
            assert text_of(await c.call_tool("test_sampling", {"prompt": "hi"})) == "LLM response: sampled!"
            r = await c.call_tool("test_elicitation", {"message": "Please provide your information"})
            assert "action=accept" in text_of(r)
            await c.call_tool("test_elicitation_sep1034_defaults", {})
            assert asked[-1]["properties"] == SEP1034_SCHEMA["properties"]
            assert "completed" in text_of(await c.call_tool("test_reconnection", {}))
            tpl = await c.read_resource("test://template/123/data")
            assert "123" in tpl.contents[0].text
            blob = await c.read_resource("test://static-binary")
            assert base64.b64decode(blob.contents[0].blob)[:4] == b"\x89PNG"
            await c.subscribe_resource("test://watched-resource")
            p = await c.get_prompt("test_prompt_with_arguments", {"arg1": "testValue1", "arg2": "testValue2"})
            assert "testValue1" in p.messages[0].content.text and "testValue2" in p.messages[0].content.text
            emb = await c.get_prompt("test_prompt_with_embedded_resource", {"resourceUri": "test://example-resource"})
            assert emb.messages[0].content.type == "resource"
            done = await c.complete(PromptReference(type="ref/prompt", name="test_prompt_with_arguments"),
                                    {"name": "arg1", "value": "test"})
            assert done.completion.values == []
    assert progress == [0, 50, 100]
    assert logs[-3:] == ["Tool execution started", "Tool processing data", "Tool execution completed"]


@pytest.mark.anyio
@pytest.mark.skipif(os.environ.get("FAULTLINE_OFFICIAL") != "1",
                    reason="runs the real official suite: set FAULTLINE_OFFICIAL=1 (installs Node 22 and "
                           "@modelcontextprotocol/conformance@0.1.16 from npm into the cache on first use)")
async def test_real_official_suite_passes_on_the_fixtures(tmp_path: Path) -> None:
    from harness.official.results import scenario_verdicts
    from harness.official.suite import run_official

    with anyio.fail_after(900):
        async with fixture_server() as url:
            run = await anyio.to_thread.run_sync(lambda: run_official(url, tmp_path / "out"))
    verdicts = scenario_verdicts(run.checks)
    assert len(verdicts) == 30 and set(verdicts.values()) == {"PASS"}, verdicts
    assert run.exit_code == 0 and run.summary()[-1] == "Total: 40 passed, 0 failed"


@pytest.mark.anyio
async def test_sampling_and_elicitation_refusals_end_in_error_results() -> None:
    from mcp_types import ErrorData

    async def reject(ctx: Any, params: Any) -> ErrorData:
        return ErrorData(code=-1, message="User rejected sampling request")

    with anyio.fail_after(15):
        async with fixture_server() as url:
            async with Client(url, mode="legacy", read_timeout_seconds=10, cache=None) as bare:
                r = await bare.call_tool("test_sampling", {"prompt": "hi"})  # no sampling capability declared
                assert r.is_error and "did not declare the sampling capability" in text_of(r)
                r = await bare.call_tool("test_elicitation", {"message": "hi"})
                assert r.is_error and "did not declare the elicitation capability" in text_of(r)
            async with Client(url, mode="legacy", read_timeout_seconds=10, cache=None, sampling_callback=reject) as c:
                r = await c.call_tool("test_sampling", {"prompt": "hi"})
                assert r.is_error and "User rejected sampling request" in text_of(r)
