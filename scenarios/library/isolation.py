"""Stream and session isolation: replay must never cross a stream or a session (2025-11-25)."""

from __future__ import annotations

import anyio

from scenarios.api import PROGRESS, Client, Outcome, Revision, ScenarioContext, scenario

R2025 = (Revision.R2025,)


@scenario("stream-isolation", "Two calls in one session, one of them cut after its first event and resumed "
          "once the other has run to its end: the resume carries only its own stream's events, the other call "
          "is undisturbed. Any tool that sends two or more events plays it (the progress role).",
          revisions=R2025, roles=(PROGRESS,),
          checks=("http.resume.per-stream", "http.post.related", "progress.token.active"), tags=("isolation",))
async def stream_isolation(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(PROGRESS)
    async with ctx.client("A") as c:
        await c.open()
        # Cut after the first event (the priming event, or the first notification): whatever the tool sends
        # next is stored after the Last-Event-ID the client holds.
        cut = await c.call_tool(tool, args, progress_token="iso-cut", cut_after=1, deadline=ctx.deadline(15))
        # The other call runs to its end in the same session (while the cut call may still be working): every
        # event of its stream is stored after that Last-Event-ID too, so a resume that crosses streams shows it.
        await c.call_tool(tool, args, progress_token="iso-whole", deadline=ctx.deadline(15))
        await c.finish(cut)


@scenario("session-isolation", "Two sessions use the same JSON-RPC request id, both are cut and resume "
          "concurrently: neither may receive the other's events.",
          revisions=R2025, roles=(PROGRESS,), checks=("http.resume.foreign-id", "http.resume.per-stream"),
          tags=("isolation",))
async def session_isolation(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(PROGRESS)
    async with ctx.client("A") as a, ctx.client("B") as b:
        await a.open()
        await b.open()
        cut: dict[str, Outcome] = {}

        async def call(label: str, c: Client) -> None:
            cut[label] = await c.call_tool(tool, args, request_id=1001, progress_token=f"sess-{label}",
                                           cut_after=2, deadline=ctx.deadline(15))

        async with anyio.create_task_group() as tg:
            tg.start_soon(call, "A", a)
            tg.start_soon(call, "B", b)
        async with anyio.create_task_group() as tg:
            tg.start_soon(a.finish, cut["A"])
            tg.start_soon(b.finish, cut["B"])
        # And the sharpest probe: B presents A's event id.
        foreign = cut["A"]
        if foreign.last_event_id and foreign.stream:
            ctx.note("client B presents client A's Last-Event-ID", foreign_id=foreign.last_event_id)
            await b.resume(foreign.stream, foreign.last_event_id, deadline=ctx.deadline(5))


@scenario("get-stream-unrelated", "A call runs while the session's standalone GET stream is open: the "
          "call's progress must arrive on the call's own stream, not on the GET stream.",
          revisions=R2025, roles=(PROGRESS,), checks=("http.post.related",), tags=("isolation",))
async def get_stream_unrelated(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(PROGRESS)
    async with ctx.client("A") as c:
        await c.open()
        async with anyio.create_task_group() as tg:
            # the GET stream is open once its first event (priming) arrived; a server that primes nothing gets
            # a moment's grace, then the call goes ahead
            if not await c.open_standalone_stream(tg, deadline=ctx.deadline(15), wait=ctx.deadline(2)):
                ctx.note("the GET stream delivered no event (no priming) before the call")
            await c.call_tool(tool, args, progress_token="own-stream", deadline=ctx.deadline(15))
            tg.cancel_scope.cancel()
