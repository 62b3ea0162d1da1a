"""What every agent shares: the store for its records, the step delay, the mutant, era tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ResourceLink, TextContent
from mcp_types.version import is_version_at_least

from reference_agents.storage import Record, Storage

BOOKING_URI = "travel://bookings/{id}"
REPORT_URI = "research://reports/{id}"


@dataclass
class AgentRuntime:
    storage: Storage
    step_delay: float = 0.0
    mutant: str | None = None

    async def step(self) -> None:
        """One unit of simulated work (instantaneous with --step-delay 0)."""
        if self.step_delay > 0:
            await anyio.sleep(self.step_delay)

    def save(self, kind: str, id: str, status: str, **data: Any) -> Record:
        """Create or move a record forward; earlier data is kept, `data` adds to it."""
        old = self.storage.get_record(kind, id)
        merged = {**(old.data if old else {}), **data}
        return self.storage.put_record(Record(kind, id, status, merged))


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def is_modern(ctx: Context) -> bool:
    """True on the 2026-07-28 (stateless, InputRequiredResult) wire."""
    version = ctx.protocol_version
    return version is not None and is_version_at_least(version, "2026-07-28")


def load_state(ctx: Context) -> dict[str, Any] | None:
    """The plaintext requestState of a 2026 retry round (MCPServer seals/unseals it), or None."""
    if not ctx.request_state:
        return None
    try:
        state = json.loads(ctx.request_state)
    except ValueError:
        return None
    return state if isinstance(state, dict) else None


def result(text: str, *, structured: dict[str, Any], link: tuple[str, str] | None = None,
           is_error: bool = False) -> CallToolResult:
    content: list[Any] = [TextContent(type="text", text=text)]
    if link is not None:
        content.append(ResourceLink(type="resource_link", uri=link[0], name=link[1], mime_type="application/json"))
    return CallToolResult(content=content, structured_content=structured, is_error=is_error)
