"""Cuts and resumes of a POST stream (2025-11-25 resumability)."""

from __future__ import annotations

from scenarios.api import EFFECT, LONG, PROGRESS, SERVER_CLOSE, Revision, ScenarioContext, scenario
from scenarios.steps import count_events

R2025 = (Revision.R2025,)
RESUME_CHECKS = ("http.sse.priming", "http.resume.no-gaps", "http.resume.no-duplicates",
                 "http.post.eventually-response", "progress.monotonic")


@scenario("resume-each-boundary", "Cut the call's stream after each event in turn and resume by "
          "GET + Last-Event-ID: every resume must deliver exactly the missed events, then the response once.",
          revisions=R2025, roles=(PROGRESS,), checks=RESUME_CHECKS, tags=("resume", "long"))
async def resume_each_boundary(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(PROGRESS)
    total = await count_events(ctx, tool, args)
    async with ctx.client("A") as c:
        await c.open()
        for k in range(1, total):
            ctx.note(f"cut after {k} of {total} events, then resume", cut_after=k)
            out = await c.call_tool(tool, args, progress_token=f"tok-{k}", cut_after=k, deadline=ctx.deadline(15))
            last = await c.finish(out)
            if last.ended == "timeout":
                ctx.note("a resume hung until its deadline: the other boundaries are skipped")
                break


@scenario("resume-mid-event", "Cut the stream in the middle of an event's bytes, then resume: the "
          "half-received event must be replayed whole.",
          revisions=R2025, roles=(PROGRESS,), checks=RESUME_CHECKS, tags=("resume",))
async def resume_mid_event(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(PROGRESS)
    async with ctx.client("A") as c:
        await c.open()
        out = await c.call_tool(tool, args, progress_token="mid", cut_after=2, cut_mid_event=True,
                                deadline=ctx.deadline(15))
        await c.finish(out)


@scenario("resume-cut-again", "Cut, resume, and cut the resume again before any new event id arrives: "
          "the second resume from the same id must still deliver everything.",
          revisions=R2025, roles=(PROGRESS,), checks=RESUME_CHECKS, tags=("resume",))
async def resume_cut_again(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(PROGRESS)
    async with ctx.client("A") as c:
        await c.open()
        out = await c.call_tool(tool, args, progress_token="again", cut_after=2, deadline=ctx.deadline(15))
        await c.finish(out, first_cut=0)


@scenario("resume-during-replay", "Let events pile up after a cut, then cut the resume while it is "
          "replaying them, and resume once more.",
          revisions=R2025, roles=(LONG,), checks=RESUME_CHECKS, tags=("resume",))
async def resume_during_replay(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(LONG)
    async with ctx.client("A") as c:
        await c.open()
        out = await c.call_tool(tool, args, progress_token="replay", cut_after=2, deadline=ctx.deadline(15))
        await c.finish(out, first_cut=2)


@scenario("resume-unknown-id", "Resume with a Last-Event-ID the server never issued: it must replay nothing "
          "(any status will do; a stream it holds open is then the session's standalone stream).",
          revisions=R2025, checks=("http.resume.foreign-id",), tags=("resume",))
async def resume_unknown_id(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.resume("post:unknown", "faultline-never-issued-0", deadline=ctx.deadline(5))


@scenario("resume-after-result", "Resume a stream that already carried its response, from its first "
          "event id: the rest is replayed, the response once, and the stream ends.",
          revisions=R2025, roles=(PROGRESS,), checks=RESUME_CHECKS + ("http.post.response-terminates",),
          tags=("resume",))
async def resume_after_result(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(PROGRESS)
    async with ctx.client("A") as c:
        await c.open()
        out = await c.call_tool(tool, args, progress_token="after", deadline=ctx.deadline(15))
        first = next((e.id for e in out.events if e.id), None)
        if first and out.stream:
            await c.resume(out.stream, first, deadline=ctx.deadline(10))


@scenario("server-close-retry", "The server closes the call's stream mid-way on purpose (SEP-1699 "
          "polling): it must have sent `retry` (and an event id) first; the client waits `retry` and resumes.",
          revisions=R2025, roles=(SERVER_CLOSE,),
          checks=("http.sse.retry-before-close", "http.resume.no-gaps", "http.post.eventually-response"),
          tags=("resume",))
async def server_close_retry(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(SERVER_CLOSE)
    async with ctx.client("A") as c:
        await c.open()
        out = await c.call_tool(tool, args, progress_token="polled", deadline=ctx.deadline(15))
        await c.finish(out)


@scenario("disconnect-not-cancel", "Cut a slow call's stream after its first event (2025-11-25: a disconnect "
          "is not a cancellation) and resume: the call must still reach its result.",
          revisions=R2025, roles=(EFFECT,), checks=("http.disconnect.not-cancel", "http.post.eventually-response"),
          tags=("resume",))
async def disconnect_not_cancel(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(EFFECT)
    async with ctx.client("A") as c:
        await c.open()
        out = await c.call_tool(tool, args, progress_token="keep-going", cut_after=2, deadline=ctx.deadline(15))
        await c.finish(out)
