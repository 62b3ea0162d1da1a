"""The fixtures the official MCP conformance suite (0.1.16, 2025-11-25 server scenarios) calls.

`register(mcp)` adds to an `MCPServer` the tools, resources, prompts and handlers its "everything"
fixture server exposes (names, arguments and result shapes from /work/shared/notes/official-suite.md
§4). Sampling, elicitation, progress and logs go on the calling request's own SSE stream.
The pending `json_schema_2020_12_tool` (needs a hand-written tools/list) is not provided.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.prompts.base import UserMessage
from mcp.shared.exceptions import MCPError
from mcp_types import (
    AudioContent,
    CallToolResult,
    Completion,
    EmbeddedResource,
    EmptyResult,
    ImageContent,
    SamplingMessage,
    SetLevelRequestParams,
    SubscribeRequestParams,
    TextContent,
    TextResourceContents,
    UnsubscribeRequestParams,
)

from reference_agents import conformance_fixtures_mrtr, conformance_fixtures_tasks
from reference_agents.runtime import AgentRuntime
from reference_agents.tasks import TaskEngine

# A 1x1 PNG and a 44-byte WAV header (8 kHz mono 16-bit), base64.
PNG_B64 = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
WAV_B64 = base64.b64encode(b"RIFF" + (38).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
                           + (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + (8000).to_bytes(4, "little")
                           + (16000).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
                           + b"data" + (2).to_bytes(4, "little")).decode()

SEP1034_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "Your name", "default": "John Doe"},
        "age": {"type": "integer", "description": "Your age", "default": 30},
        "score": {"type": "number", "description": "Your score", "default": 95.5},
        "status": {"type": "string", "description": "Your status", "enum": ["active", "inactive", "pending"],
                   "default": "active"},
        "verified": {"type": "boolean", "description": "Verified?", "default": True},
    },
    "required": [],
}

SEP1330_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "untitledSingle": {"type": "string", "description": "Pick one", "enum": ["option1", "option2", "option3"]},
        "titledSingle": {"type": "string", "description": "Pick one (titled)",
                         "oneOf": [{"const": f"value{i}", "title": f"{t} Option"}
                                   for i, t in ((1, "First"), (2, "Second"), (3, "Third"))]},
        "legacyEnum": {"type": "string", "description": "Pick one (legacy)", "enum": ["opt1", "opt2", "opt3"],
                       "enumNames": ["Option One", "Option Two", "Option Three"]},
        "untitledMulti": {"type": "array", "description": "Pick some", "minItems": 1, "maxItems": 3,
                          "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
        "titledMulti": {"type": "array", "description": "Pick some (titled)", "minItems": 1, "maxItems": 3,
                        "items": {"anyOf": [{"const": f"value{i}", "title": f"{t} Choice"}
                                            for i, t in ((1, "First"), (2, "Second"), (3, "Third"))]}},
    },
    "required": [],
}

USER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"username": {"type": "string", "description": "User name"},
                   "email": {"type": "string", "description": "Email address"}},
    "required": ["username", "email"],
}


def _text(text: str, *, is_error: bool = False) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=is_error)


def _progress_token(ctx: Context) -> Any:
    meta: Any = ctx.request_context.meta or {}
    if isinstance(meta, dict):
        return meta.get("progress_token", meta.get("progressToken"))
    return getattr(meta, "progress_token", None)


async def _elicit(ctx: Context, message: str, schema: dict[str, Any], prefix: str) -> CallToolResult:
    """Form elicitation on the call's own stream; an undeclared capability or a client error → isError result."""
    caps = ctx.client_capabilities
    if caps is None or caps.elicitation is None:
        return _text("the client did not declare the elicitation capability; nothing was asked", is_error=True)
    try:
        answer = await ctx.session.elicit_form(message, schema,  # type: ignore[arg-type]
                                               related_request_id=ctx.request_id)
    except MCPError as exc:
        return _text(f"elicitation failed: {exc.error.message}", is_error=True)
    return _text(f"{prefix}: action={answer.action}, content={json.dumps(answer.content)}")


