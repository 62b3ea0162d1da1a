"""Small steps scenarios share."""

from __future__ import annotations

from scenarios.api import JSON, NotApplicable, ScenarioContext


async def count_events(ctx: ScenarioContext, tool: str, args: JSON) -> int:
    """How many SSE events an undisturbed call of `tool` carries, priming and response included."""
    async with ctx.client("probe") as c:
        await c.open()
        out = await c.call_tool(tool, args, progress_token="probe", deadline=ctx.deadline(20))
    if out.response is None:
        raise NotApplicable(f"an undisturbed call of {tool!r} ended without a response ({out.ended})")
    if not out.events:
        raise NotApplicable(f"{tool!r} answered with JSON, not an SSE stream: nothing to cut")
    return len(out.events)
