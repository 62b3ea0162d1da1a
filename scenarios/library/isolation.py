"""Stream and session isolation: replay must never cross a stream or a session (2025-11-25)."""

from __future__ import annotations

from typing import Any

import anyio

from harness.revisions import Revision
from scenarios.api import PROGRESS, scenario
from scenarios.steps import resume_to_end

R2025 = (Revision.R2025,)


@scenario("stream-isolation", "Two calls in one session, one of them cut after its first event and resumed "
          "once the other has run to its end: the resume carries only its own stream's events, the other call "
          "is undisturbed. Any tool that sends two or more events plays it (the progress role).",
          revisions=R2025, roles=(PROGRESS,),
          checks=("http.resume.per-stream", "http.post.related", "progress.token.active"), tags=("isolation",))
async def stream_isolation(ctx: Any) -> None:
    tool, args = ctx.role(PROGRESS)
    async with ctx.client("A") as c:
        await c.open()
        # Cut after the first event (the priming event, or the first notification): whatever the tool sends
        # next is stored after the Last-Event-ID the client holds.
        cut = await c.call_tool(tool, args, progress_token="iso-cut", cut_after=1, deadline=ctx.deadline(15))
        # The other call runs to its end in the same session (while the cut call may still be working): every
        # event of its stream is stored after that Last-Event-ID too, so a resume that crosses streams shows it.
        await c.call_tool(tool, args, progress_token="iso-whole", deadline=ctx.deadline(15))
        await resume_to_end(ctx, c, cut)


@scenario("session-isolation", "Two sessions use the same JSON-RPC request id, both are cut and resume "
          "concurrently: neither may receive the other's events.",
          revisions=R2025, roles=(PROGRESS,), checks=("http.resume.foreign-id", "http.resume.per-stream"),
          tags=("isolation",))
async def session_isolation(ctx: Any) -> None:
    tool, args = ctx.role(PROGRESS)
    async with ctx.client("A") as a, ctx.client("B") as b:
        await a.open()
        await b.open()
        cut: dict[str, Any] = {}

        async def call(label: str, c: Any) -> None:
            cut[label] = await c.call_tool(tool, args, request_id=1001, progress_token=f"sess-{label}",
                                           cut_after=2, deadline=ctx.deadline(15))

        async with anyio.create_task_group() as tg:
            tg.start_soon(call, "A", a)
            tg.start_soon(call, "B", b)
        async with anyio.create_task_group() as tg:
            tg.start_soon(resume_to_end, ctx, a, cut["A"])
            tg.start_soon(resume_to_end, ctx, b, cut["B"])
        # And the sharpest probe: B presents A's event id.
        if cut["A"].last_event_id:
            ctx.note("client B presents client A's Last-Event-ID", foreign_id=cut["A"].last_event_id)
            await b.resume(cut["A"].stream, cut["A"].last_event_id, deadline=ctx.deadline(5))


@scenario("get-stream-unrelated", "A call runs while the session's standalone GET stream is open: the "
          "call's progress must arrive on the call's own stream, not on the GET stream.",
          revisions=R2025, roles=(PROGRESS,), checks=("http.post.related",), tags=("isolation",))
async def get_stream_unrelated(ctx: Any) -> None:
    tool, args = ctx.role(PROGRESS)
    async with ctx.client("A") as c:
        await c.open()
        async with anyio.create_task_group() as tg:
            mark = len(c.seen)
            tg.start_soon(lambda: c.open_get_stream(deadline=ctx.deadline(15)))
            # the GET stream is open once its first event (priming) arrived; a server that primes nothing gets
            # a moment's grace, then the call goes ahead
            if await c.wait_for(lambda ev: ev.stream == "get", ctx.deadline(2), start=mark) is None:
                ctx.note("the GET stream delivered no event (no priming) before the call")
            await c.call_tool(tool, args, progress_token="own-stream", deadline=ctx.deadline(15))
            tg.cancel_scope.cancel()
