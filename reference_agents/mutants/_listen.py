"""The SDK's ListenHandler (mcp/server/subscriptions.py, mcp 2.3.0) copied, with the two listen mutants'
changes as switches: `updates_before_ack` (listen-no-ack) sends an update for each requested URI before
the acknowledgment; `delivers_all` (listen-unrequested) delivers every event, requested or not."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.context import ServerRequestContext
from mcp.server.subscriptions import (
    SUBSCRIPTION_ID_META_KEY,
    ListenHandler,
    ResourceUpdated,
    ServerEvent,
    SubscriptionBus,
)
from mcp.shared.exceptions import MCPError
from mcp.shared.subscriptions import event_matches, event_to_notification
from mcp_types import (
    INVALID_REQUEST,
    SubscriptionFilter,
    SubscriptionsAcknowledgedNotification,
    SubscriptionsAcknowledgedNotificationParams,
    SubscriptionsListenRequestParams,
    SubscriptionsListenResult,
)


class ListenHandlerCopy(ListenHandler):
    def __init__(self, bus: SubscriptionBus, *, updates_before_ack: bool = False, delivers_all: bool = False) -> None:
        super().__init__(bus)
        self.updates_before_ack = updates_before_ack
        self.delivers_all = delivers_all

    async def __call__(self, ctx: ServerRequestContext[Any, Any],
                       params: SubscriptionsListenRequestParams) -> SubscriptionsListenResult:
        sid = ctx.request_id
        if sid is None:
            raise MCPError(INVALID_REQUEST, "subscriptions/listen requires a request id")
        requested = params.notifications
        honored = SubscriptionFilter(
            resources_list_changed=True if requested.resources_list_changed else None,
            tools_list_changed=True if requested.tools_list_changed else None,
            prompts_list_changed=True if requested.prompts_list_changed else None,
            resource_subscriptions=list(requested.resource_subscriptions) if requested.resource_subscriptions else None)
        uris = frozenset(honored.resource_subscriptions or ())
        meta: dict[str, Any] = {SUBSCRIPTION_ID_META_KEY: sid}
        send, recv = anyio.create_memory_object_stream[ServerEvent](1024)

        def deliver(event: ServerEvent) -> None:
            if self.delivers_all or event_matches(honored, uris, event):
                try:
                    send.send_nowait(event)
                except (anyio.ClosedResourceError, anyio.WouldBlock):
                    pass

        unsubscribe = self._bus.subscribe(deliver)
        try:
            if self.updates_before_ack:
                for uri in sorted(uris):
                    await ctx.session.send_notification(event_to_notification(ResourceUpdated(uri=uri), meta),
                                                        related_request_id=sid)
            await ctx.session.send_notification(SubscriptionsAcknowledgedNotification(
                params=SubscriptionsAcknowledgedNotificationParams(notifications=honored, _meta=meta)),
                related_request_id=sid)
            async for event in recv:
                await ctx.session.send_notification(event_to_notification(event, meta), related_request_id=sid)
        finally:
            unsubscribe()
            send.close()
            recv.close()
        return SubscriptionsListenResult(_meta=meta)