def _register_tools(mcp: MCPServer) -> None:
    @mcp.tool(name="test_simple_text", description="Returns a simple text response.")
    async def simple_text() -> CallToolResult:
        return _text("This is a simple text response for testing.")

    @mcp.tool(name="test_image_content", description="Returns one PNG image.")
    async def image_content() -> CallToolResult:
        return CallToolResult(content=[ImageContent(type="image", data=PNG_B64, mime_type="image/png")])

    @mcp.tool(name="test_audio_content", description="Returns one WAV audio clip.")
    async def audio_content() -> CallToolResult:
        return CallToolResult(content=[AudioContent(type="audio", data=WAV_B64, mime_type="audio/wav")])

    @mcp.tool(name="test_embedded_resource", description="Returns an embedded text resource.")
    async def embedded_resource() -> CallToolResult:
        res = TextResourceContents(uri="test://embedded-resource", mime_type="text/plain",
                                   text="This is an embedded resource content.")
        return CallToolResult(content=[EmbeddedResource(type="resource", resource=res)])

    @mcp.tool(name="test_multiple_content_types", description="Returns text, an image and a resource.")
    async def multiple_content_types() -> CallToolResult:
        res = TextResourceContents(uri="test://mixed-content-resource", mime_type="application/json",
                                   text='{"test":"data","value":123}')
        return CallToolResult(content=[TextContent(type="text", text="Multiple content types test:"),
                                       ImageContent(type="image", data=PNG_B64, mime_type="image/png"),
                                       EmbeddedResource(type="resource", resource=res)])

    @mcp.tool(name="test_tool_with_logging", description="Sends three log messages while it runs.")
    async def tool_with_logging(ctx: Context) -> CallToolResult:
        for i, text in enumerate(("Tool execution started", "Tool processing data", "Tool execution completed")):
            if i:
                await anyio.sleep(0.05)
            await ctx.session.send_log_message("info", text, related_request_id=ctx.request_id)
        return _text("Tool with logging executed successfully")

    @mcp.tool(name="test_tool_with_progress", description="Reports progress 0, 50, 100 of 100.")
    async def tool_with_progress(ctx: Context) -> CallToolResult:
        token = _progress_token(ctx)
        for i, value in enumerate((0, 50, 100)):
            if i:
                await anyio.sleep(0.05)
            if token is not None:
                await ctx.session.send_progress_notification(token, value, 100, f"Completed step {value} of 100",
                                                             related_request_id=ctx.request_id)
        return _text(f"Progress test completed (token {token!r})")

    @mcp.tool(name="test_error_handling", description="Always returns an isError result.")
    async def error_handling() -> CallToolResult:
        return _text("This tool intentionally returns an error for testing", is_error=True)

    @mcp.tool(name="test_sampling", description="Asks the client's LLM to answer the prompt.")
    async def sampling(prompt: str, ctx: Context) -> CallToolResult:
        caps = ctx.client_capabilities
        if caps is None or caps.sampling is None:
            return _text("the client did not declare the sampling capability; nothing was sampled", is_error=True)
        msg = SamplingMessage(role="user", content=TextContent(type="text", text=prompt))
        try:
            answer = await ctx.session.create_message([msg], max_tokens=100, related_request_id=ctx.request_id)
        except MCPError as exc:  # the client rejected or failed the sampling request
            return _text(f"sampling failed: {exc.error.message}", is_error=True)
        content = answer.content
        text = getattr(content, "text", None) or json.dumps(answer.model_dump(by_alias=True, mode="json")["content"])
        return _text(f"LLM response: {text}")

    @mcp.tool(name="test_elicitation", description="Asks the user for a username and an email.")
    async def elicitation(message: str, ctx: Context) -> CallToolResult:
        return await _elicit(ctx, message, USER_SCHEMA, "User response")

    @mcp.tool(name="test_elicitation_sep1034_defaults", description="Elicits a form whose fields have defaults.")
    async def elicitation_defaults(ctx: Context) -> CallToolResult:
        return await _elicit(ctx, "Please review and update the form fields with defaults", SEP1034_SCHEMA,
                              "Elicitation completed")

    @mcp.tool(name="test_elicitation_sep1330_enums", description="Elicits a form with every enum shape.")
    async def elicitation_enums(ctx: Context) -> CallToolResult:
        return await _elicit(ctx, "Please select options from the enum fields", SEP1330_SCHEMA, "Elicitation completed")

    @mcp.tool(name="test_reconnection", description="Closes its own SSE stream, then completes (SEP-1699).")
    async def reconnection(ctx: Context) -> CallToolResult:
        await ctx.close_sse_stream()  # a no-op without an event store or below 2025-11-25
        await anyio.sleep(0.1)
        return _text("Reconnection test completed successfully: the result was stored for replay.")


