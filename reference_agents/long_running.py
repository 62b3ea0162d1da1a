"""long_running_agent: N steps, each with a progress and a log notification (for resumption tests)."""

from __future__ import annotations

import math

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult

from reference_agents.runtime import AgentRuntime, is_modern, result

MAX_STEPS = 10_000


def register(mcp: MCPServer, rt: AgentRuntime) -> None:
    completed: dict[str, int] = {}  # job -> runs that completed (the observable effect)

    @mcp.tool(description="Work for N steps, reporting progress and a log line at each step.")
    async def long_running_agent(steps: int, ctx: Context, close_stream_after: int = 0, step_ms: int = 0,
                                 job: str = "") -> CallToolResult:
        """`close_stream_after=k` (2025-11-25 with an event store): after k steps the server closes the
        call's SSE stream on purpose (SEP-1699 polling); the client resumes with Last-Event-ID.
        `step_ms` overrides the step delay; `job` names an effect: every run that COMPLETES adds one to
        the job's counter, returned as `job_runs_completed` (a cancelled run never does)."""
        if not 1 <= steps <= MAX_STEPS:
            raise ToolError(f"steps must be between 1 and {MAX_STEPS}, not {steps}")
        if rt.mutant == "disconnect-ignored-2026" and is_modern(ctx):  # mutant: a closed stream does not cancel
            with anyio.CancelScope(shield=True):
                return await _work(ctx, steps, close_stream_after, step_ms, job)
        return await _work(ctx, steps, close_stream_after, step_ms, job)

    async def _work(ctx: Context, steps: int, close_stream_after: int, step_ms: int, job: str) -> CallToolResult:
        listening = True
        for i in range(1, steps + 1):
            await (anyio.sleep(step_ms / 1000) if step_ms > 0 else rt.step())
            value = 2 if (i == 3 and rt.mutant == "progress-not-increasing") else i  # mutant: 1, 2, 2, 4 ...
            if rt.mutant == "progress-request-id-token":  # mutant: the request id as progress token
                await ctx.session.send_progress_notification(ctx.request_id, value, steps, f"step {i}/{steps}",
                                                             related_request_id=ctx.request_id)
            elif rt.mutant == "notifications-on-get-stream":  # mutant: progress on the standalone GET stream
                meta = ctx.request_context.meta or {}
                token = meta.get("progress_token", meta.get("progressToken"))  # type: ignore[union-attr]
                if token is not None:
                    await ctx.session.send_progress_notification(token, value, steps, f"step {i}/{steps}")
            else:
                # (the mutant carries on with nobody listening: a notification may block for ever)
                with anyio.move_on_after(0.02 if rt.mutant == "disconnect-ignored-2026" else math.inf) as scope:
                    if listening:
                        await ctx.report_progress(value, steps, f"step {i}/{steps}")
                        await ctx.info(f"long_running_agent: step {i} of {steps} done")
                listening = listening and not scope.cancelled_caught
            if i == close_stream_after and not is_modern(ctx):
                await ctx.close_sse_stream()
        structured: dict[str, object] = {"steps": steps, "status": "done"}
        if job:
            completed[job] = completed.get(job, 0) + 1
            structured["job_runs_completed"] = completed[job]
        return result(f"Completed {steps} steps.", structured=structured)
