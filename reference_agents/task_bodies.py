"""What each task-capable tool does when it runs as a task: the same work and the same result as
its synchronous call, written to be run again after a restart (checkpointed steps, answers kept,
records keyed by the task or the caller's idempotency key, so nothing is done twice)."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.shared.exceptions import MCPError
from mcp_types import (
    CallToolResult,
    CreateMessageResult,
    ElicitResult,
    TextContent,
)

from reference_agents import long_running, research, travel
from reference_agents.runtime import result
from reference_agents.tasks import TaskEngine, TaskRun


def install(engine: TaskEngine) -> None:
    engine.bodies.update({"long_running_agent": long_running_body, "travel_agent": travel_body,
                          "research_agent": research_body})


def _bad_arguments(tool: str, problem: str) -> CallToolResult:
    return result(f"Error executing tool {tool}: {problem}", structured={"error": problem}, is_error=True)


async def long_running_body(run: TaskRun, args: dict[str, Any]) -> CallToolResult:
    try:
        steps, step_ms = int(args["steps"]), int(args.get("step_ms", 0))
    except (KeyError, TypeError, ValueError):
        return _bad_arguments("long_running_agent", "`steps` (an integer) is required")
    if not 1 <= steps <= long_running.MAX_STEPS:
        return CallToolResult(content=[TextContent(type="text", text=f"steps must be between 1 and "
                                                  f"{long_running.MAX_STEPS}, not {steps}")], is_error=True)
    for i in range(int(run.checkpoint.get("step", 0)) + 1, steps + 1):
        await (anyio.sleep(step_ms / 1000) if step_ms > 0 else run.rt.step())
        await run.progress(i, steps, f"step {i}/{steps}", step=i)
    return result(f"Completed {steps} steps.", structured={"steps": steps, "status": "done"})


async def travel_body(run: TaskRun, args: dict[str, Any]) -> CallToolResult:
    try:
        trip = travel.Trip(str(args["destination"]), int(args.get("travellers", 1)), int(args.get("budget", 0)),
                           str(args.get("dates", "")))
    except (KeyError, TypeError, ValueError):
        return _bad_arguments("travel_agent", "`destination` is required")
    state = run.state
    if not state.can_elicit:
        return _bad_arguments("travel_agent", "travel_agent must confirm the price with the user, but this client "
                                              "did not declare the elicitation capability; no booking was made")
    booking_id = travel.booking_id_for(state.idempotency_key or run.id)
    done = await travel.start_booking(run.rt, booking_id, trip)
    if done is not None:
        return done
    steps = travel.search_steps(booking_id, trip.destination)
    for i in range(int(run.checkpoint.get("step", 0)) + 1, len(steps) + 1):
        await run.progress(i, travel.TOTAL, steps[i - 1], step=i)
        await run.rt.step()
    price = travel.price_for(trip.destination)
    await run.rt.save("booking", booking_id, "awaiting_confirmation", price=price)
    try:
        answer = await run.ask(travel.KEY, travel.confirm_request(trip.destination, price), ElicitResult)
    except MCPError as exc:
        return await travel.could_not_ask(run.rt, booking_id, exc)
    return await travel.finish(run.rt, run.progress, booking_id, trip.destination, price, answer)


async def research_body(run: TaskRun, args: dict[str, Any]) -> CallToolResult:
    try:
        topic = str(args["topic"])
    except KeyError:
        return _bad_arguments("research_agent", "`topic` is required")
    state = run.state
    report_id = research.report_id_for(state.idempotency_key or run.id)
    done = await research.start_report(run.rt, report_id, topic)
    if done is not None:
        return done
    steps = research.research_steps(report_id, topic)
    for i in range(int(run.checkpoint.get("step", 0)) + 1, len(steps) + 1):
        await run.progress(i, research.TOTAL, steps[i - 1], step=i)
        await run.rt.step()
    await run.rt.save("report", report_id, "summarizing", findings=research.findings_of(topic))
    if not state.can_sample:
        return await research.finish(run.rt, run.progress, report_id, topic,
                                      why="the client did not declare the sampling capability")
    try:
        answer = await run.ask(research.KEY, research.summary_request(topic), CreateMessageResult)
    except MCPError as exc:
        return await research.finish(run.rt, run.progress, report_id, topic, why=research.sampling_failed(exc))
    return await research.finish(run.rt, run.progress, report_id, topic, summary=research.text_of(answer))
