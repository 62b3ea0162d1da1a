"""Stream and session isolation: replay must never cross a stream or a session (2025-11-25)."""

from __future__ import annotations

from typing import Any

import anyio

from harness.revisions import Revision
from scenarios.api import EFFECT, PROGRESS, scenario
from scenarios.steps import resume_to_end

R2025 = (Revision.R2025,)


@scenario("stream-isolation", "Two concurrent calls in one session, one of them cut and resumed: the "
          "resume carries only its own stream's events, the other call is undisturbed.",
          revisions=R2025, roles=(PROGRESS, EFFECT),
          checks=("http.resume.per-stream", "http.post.related", "progress.token.active"), tags=("isolation",))
async def stream_isolation(ctx: Any) -> None:
    tool, args = ctx.role(PROGRESS)
    slow, slow_args = ctx.role(EFFECT)  # still streaming while the other call is cut and resumed
    async with ctx.client("A") as c:
        await c.open()
        outcomes: dict[str, Any] = {}

        async def whole() -> None:
            outcomes["whole"] = await c.call_tool(slow, slow_args, progress_token="iso-whole",
                                                  deadline=ctx.deadline(15))

        async def cut() -> None:
            outcomes["cut"] = await c.call_tool(tool, args, progress_token="iso-cut", cut_after=2,
                                                deadline=ctx.deadline(15))

        async with anyio.create_task_group() as tg:
            tg.start_soon(whole)
            tg.start_soon(cut)
        await resume_to_end(ctx, c, outcomes["cut"])  # after the other stream stored all of its events


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
          revisions=R2025, roles=(EFFECT,), checks=("http.post.related",), tags=("isolation",))
async def get_stream_unrelated(ctx: Any) -> None:
    tool, args = ctx.role(EFFECT)  # slow enough that the GET stream is open before its first progress
    async with ctx.client("A") as c:
        await c.open()
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: c.open_get_stream(deadline=ctx.deadline(15)))
            await c.call_tool(tool, args, progress_token="own-stream", deadline=ctx.deadline(15))
            tg.cancel_scope.cancel()
