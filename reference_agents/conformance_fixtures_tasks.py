"""The official suite's tasks-extension fixtures (SEP-2663; `tasks-*` scenarios of 0.2.0-alpha.12).

`greet` is synchronous; the others are task bodies of the agents' TaskEngine (durable, cancellable):
`slow_compute {seconds, label}` sleeps then answers, `failing_job` (task support *required*) returns a
tool error, `protocol_error_job` fails with a JSON-RPC error, `confirm_delete {filename}` asks one
elicitation, `multi_input` two at once, `test_tool_with_task` (required) gathers `user_name` in a
synchronous InputRequiredResult round first, then runs as a task whose result names the user.
"""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, ElicitResult, InputRequiredResult, TextContent

from reference_agents.conformance_fixtures_mrtr import answer, elicit, field_of
from reference_agents.runtime import is_modern
from reference_agents.tasks import TaskEngine, TaskRun

MAX_SECONDS = 120.0


def _text(text: str, *, is_error: bool = False) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=is_error)


def _seconds(value: Any) -> float:
    try:
        return max(0.0, min(float(value), MAX_SECONDS))
    except (TypeError, ValueError):
        return 0.0


async def slow_compute_body(_run: TaskRun, args: dict[str, Any]) -> CallToolResult:
    seconds = _seconds(args.get("seconds", 0))
    await anyio.sleep(seconds)
    return _text(f"computed {args.get('label', '')!s} after {seconds:g} s")


async def failing_job_body(_run: TaskRun, _args: dict[str, Any]) -> CallToolResult:
    await anyio.sleep(0.5)
    return _text("failing_job failed on purpose (a tool execution error)", is_error=True)


async def protocol_error_job_body(_run: TaskRun, _args: dict[str, Any]) -> CallToolResult:
    raise MCPError(-32603, "protocol_error_job failed on purpose (a protocol error)")


async def confirm_delete_body(run: TaskRun, args: dict[str, Any]) -> CallToolResult:
    filename = str(args.get("filename", ""))
    got = await run.ask("confirm", elicit(f"Delete {filename}?", "confirm", "boolean"), ElicitResult)
    confirmed = got.action == "accept" and (got.content or {}).get("confirm") is not False
    return _text(f"Deleted {filename}" if confirmed else f"Kept {filename}")


async def multi_input_body(run: TaskRun, _args: dict[str, Any]) -> CallToolResult:
    answers: dict[str, ElicitResult] = {}

    async def one(key: str, message: str) -> None:
        answers[key] = await run.ask(key, elicit(message, "value"), ElicitResult)

    async with anyio.create_task_group() as tg:
        tg.start_soon(one, "first", "First value?")
        tg.start_soon(one, "second", "Second value?")
    return _text(f"first={field_of(answers['first'], 'value')}; second={field_of(answers['second'], 'value')}")


async def tool_with_task_body(_run: TaskRun, args: dict[str, Any]) -> CallToolResult:
    given = (args.get("inputResponses") or {}).get("user_name") or {}
    name = (given.get("content") or {}).get("name") if isinstance(given, dict) else None
    return _text(f"Hello, {name or 'stranger'}! (user_name gathered before the task)")


BODIES = {"slow_compute": slow_compute_body, "failing_job": failing_job_body,
          "protocol_error_job": protocol_error_job_body, "confirm_delete": confirm_delete_body,
          "multi_input": multi_input_body, "test_tool_with_task": tool_with_task_body}
REQUIRED = frozenset({"failing_job", "test_tool_with_task"})  # execution.taskSupport "required"
GATHER_FIRST = frozenset({"test_tool_with_task"})  # a synchronous MRTR round before the task


def _register_tools(mcp: MCPServer) -> None:
    @mcp.tool(description="Greets by name (synchronous only).")
    async def greet(name: str = "World") -> CallToolResult:
        return _text(f"Hello, {name}!")

    @mcp.tool(description="Sleeps `seconds` then answers; runs as a task when the client declared the extension.")
    async def slow_compute(seconds: float = 0, label: str = "") -> CallToolResult:
        return await slow_compute_body(None, {"seconds": seconds, "label": label})  # type: ignore[arg-type]

    @mcp.tool(description="Always fails with a tool error; must run as a task.")
    async def failing_job() -> CallToolResult:
        return await failing_job_body(None, {})  # type: ignore[arg-type]

    @mcp.tool(description="Always fails with a protocol error; may run as a task.")
    async def protocol_error_job() -> CallToolResult:
        return await protocol_error_job_body(None, {})  # type: ignore[arg-type]

    @mcp.tool(description="Asks to confirm deleting `filename`; may run as a task.")
    async def confirm_delete(ctx: Context, filename: str = "") -> CallToolResult | InputRequiredResult:
        got = answer(ctx, "confirm", ElicitResult)
        if got is None and is_modern(ctx):
            return InputRequiredResult(input_requests={"confirm": elicit(f"Delete {filename}?", "confirm", "boolean")})
        return _text(f"Deleted {filename}" if got is not None and got.action == "accept" else f"Kept {filename}")

    @mcp.tool(description="Asks two values at once; must be called as a task to get both.")
    async def multi_input(ctx: Context) -> CallToolResult | InputRequiredResult:
        first, second = answer(ctx, "first", ElicitResult), answer(ctx, "second", ElicitResult)
        if (first is None or second is None) and is_modern(ctx):
            return InputRequiredResult(input_requests={"first": elicit("First value?", "value"),
                                                       "second": elicit("Second value?", "value")})
        return _text(f"first={field_of(first, 'value')}; second={field_of(second, 'value')}")

    @mcp.tool(description="Gathers user_name in an InputRequiredResult round, then runs as a task.")
    async def test_tool_with_task(ctx: Context) -> CallToolResult | InputRequiredResult:
        name = field_of(answer(ctx, "user_name", ElicitResult), "name")
        if not name and is_modern(ctx):
            return InputRequiredResult(input_requests={"user_name": elicit("What is your name?", "name")})
        return _text(f"Hello, {name or 'stranger'}!")


def register(mcp: MCPServer, engine: TaskEngine) -> None:
    _register_tools(mcp)
    engine.bodies.update(BODIES)
    engine.required_tools |= REQUIRED
    engine.gather_first |= GATHER_FIRST
    mcp.task_tools = frozenset(engine.bodies)  # type: ignore[attr-defined]
    mcp.required_task_tools = frozenset(engine.required_tools)  # type: ignore[attr-defined]
