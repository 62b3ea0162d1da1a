"""The official suite's 2026-07-28 fixtures (0.2.0-alpha.12): multi-round-trip tools and prompt (SEP-2322),
the undeclared-capability probe (SEP-2575), list mutations for `subscriptions/listen`, the diagnostic
stream/logging tools, and the JSON Schema 2020-12 tool (SEP-1613, SEP-2106).

Written from what the suite's scenarios send and check (`input-required-result-*`, `server-stateless`,
`json-schema-2020-12`). requestState is sealed by the SDK (MCPServer's RequestStateBoundary), so a
tampered state is refused before a tool runs; the tools below see it in plaintext.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.prompts.base import Prompt, UserMessage
from mcp.shared.exceptions import MCPError
from mcp_types import (
    CallToolResult,
    CreateMessageRequest,
    CreateMessageRequestParams,
    ElicitRequest,
    ElicitRequestFormParams,
    ElicitResult,
    InputRequiredResult,
    ListRootsRequest,
    ListRootsResult,
    SamplingMessage,
    TextContent,
)

from reference_agents.runtime import AgentRuntime, is_modern, load_state

MISSING_CAPABILITY = -32021
CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"
LOG_LEVEL = "io.modelcontextprotocol/logLevel"
SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"
DYNAMIC_TOOL, DYNAMIC_PROMPT = "test_dynamic_tool", "test_dynamic_prompt"

JSON_SCHEMA_2020_12: dict[str, Any] = {
    "$schema": SCHEMA_2020_12,
    "type": "object",
    "$defs": {"address": {"$anchor": "addressDef", "type": "object",
                          "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
    "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"},
                   "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                   "phone": {"type": "string"}, "email": {"type": "string"}},
    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
    "then": {"required": ["phone"]},
    "else": {"required": ["email"]},
    "additionalProperties": False,
}


HEADER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"region": {"type": "string", "description": "A region, also sent as Mcp-Param-Region",
                              "x-mcp-header": "Region"}},
    "required": ["region"],
}


def _text(text: str, *, is_error: bool = False) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=is_error)


def elicit(message: str, field: str, kind: str = "string") -> ElicitRequest:
    schema = {"type": "object", "properties": {field: {"type": kind}}, "required": [field]}
    return ElicitRequest(params=ElicitRequestFormParams(message=message, requested_schema=schema))  # type: ignore[arg-type]


def sample(text: str, max_tokens: int) -> CreateMessageRequest:
    msg = SamplingMessage(role="user", content=TextContent(type="text", text=text))
    return CreateMessageRequest(params=CreateMessageRequestParams(messages=[msg], max_tokens=max_tokens))


def answer(ctx: Context, key: str, kind: type[Any]) -> Any:
    """The retry's answer under `key` if it is of the expected kind, else None (the input is re-requested)."""
    value = (ctx.input_responses or {}).get(key)
    return value if isinstance(value, kind) else None


def field_of(result: ElicitResult | None, name: str, default: str = "") -> str:
    value = (result.content or {}).get(name) if result is not None else None
    return str(value) if value is not None else default


def _state(kind: str, **fields: Any) -> str:
    return json.dumps({"kind": kind, "nonce": uuid.uuid4().hex, **fields})


def _only_2026(ctx: Context) -> CallToolResult | None:
    return None if is_modern(ctx) else _text("this fixture runs on the 2026-07-28 wire only", is_error=True)


