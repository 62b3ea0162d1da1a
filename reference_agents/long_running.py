"""long_running_agent: N steps, each with a progress and a log notification (for resumption tests)."""

from __future__ import annotations

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult

from reference_agents.runtime import AgentRuntime, is_modern, result

MAX_STEPS = 10_000


def register(mcp: MCPServer, rt: AgentRuntime) -> None:
    @mcp.tool(description="Work for N steps, reporting progress and a log line at each step.")
    async def long_running_agent(steps: int, ctx: Context, close_stream_after: int = 0) -> CallToolResult:
        """`close_stream_after=k` (2025-11-25 with an event store): after k steps the server closes the
        call's SSE stream on purpose (SEP-1699 polling); the client resumes with Last-Event-ID."""
        if not 1 <= steps <= MAX_STEPS:
            raise ToolError(f"steps must be between 1 and {MAX_STEPS}, not {steps}")
        for i in range(1, steps + 1):
            await rt.step()
            value = 2 if (i == 3 and rt.mutant == "progress-not-increasing") else i  # mutant: 1, 2, 2, 4 ...
            if rt.mutant == "progress-request-id-token":  # mutant: the request id as progress token
                await ctx.session.send_progress_notification(ctx.request_id, value, steps, f"step {i}/{steps}",
                                                             related_request_id=ctx.request_id)
            else:
                await ctx.report_progress(value, steps, f"step {i}/{steps}")
            await ctx.info(f"long_running_agent: step {i} of {steps} done")
            if i == close_stream_after and not is_modern(ctx):
                await ctx.close_sse_stream()
        return result(f"Completed {steps} steps.", structured={"steps": steps, "status": "done"})
