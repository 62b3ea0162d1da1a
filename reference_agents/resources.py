"""Bookings and reports as resources, and who hears about their changes.

A record (storage.Record) is a resource from the moment its tool starts: `travel://bookings/{id}`
or `research://reports/{id}`, with a status that only moves forward (`STATUS_RANK`). Every change
is committed to the store first (the same store as the SSE events: sqlite survives a restart),
THEN announced, so a client that reads after a notification sees that status or a later one:

- 2025-11-25: `notifications/resources/list_changed` to every session that has a list to refresh (it
  called resources/list or resources/subscribe: a session that never listed has none; and under
  `faultline run -j N` the other runs' sessions do not hear of this one's bookings) when a record appears, and
  `notifications/resources/updated` `{uri}` to the sessions that `resources/subscribe`d to it, on
  each session's standalone GET stream (stored in the session's event store, so resumable).
- 2026-07-28: the same events published on the MCPServer's `SubscriptionBus`; the SDK's
  `ListenHandler` delivers them on `subscriptions/listen` streams (ack first, every frame stamped
  with the subscription id, only what the stream asked for).
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import NotificationOptions
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.server.session import ServerSession
from mcp.server.subscriptions import (
    PromptsListChanged,
    ResourcesListChanged,
    ResourceUpdated,
    SubscriptionBus,
    ToolsListChanged,
)
from mcp_types import (
    EmptyResult,
    ResourceListChangedNotification,
    ResourceUpdatedNotification,
    ResourceUpdatedNotificationParams,
    SubscribeRequestParams,
    SubscriptionsListenRequestParams,
    ToolExecution,
    UnsubscribeRequestParams,
)
from mcp_types import Resource as MCPResource
from mcp_types import Tool as MCPTool
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from reference_agents.behaviour import Behaviour

logger = logging.getLogger(__name__)

URIS = {"booking": "travel://bookings/{id}", "report": "research://reports/{id}"}
# forward-only: a record never moves to a lower rank, and a final status (rank 2) never changes
STATUS_RANK = {
    "booking": {"pending": 0, "awaiting_confirmation": 1, "confirmed": 2, "cancelled": 2},
    "report": {"researching": 0, "summarizing": 1, "done": 2, "summary_unavailable": 2},
}
SEND_TIMEOUT = 5.0  # one notification to one session; a wedged session is dropped, never waited on


def uri_of(kind: str, id: str) -> str:
    return URIS[kind].format(id=id)


def moves_forward(kind: str, old: str, new: str) -> bool:
    ranks = STATUS_RANK[kind]
    return old == new or (ranks[new] > ranks[old] and ranks[old] < 2)


class ResourceEvents:
    """The 2025-11-25 sessions (and their subscriptions) and the 2026-07-28 bus."""

    def __init__(self, bus: SubscriptionBus, behaviour: Behaviour | None = None) -> None:
        self.bus = bus
        self.behaviour = behaviour or Behaviour()
        self._sessions: dict[str, ServerSession] = {}  # session id -> a handle on its standalone stream
        self._subscriptions: dict[str, set[str]] = {}  # session id -> subscribed URIs
        self._listing: set[str] = set()  # the sessions that listed or subscribed: they hear of list changes
        self._reads: dict[str, anyio.Event] = {}  # uri -> set by its next read (`expect_read`)

    # --- 2025-11-25 sessions ------------------------------------------------------------
    def track(self, ctx: ServerRequestContext[Any, Any]) -> str | None:
        """Remember the legacy session a request came from (list_changed goes to those that listed)."""
        if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS or ctx.request is None:
            return None
        headers = getattr(ctx.request, "headers", None)
        sid = headers.get("mcp-session-id") if headers is not None else None
        if sid:
            self._sessions[sid] = ctx.session
            if ctx.method in ("resources/list", "resources/subscribe"):
                self._listing.add(sid)
        return sid

    def forget(self, sid: str) -> None:
        """The session ended (DELETE, idle timeout, shutdown): no more notifications for it."""
        self._sessions.pop(sid, None)
        self._subscriptions.pop(sid, None)
        self._listing.discard(sid)

    async def middleware(self, ctx: ServerRequestContext[Any, Any], call_next: Any) -> Any:
        self.track(ctx)
        return await call_next(ctx)

    async def on_subscribe(self, ctx: ServerRequestContext[Any, Any], params: SubscribeRequestParams) -> EmptyResult:
        sid = self.track(ctx)
        if sid is not None:
            self._subscriptions.setdefault(sid, set()).add(params.uri)
        return EmptyResult()

    async def on_unsubscribe(self, ctx: ServerRequestContext[Any, Any],
                             params: UnsubscribeRequestParams) -> EmptyResult:
        sid = self.track(ctx)
        if sid is not None:
            self.behaviour.unsubscribe(self._subscriptions.get(sid, set()), params.uri)
        return EmptyResult()

    async def _send(self, sid: str, note: ResourceUpdatedNotification | ResourceListChangedNotification) -> None:
        session = self._sessions.get(sid)
        if session is None:
            return
        ok = False
        with anyio.move_on_after(SEND_TIMEOUT):
            try:
                await session.send_notification(note)  # no related request: the standalone GET stream
                ok = True
            except Exception:  # the session is gone (deleted, idle, restarted)
                logger.debug("dropping session %s: its stream is closed", sid[:16])
        if not ok:
            self.forget(sid)

    # --- announcing ---------------------------------------------------------------------
    async def list_changed(self, kind: str) -> None:
        """The tool (`kind` "tools") or prompt ("prompts") list changed: 2026 listen streams that asked for it
        hear notifications/{kind}/list_changed (SEP-2575 SHOULD; 2025 sessions: not declared, not sent)."""
        async def announce() -> None:
            await self.bus.publish(ToolsListChanged() if kind == "tools" else PromptsListChanged())

        await self.behaviour.announce_list_change(kind, announce)

    async def changed(self, uri: str, *, created: bool) -> None:
        """Announce a committed change of `uri` (`created`: it just appeared)."""
        if created:
            await self.bus.publish(ResourcesListChanged())
            async with anyio.create_task_group() as tg:  # every session at once: one slow stream delays none
                for sid in [s for s in self._sessions if s in self._listing]:  # (one by one, 200 sessions held a
                    # booking ~10 s: faultline load)
                    tg.start_soon(self._send, sid, ResourceListChangedNotification())

        async def announce() -> None:
            await self.bus.publish(ResourceUpdated(uri=uri))
            note = ResourceUpdatedNotification(params=ResourceUpdatedNotificationParams(uri=uri))
            async with anyio.create_task_group() as tg:
                for sid, uris in list(self._subscriptions.items()):
                    if uri in uris:
                        tg.start_soon(self._send, sid, note)

        await self.behaviour.announce_update(uri, announce)

    def expect_read(self, uri: str) -> anyio.Event:
        """An event set by the next read of `uri` (`read_done`)."""
        event = self._reads[uri] = anyio.Event()
        return event

    def read_done(self, uri: str) -> None:
        event = self._reads.pop(uri, None)
        if event is not None:
            event.set()


class AgentsMCP(MCPServer):
    """MCPServer whose `resources/list` also lists every booking and report, and whose
    `resources/read` of an unknown URI is a JSON-RPC error -32602 (never empty contents)."""

    records: Any = None  # set by server.build_mcp: () -> Iterable[(kind, Record)]
    task_tools: frozenset[str] = frozenset()  # tools that can run as tasks (execution.taskSupport "optional")
    required_task_tools: frozenset[str] = frozenset()  # ... and those that must ("required")

    def __init__(self, *args: Any, behaviour: Behaviour, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.behaviour = behaviour

    async def list_tools(self) -> list[MCPTool]:
        tools = await super().list_tools()
        return [t.model_copy(update={"execution": ToolExecution(
                    task_support="required" if t.name in self.required_task_tools else "optional")})
                if t.name in self.task_tools else t for t in tools]

    async def list_resources(self) -> list[MCPResource]:
        listed = await super().list_resources()
        for kind, rec in self.records() if self.records is not None else ():
            listed.append(MCPResource(uri=uri_of(kind, rec.id), name=f"{kind}-{rec.id}",
                                      description=f"{kind} {rec.id}: {rec.status}", mime_type="application/json"))
        return listed

    async def read_resource(self, uri: Any, context: Context[Any, Any] | None = None) -> Any:
        try:
            return await super().read_resource(uri, context)
        except ResourceNotFoundError as exc:
            return self.behaviour.read_unknown_resource(exc)


def install(mcp: MCPServer, events: ResourceEvents) -> None:
    """2025 subscribe/unsubscribe, session tracking, `listChanged: true`; the behaviour's listen handler."""
    low = mcp._lowlevel_server
    low.add_request_handler("resources/subscribe", SubscribeRequestParams, events.on_subscribe)
    low.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, events.on_unsubscribe)
    low.middleware.append(events.middleware)
    plain_options = low.create_initialization_options

    def options(notification_options: NotificationOptions | None = None, *args: Any, **kwargs: Any) -> Any:
        # the SDK derives 2025 `listChanged` from NotificationOptions only (2026: from listen being served)
        return plain_options(notification_options or NotificationOptions(resources_changed=True), *args, **kwargs)

    low.create_initialization_options = options  # type: ignore[method-assign]
    listen = events.behaviour.listen_handler(events.bus)
    if listen is not None:
        low.add_request_handler("subscriptions/listen", SubscriptionsListenRequestParams, listen)