def _register_rounds(mcp: MCPServer) -> None:
    @mcp.tool(name="test_input_required_result_elicitation", description="MRTR: asks the user's name.")
    async def ask_name(ctx: Context) -> CallToolResult | InputRequiredResult:
        name = field_of(answer(ctx, "user_name", ElicitResult), "name")
        if name:
            return _text(f"Hello, {name}!")
        return _only_2026(ctx) or InputRequiredResult(input_requests={"user_name": elicit("What is your name?", "name")})

    @mcp.tool(name="test_input_required_result_sampling", description="MRTR: asks the client's LLM.")
    async def ask_llm(ctx: Context) -> CallToolResult | InputRequiredResult:
        from mcp_types import CreateMessageResult

        got = answer(ctx, "sample_request", CreateMessageResult)
        if got is not None:
            return _text(f"Sampling result: {getattr(got.content, 'text', 'no response')}")
        return _only_2026(ctx) or InputRequiredResult(
            input_requests={"sample_request": sample("What is the capital of France?", 100)})

    @mcp.tool(name="test_input_required_result_list_roots", description="MRTR: asks the client's roots.")
    async def ask_roots(ctx: Context) -> CallToolResult | InputRequiredResult:
        got = answer(ctx, "roots_request", ListRootsResult)
        if got is not None:
            return _text(f"Found {len(got.roots)} root(s)")
        return _only_2026(ctx) or InputRequiredResult(input_requests={"roots_request": ListRootsRequest()})

    @mcp.tool(name="test_input_required_result_request_state", description="MRTR: a round with requestState.")
    async def with_state(ctx: Context) -> CallToolResult | InputRequiredResult:
        state, ok = load_state(ctx), answer(ctx, "confirm", ElicitResult)
        if state is not None and state.get("kind") == "request-state" and ok is not None \
                and (ok.content or {}).get("ok") is True:
            return _text("state-ok: requestState validated")
        return _only_2026(ctx) or InputRequiredResult(input_requests={"confirm": elicit("Please confirm", "ok", "boolean")},
                                                      request_state=_state("request-state"))

    @mcp.tool(name="test_input_required_result_multiple_inputs", description="MRTR: three inputs in one round.")
    async def three_inputs(ctx: Context) -> CallToolResult | InputRequiredResult:
        from mcp_types import CreateMessageResult

        state = load_state(ctx)
        name, greeting = answer(ctx, "user_name", ElicitResult), answer(ctx, "greeting", CreateMessageResult)
        roots = answer(ctx, "client_roots", ListRootsResult)
        if state is not None and state.get("kind") == "multiple-inputs" and None not in (name, greeting, roots):
            return _text(f"Name: {field_of(name, 'name')}; Greeting: {getattr(greeting.content, 'text', '')}; "
                         f"Roots: {len(roots.roots)}")
        return _only_2026(ctx) or InputRequiredResult(
            input_requests={"user_name": elicit("What is your name?", "name"),
                            "greeting": sample("Generate a greeting", 50), "client_roots": ListRootsRequest()},
            request_state=_state("multiple-inputs"))

    @mcp.tool(name="test_input_required_result_multi_round", description="MRTR: two rounds, then the result.")
    async def two_rounds(ctx: Context) -> CallToolResult | InputRequiredResult:
        state = load_state(ctx) or {}
        if state.get("round") == 1 and (step1 := answer(ctx, "step1", ElicitResult)) is not None:
            return InputRequiredResult(input_requests={"step2": elicit("Step 2: What is your favorite color?", "color")},
                                       request_state=_state("multi-round", round=2, name=field_of(step1, "name")))
        if state.get("round") == 2 and (step2 := answer(ctx, "step2", ElicitResult)) is not None:
            return _text(f"Multi-round complete for {state.get('name') or 'friend'} who likes "
                         f"{field_of(step2, 'color')}")
        return _only_2026(ctx) or InputRequiredResult(input_requests={"step1": elicit("Step 1: What is your name?", "name")},
                                                      request_state=_state("multi-round", round=1))

    @mcp.tool(name="test_input_required_result_tampered_state", description="MRTR: integrity-protected state.")
    async def sealed_state(ctx: Context) -> CallToolResult | InputRequiredResult:
        state = load_state(ctx)  # a tampered state never gets here: the SDK refuses it (-32602)
        if state is not None and state.get("kind") == "tamper-test" and answer(ctx, "confirm", ElicitResult):
            return _text("integrity-ok: state verified")
        return _only_2026(ctx) or InputRequiredResult(input_requests={"confirm": elicit("Please confirm", "ok", "boolean")},
                                                      request_state=_state("tamper-test"))

    @mcp.tool(name="test_input_required_result_capabilities", description="MRTR: asks only what the client can do.")
    async def by_capabilities(ctx: Context) -> CallToolResult | InputRequiredResult:
        if ctx.input_responses:
            return _text(f"capabilities-ok: received {','.join(ctx.input_responses)}")
        caps = ctx.client_capabilities
        wanted: dict[str, Any] = {}
        if caps is not None and caps.elicitation is not None:
            wanted["elicit_input"] = elicit("Elicitation input", "value")
        if caps is not None and caps.sampling is not None:
            wanted["sample_input"] = sample("Sample request", 50)
        if not wanted:
            return _text("No supported capabilities declared")
        return _only_2026(ctx) or InputRequiredResult(input_requests=wanted, request_state=_state("capabilities-test"))

    async def prompt_with_input(ctx: Context) -> list[UserMessage] | InputRequiredResult:
        context = field_of(answer(ctx, "user_context", ElicitResult), "context")
        if context:
            return [UserMessage(f"Prompt with context: {context}")]
        return InputRequiredResult(input_requests={"user_context": elicit("What context should the prompt use?",
                                                                          "context")})

    mcp.add_prompt(Prompt.from_function(prompt_with_input, name="test_input_required_result_prompt",
                                        description="MRTR: a prompt that needs the user's context first."))


