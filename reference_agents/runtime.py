"""What every agent shares: the store for its records, the step delay, the behaviour, era tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ResourceLink, TextContent
from mcp_types.version import is_version_at_least

from mcp_wire.revisions import Revision
from reference_agents.behaviour import Behaviour
from reference_agents.event_store import Hooks
from reference_agents.resources import ResourceEvents, moves_forward, uri_of
from reference_agents.storage import Record, Storage

BOOKING_URI = "travel://bookings/{id}"
REPORT_URI = "research://reports/{id}"


@dataclass
class AgentRuntime:
    storage: Storage
    step_delay: float = 0.0
    behaviour: Behaviour = field(default_factory=Behaviour)  # the clean agents, or one mutant's change
    events: ResourceEvents | None = None  # who hears about record changes (resources.py)
    hooks: Hooks | None = None

    async def step(self) -> None:
        """One unit of simulated work (instantaneous with --step-delay 0)."""
        if self.step_delay > 0:
            await anyio.sleep(self.step_delay)

    async def save(self, kind: str, id: str, status: str, **data: Any) -> Record:
        """Create or move a record forward (never back: a refused move returns the record as it is);
        earlier data is kept, `data` adds to it. The change is committed, THEN announced."""
        if self.hooks is not None and self.hooks.before_save is not None:
            await self.hooks.before_save(kind, id, status)
        old = self.storage.get_record(kind, id)
        if old is not None and not moves_forward(kind, old.status, status):
            return old
        uri = uri_of(kind, id)
        changed = old is None or old.status != status
        if (self.events is not None and changed and old is not None
                and await self.behaviour.announce_before_commit(self.events, uri)):
            changed = False
        rec = self.storage.put_record(Record(kind, id, status, {**(old.data if old else {}), **data}))
        if self.events is not None and changed:
            await self.events.changed(uri, created=old is None)
        return rec


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def is_modern(ctx: Context) -> bool:
    """True on the 2026-07-28 (stateless, InputRequiredResult) wire."""
    version = ctx.protocol_version
    return version is not None and is_version_at_least(version, Revision.R2026.value)


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
