"""Resumption through the SDK's own legacy client (`ClientSession` + `resumption_token`, which
resumes with GET + Last-Event-ID): the rest and the result arrive and the call ends at once (D);
an unknown token fails at once instead of waiting out the read timeout (C)."""

from __future__ import annotations

import time
from typing import Any

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.message import ClientMessageMetadata
from mcp_types import CallToolRequest, CallToolRequestParams, CallToolResult

from reference_agents.server import running_agents


def call(steps: int) -> CallToolRequest:
    return CallToolRequest(params=CallToolRequestParams(name="long_running_agent", arguments={"steps": steps}))


def leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in leaves(sub)]
    return [exc]


@pytest.mark.anyio
async def test_sdk_client_resumes_a_call_by_token_and_gets_the_result() -> None:
    async with running_agents() as url:
        with anyio.fail_after(10):
            async with streamable_http_client(url) as (read, write), ClientSession(read, write) as s:
                await s.initialize()
                tokens: list[str] = []

                async def remember(token: str) -> None:
                    tokens.append(token)

                first = await s.send_request(call(3), CallToolResult,
                                             metadata=ClientMessageMetadata(on_resumption_token_update=remember))
                assert len(tokens) == 1 + 3 + 1  # priming, 3 log lines (no progress token asked), response
                t0 = time.monotonic()
                again = await s.send_request(call(3), CallToolResult,
                                             metadata=ClientMessageMetadata(resumption_token=tokens[0]))
                assert again.structured_content == first.structured_content == {"steps": 3, "status": "done"}
                assert time.monotonic() - t0 < 2


@pytest.mark.anyio
async def test_sdk_client_unknown_resumption_token_fails_fast() -> None:
    # The SDK client's resumption path raises on the 400 (it takes the transport down with it: a
    # client-side quirk), but nothing waits: before the fix it was a 200 empty stream and the
    # call sat out its read timeout.
    async with running_agents() as url:
        t0 = time.monotonic()
        with anyio.fail_after(10), pytest.raises(BaseException) as caught:
            async with streamable_http_client(url) as (read, write), ClientSession(read, write) as s:
                await s.initialize()
                await s.send_request(call(1), CallToolResult, request_read_timeout_seconds=8,
                                     metadata=ClientMessageMetadata(resumption_token="0000099999-1-1"))
        errors: list[Any] = [e for e in leaves(caught.value) if isinstance(e, httpx2.HTTPStatusError)]
        assert errors and errors[0].response.status_code == 400
        assert time.monotonic() - t0 < 5
