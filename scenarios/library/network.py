"""Faults from the nemesis: latency, slicing, a slow consumer, the network down, a server restart."""

from __future__ import annotations

from scenarios.api import ELICIT, LONG, PROGRESS, Answers, Revision, ScenarioContext, scenario

PROGRESS_CHECKS = ("progress.monotonic", "progress.token.active", "progress.stop-after-completion")


@scenario("progress-latency-slicer", "Progress streamed through latency + jitter and a slicer that cuts "
          "the bytes into small pieces: notifications arrive whole, strictly increasing, before the response.",
          roles=(PROGRESS,), checks=PROGRESS_CHECKS, tags=("network", "progress"))
async def progress_latency_slicer(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(PROGRESS)
    await ctx.fault("latency", {"latency": 20, "jitter": 10})
    await ctx.fault("slicer", {"average_size": 16, "size_variation": 8, "delay": 200})
    async with ctx.client("A") as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="sliced", deadline=ctx.deadline(30))


@scenario("slow-consumer", "A client on a thin pipe (bandwidth 8 KB/s) reads a long stream: nothing is "
          "lost or reordered.",
          roles=(LONG,), checks=PROGRESS_CHECKS + ("http.post.eventually-response",), tags=("network",))
async def slow_consumer(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(LONG)
    await ctx.fault("bandwidth", {"rate": 8})
    async with ctx.client("A") as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="slow", deadline=ctx.deadline(30))


@scenario("network-down-up", "The proxy cuts the stream after 3 events and the network goes down; a "
          "reconnect fails; the network comes back and the client resumes (2025) or re-issues (2026).",
          roles=(LONG,), checks=("http.resume.no-gaps", "http.disconnect.not-cancel", "http.disconnect.is-cancel"),
          tags=("network",))
async def network_down_up(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(LONG)
    async with ctx.client("A") as c:
        await c.open()
        cut = await ctx.fault("faultline.sse_cut", {"events": 3})
        out = await c.call_tool(tool, args, progress_token="down", deadline=ctx.deadline(15))
        await cut.remove()
        await ctx.network(False)
        await c.reconnect(out, deadline=ctx.deadline(3))  # fails: nobody is there (2026: nothing to reconnect)
        await ctx.network(True)
        await c.recover(out, progress_token="down-again")  # resume (2025) or re-issue (2026)


@scenario("server-restart", "Complete a booking, SIGKILL the server and start it again on its durable "
          "store: the booking is still readable, and a stream cut before the crash resumes from the store.",
          revisions=(Revision.R2025,), roles=(ELICIT, PROGRESS),
          checks=("tools.resource-link.fetchable", "http.resume.no-gaps"), tags=("durability", "restart"))
async def server_restart(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ELICIT)
    ptool, pargs = ctx.role(PROGRESS)

    async with ctx.client("A", answers=Answers(elicitation="accept", elicitation_content={"confirm": True})) as c:
        await c.open()
        done = await c.call_tool(tool, args, progress_token="durable", deadline=ctx.deadline(20))
        cut = await c.call_tool(ptool, pargs, progress_token="durable-cut", cut_after=2, deadline=ctx.deadline(15))
        await ctx.restart_target()
        links = [b.get("uri") for b in ((done.result or {}).get("content") or []) if b.get("type") == "resource_link"]
        for uri in links:
            await c.call("resources/read", {"uri": uri}, deadline=ctx.deadline(10))
        await c.finish(cut)