def _register_probes(mcp: MCPServer, rt: AgentRuntime | None) -> None:
    @mcp.tool(name="test_missing_capability", description="Needs the client's sampling capability.")
    async def missing_capability(ctx: Context) -> CallToolResult:
        caps = ctx.client_capabilities
        if caps is None or caps.sampling is None:  # SEP-2575: MUST NOT rely on an undeclared capability
            raise MCPError(MISSING_CAPABILITY, "Missing required client capability",
                           {"requiredCapabilities": {"sampling": {}}})
        return _text("Success")

    @mcp.tool(name="test_streaming_elicitation", description="Answers on its own response stream, no request.")
    async def streaming(ctx: Context) -> CallToolResult:
        await ctx.report_progress(50, 100, "half way")
        return _text("Streaming complete")

    @mcp.tool(name="test_logging_tool", description="Logs only when the request set a log level.")
    async def logging_tool(ctx: Context) -> CallToolResult:
        meta: Any = ctx.request_context.meta or {}
        level = meta.get(LOG_LEVEL) if isinstance(meta, dict) else getattr(meta, LOG_LEVEL, None)
        if level:
            await ctx.info("Diagnostic trace logging activated")
        return _text("Logging evaluated")

    async def dynamic_tool() -> CallToolResult:
        return _text("a tool that comes and goes")

    def dynamic_prompt() -> list[UserMessage]:
        return [UserMessage("a prompt that comes and goes")]

    async def toggle(kind: str) -> CallToolResult:
        """Add the dynamic tool (prompt), or remove it if it is there; then announce the list change."""
        if kind == "tools":
            if mcp._tool_manager.get_tool(DYNAMIC_TOOL) is None:
                mcp.add_tool(dynamic_tool, name=DYNAMIC_TOOL, description="Comes and goes with test_trigger_tool_change.")
            else:
                mcp.remove_tool(DYNAMIC_TOOL)
        elif mcp._prompt_manager.get_prompt(DYNAMIC_PROMPT) is None:
            mcp.add_prompt(Prompt.from_function(dynamic_prompt, name=DYNAMIC_PROMPT,
                                                description="Comes and goes with test_trigger_prompt_change."))
        else:
            mcp.remove_prompt(DYNAMIC_PROMPT)
        if rt is not None and rt.events is not None:
            await rt.events.list_changed(kind)
        return _text("Mutation triggered")

    @mcp.tool(name="test_trigger_tool_change", description="Adds or removes a tool; the list change is announced.")
    async def trigger_tool_change() -> CallToolResult:
        return await toggle("tools")

    @mcp.tool(name="test_trigger_prompt_change", description="Adds or removes a prompt; the change is announced.")
    async def trigger_prompt_change() -> CallToolResult:
        return await toggle("prompts")

    @mcp.tool(name="json_schema_2020_12_tool", description="Its inputSchema uses JSON Schema 2020-12 keywords.")
    async def json_schema_tool() -> CallToolResult:
        return _text("JSON Schema 2020-12 tool called")

    @mcp.tool(name="test_custom_header", description="Its `region` argument is mirrored in the Mcp-Param-Region "
                                                      "header (SEP-2243 x-mcp-header).")
    async def custom_header(region: str = "") -> CallToolResult:
        return _text(f"region: {region}")

    for name, schema in (("json_schema_2020_12_tool", JSON_SCHEMA_2020_12), ("test_custom_header", HEADER_SCHEMA)):
        tool = mcp._tool_manager.get_tool(name)
        if tool is not None:
            tool.parameters = schema  # listed verbatim (the SDK derives no such schema)


def register(mcp: MCPServer, rt: AgentRuntime | None = None) -> None:
    _register_rounds(mcp)
    _register_probes(mcp, rt)
