"""The standalone GET stream (2025-11-25) cut and resumed while the server sends a fast burst of notifications
that belong to no request (#18): what the stream missed is replayed on the resume, once and in order.

2025-11-25_basic_transports.mdx § Resumability and Redelivery: "The server MAY use this header to replay
messages that would have been sent after the last event ID, on the stream that was disconnected, and to resume
the stream from that point. [...] This mechanism applies regardless of how the original stream was initiated
(via POST or GET)." The checks (harness/checks/streams_standalone.py) read the burst's numbering.
"""

from __future__ import annotations

from typing import Any

import anyio

from scenarios.api import BURST, NotApplicable, Outcome, Revision, ScenarioContext, scenario

R2025 = (Revision.R2025,)
REPLAY = ("http.resume.no-gaps", "http.resume.no-duplicates", "http.resume.order", "http.resume.per-stream")


def _numbered(params: dict[str, Any]) -> tuple[int, int] | None:
    data = params.get("data")
    if isinstance(data, dict) and isinstance(data.get("seq"), int) and isinstance(data.get("count"), int):
        return data["seq"], data["count"]
    return None


@scenario("standalone-burst-cut", "While the server sends a fast burst of log messages that belong to no request "
          "on the standalone GET stream, the client cuts that stream after three events and resumes it with "
          "Last-Event-ID: the reassembled stream carries every message of the burst from the first it got, once "
          "and in order, and nothing of a request's stream.",
          revisions=R2025, roles=(BURST,), checks=REPLAY, tags=("network", "resume", "standalone"))
async def standalone_burst_cut(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(BURST)
    async with anyio.create_task_group() as streams:
        async with ctx.client("A") as c:
            await c.open()
            done: list[Outcome] = []

            async def burst() -> None:
                done.append(await c.call_tool(tool, args, deadline=ctx.deadline(20)))

            streams.start_soon(burst)
            lost = await c.watch_resources(streams, cut_after=3)  # the GET stream, cut mid-burst
            if lost is None or not lost.last_event_id:
                raise NotApplicable("the standalone GET stream delivered no event id to resume from")
            mark = c.mark()
            last_id = lost.last_event_id
            streams.start_soon(lambda: c.resume(lost.stream or "get", last_id, deadline=ctx.deadline(30)))
            ctx.note("the standalone stream was cut mid-burst; resumed", last_event_id=last_id)

            def last_of_burst(params: dict[str, Any]) -> bool:
                numbered = _numbered(params)
                return numbered is not None and numbered[0] == numbered[1] - 1

            # the burst's last message ends the wait; one lost leaves the resume open 8 s (the check's GRACE is 2 s)
            if not any(last_of_burst(p) for p in c.received("notifications/message")):
                await c.notified("notifications/message", ctx.deadline(8), since=mark, where=last_of_burst)
            streams.cancel_scope.cancel()
