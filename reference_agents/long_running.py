"""long_running_agent: N steps, each with a progress and a log notification (for resumption tests)."""

from __future__ import annotations

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult

from reference_agents.runtime import AgentRuntime, is_modern, result

MAX_STEPS = 10_000
MAX_BURST = 500
BURST_LOGGER = "faultline-burst"


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
        return await rt.behaviour.tool_response(
            f"{id(ctx.session):x}", ctx.request_id, lambda: rt.behaviour.run_long_call(
                ctx, lambda notify_timeout: _work(ctx, steps, close_stream_after, step_ms, job, notify_timeout)))

    async def _work(ctx: Context, steps: int, close_stream_after: int, step_ms: int, job: str,
                    notify_timeout: float) -> CallToolResult:
        """`notify_timeout`: how long one step's notifications may block (a run that outlives its closed
        stream carries on with nobody listening; clean: no limit, the run is cancelled with its call)."""
        listening = True
        for i in range(1, steps + 1):
            await (anyio.sleep(step_ms / 1000) if step_ms > 0 else rt.step())
            value = rt.behaviour.progress_value(i)

            async def send(value: float = value, i: int = i) -> None:
                await ctx.report_progress(value, steps, f"step {i}/{steps}")
                await ctx.info(f"long_running_agent: step {i} of {steps} done")

            with anyio.move_on_after(notify_timeout) as scope:
                if listening:
                    await rt.behaviour.send_step_progress(ctx, value, i, steps, send)
            listening = listening and not scope.cancelled_caught
            if i == close_stream_after and not is_modern(ctx):
                await ctx.close_sse_stream()
        structured: dict[str, object] = {"steps": steps, "status": "done"}
        if job:
            completed[job] = completed.get(job, 0) + 1
            structured["job_runs_completed"] = completed[job]
            structured["job"] = job  # whose effect this is (a client sees if it got another's result)
        return result(f"Completed {steps} steps.", structured=structured)


def register_burst(mcp: MCPServer) -> None:
    @mcp.tool(description="Send a fast burst of N log messages that belong to no request (2025-11-25: the "
                          "session's standalone GET stream), then answer.")
    async def announce_burst(ctx: Context, count: int = 20, gap_ms: int = 5, tag: str = "burst") -> CallToolResult:
        """Each message's data is {burst: tag, seq: 0..count-1, count}: the history shows which were lost,
        delivered twice or reordered on the standalone stream across its cuts and resumes. 2026-07-28 has no
        stream outside a request: an error result."""
        if not 1 <= count <= MAX_BURST:
            raise ToolError(f"count must be between 1 and {MAX_BURST}, not {count}")
        if is_modern(ctx):
            return result("2026-07-28 has no standalone stream", structured={"burst": tag, "count": 0},
                          is_error=True)
        for seq in range(count):
            await ctx.session.send_log_message("info", {"burst": tag, "seq": seq, "count": count},
                                               logger=BURST_LOGGER)  # no related request: the GET stream
            await anyio.sleep(max(gap_ms, 0) / 1000)
        return result(f"Sent {count} messages on the standalone stream.", structured={"burst": tag, "count": count})
