"""catalogue_agent: each call adds the seasonal `offer_of_the_day` tool, or removes it if it is listed.

The tool list changes, and the change is announced (`ResourceEvents.list_changed`: 2026 listen streams that
asked for `toolsListChanged` hear notifications/tools/list_changed; 2025 sessions declare no such thing).
"""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent

from reference_agents.runtime import AgentRuntime

OFFER = "offer_of_the_day"


def _text(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)])


def register(mcp: MCPServer, rt: AgentRuntime) -> None:
    async def offer_of_the_day() -> CallToolResult:
        return _text("Today: two nights in Porto for the price of one.")

    @mcp.tool(description=f"Adds the seasonal `{OFFER}` tool, or removes it if it is listed (the tool list changes "
                          "and listeners are told).")
    async def catalogue_agent() -> CallToolResult:
        if mcp._tool_manager.get_tool(OFFER) is None:
            mcp.add_tool(offer_of_the_day, name=OFFER, description="Today's seasonal offer (comes and goes).")
            what = "added"
        else:
            mcp.remove_tool(OFFER)
            what = "removed"
        if rt.events is not None:
            await rt.events.list_changed("tools")
        return _text(f"{OFFER} {what}")