def _register_resources(mcp: MCPServer) -> None:
    @mcp.resource("test://static-text", name="static-text", mime_type="text/plain", description="Static text")
    def static_text() -> str:
        return "This is the content of the static text resource."

    @mcp.resource("test://static-binary", name="static-binary", mime_type="image/png", description="A PNG")
    def static_binary() -> bytes:
        return base64.b64decode(PNG_B64)

    @mcp.resource("test://template/{id}/data", name="template", mime_type="application/json",
                  description="Data for an id")
    def template(id: str) -> str:
        return json.dumps({"id": id, "templateTest": True, "data": f"Data for ID: {id}"})

    @mcp.resource("test://watched-resource", name="watched-resource", mime_type="text/plain",
                  description="A resource clients may subscribe to")
    def watched() -> str:
        return "Watched resource content"

    subscribed: set[str] = set()

    async def subscribe(_ctx: Any, params: SubscribeRequestParams) -> EmptyResult:
        subscribed.add(str(params.uri))
        return EmptyResult()

    async def unsubscribe(_ctx: Any, params: UnsubscribeRequestParams) -> EmptyResult:
        subscribed.discard(str(params.uri))
        return EmptyResult()

    if mcp._lowlevel_server.get_request_handler("resources/subscribe") is None:  # keep the agents' own
        mcp._lowlevel_server.add_request_handler("resources/subscribe", SubscribeRequestParams, subscribe)
        mcp._lowlevel_server.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, unsubscribe)


def _register_prompts(mcp: MCPServer) -> None:
    @mcp.prompt(name="test_simple_prompt", description="A prompt without arguments.")
    def simple_prompt() -> list[UserMessage]:
        return [UserMessage("This is a simple prompt for testing.")]

    @mcp.prompt(name="test_prompt_with_arguments", description="A prompt with two required arguments.")
    def prompt_with_arguments(arg1: str, arg2: str) -> list[UserMessage]:
        return [UserMessage(f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")]

    @mcp.prompt(name="test_prompt_with_embedded_resource", description="A prompt embedding a resource.")
    def prompt_with_embedded_resource(resourceUri: str) -> list[UserMessage]:  # noqa: N803 (the suite's name)
        res = TextResourceContents(uri=resourceUri, mime_type="text/plain",
                                   text="Embedded resource content for testing.")
        return [UserMessage(EmbeddedResource(type="resource", resource=res)),
                UserMessage("Please process the embedded resource above.")]

    @mcp.prompt(name="test_prompt_with_image", description="A prompt with an image.")
    def prompt_with_image() -> list[UserMessage]:
        return [UserMessage(ImageContent(type="image", data=PNG_B64, mime_type="image/png")),
                UserMessage("Please analyze the image above.")]

    @mcp.completion()
    async def complete(_ref: Any, _argument: Any, _context: Any) -> Completion:
        return Completion(values=[], total=0, has_more=False)


def register(mcp: MCPServer, rt: AgentRuntime | None = None, engine: TaskEngine | None = None) -> None:
    """Add the official suite's fixture tools, resources, prompts, completion and logging level: those of
    0.1.16 (2025-11-25), the 0.2 suite's 2026-07-28 ones and, given the task engine, its tasks fixtures."""
    _register_tools(mcp)
    conformance_fixtures_mrtr.register(mcp, rt)
    if engine is not None:
        conformance_fixtures_tasks.register(mcp, engine)
    _register_resources(mcp)
    _register_prompts(mcp)

    async def set_level(_ctx: Any, _params: SetLevelRequestParams) -> EmptyResult:
        return EmptyResult()  # exactly {}: the suite fails a result with any key

    mcp._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
