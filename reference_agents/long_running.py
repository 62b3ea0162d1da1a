"""long_running_agent: N steps, each with a progress and a log notification (for resumption tests)."""

from __future__ import annotations

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult

from reference_agents.runtime import AgentRuntime, result

MAX_STEPS = 10_000


def register(mcp: MCPServer, rt: AgentRuntime) -> None:
    @mcp.tool(description="Work for N steps, reporting progress and a log line at each step.")
    async def long_running_agent(steps: int, ctx: Context) -> CallToolResult:
        if not 1 <= steps <= MAX_STEPS:
            raise ToolError(f"steps must be between 1 and {MAX_STEPS}, not {steps}")
        for i in range(1, steps + 1):
            await rt.step()
            await ctx.report_progress(i, steps, f"step {i}/{steps}")
            await ctx.info(f"long_running_agent: step {i} of {steps} done")
        return result(f"Completed {steps} steps.", structured={"steps": steps, "status": "done"})
