"""2026-07-28: a tool-list change is announced on a subscriptions/listen stream that asked for it.

Only `scenarios.api` is imported: the list_change role from the profile (NOT-APPLICABLE without one), the
recording client's `open`, `call`, `call_tool`, `mark` and `notified`.
"""

from __future__ import annotations

import anyio

from scenarios.api import LIST_CHANGE, Revision, ScenarioContext, scenario

TOOLS_CHANGED = "notifications/tools/list_changed"
ACK = "notifications/subscriptions/acknowledged"


@scenario("tools-list-changed", "Open subscriptions/listen with toolsListChanged, list the tools, call the "
          "list_change tool (the list changes), wait up to 5 s for notifications/tools/list_changed, list the tools "
          "again; then once more, back to the first list: each change must be announced on the listen stream.",
          revisions=(Revision.R2026,), roles=(LIST_CHANGE,), checks=("tools.list-changed",),
          tags=("stateless", "subscriptions"))
async def tools_list_changed(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(LIST_CHANGE)
    async with ctx.client("A") as c:
        await c.open()
        async with anyio.create_task_group() as streams:
            mark = c.mark()
            streams.start_soon(lambda: c.call("subscriptions/listen", {"notifications": {"toolsListChanged": True}},
                                              deadline=ctx.deadline(30), purpose="listen"))
            try:
                if await c.notified(ACK, ctx.deadline(5), since=mark) is None:
                    ctx.note("the listen stream was not acknowledged within 5 s")
                    return
                for _ in range(2):  # a tool comes, then goes (the role toggles it)
                    await c.call("tools/list", {}, deadline=ctx.deadline(10))
                    mark = c.mark()
                    await c.call_tool(tool, args, deadline=ctx.deadline(10))
                    await c.notified(TOOLS_CHANGED, ctx.deadline(5), since=mark)
                    await c.call("tools/list", {}, deadline=ctx.deadline(10))
            finally:
                streams.cancel_scope.cancel()
