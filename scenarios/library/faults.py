"""Toxiproxy's classic toxics on a call's live stream (#18): a reset, a byte limit and a blackhole striking
after the call's first event, a slow close, a thin pipe. Each holds what its revision says: 2025-11-25 the
cut call goes on and its resume brings every event once and in order; 2026-07-28 a stream the network
closed is a cancellation, so the re-issued call's run is the only one that counts.

Only classic toxics: every scenario here runs against a real Toxiproxy too.
"""

from __future__ import annotations

from typing import Any

import anyio

from scenarios.api import EFFECT, LONG, SAMPLE, Client, Outcome, ScenarioContext, scenario
from scenarios.library.stateless import _runs

RESUME = ("http.resume.no-gaps", "http.resume.no-duplicates", "http.resume.order")
CANCEL = ("http.disconnect.not-cancel", "http.disconnect.is-cancel")
PROGRESS_CHECKS = ("progress.monotonic", "progress.token.active", "progress.stop-after-completion")
Strike = tuple[str, dict[str, Any], float]  # toxic type, attributes, seconds to wait after adding it


async def struck_call(ctx: ScenarioContext, c: Client, tool: str, args: dict[str, Any], token: str,
                      strike: list[Strike], *, deadline: float, took: list[float] | None = None) -> Outcome:
    """`tool` called with `token`; once its first progress event is in, the `strike` toxics are added in
    order (downstream), and removed when the call has ended. The call's outcome; `took` (if given) gets the
    seconds from that first event to the strike being in place (none if it never struck)."""
    mark = c.mark()
    done: list[Outcome] = []
    added = []
    async with anyio.create_task_group() as tg:
        async def call() -> None:
            done.append(await c.call_tool(tool, args, progress_token=token, deadline=deadline))

        tg.start_soon(call)
        first = await c.notified("notifications/progress", ctx.deadline(10), since=mark,
                                 where=lambda p: p.get("progressToken") == token)
        if first is None or done:
            ctx.note("the call sent no progress before it ended: the toxics did not strike it", token=token)
        else:
            seen = anyio.current_time()
            for kind, attributes, pause in strike:
                added.append(await ctx.fault(kind, attributes))
                if pause:
                    await anyio.sleep(pause * ctx.time_scale)  # a pause, not a deadline: never calibrated
            if took is not None:
                took.append(anyio.current_time() - seen)
    for toxic in added:
        await toxic.remove()
    return done[0]


async def strike_effect(ctx: ScenarioContext, token: str, strike: list[Strike], *, deadline: float = 15) -> None:
    """A baseline run of the effect tool, a struck one, then its recovery (2025: resume, 2026: re-issue):
    the effect note says one run completed between the baseline and the recovery (is-cancel reads it)."""
    tool, args = ctx.role(EFFECT)
    async with ctx.client("A") as c:
        await c.open()
        began = anyio.current_time()
        base = await c.call_tool(tool, args, progress_token=f"{token}-base", deadline=ctx.deadline(15))
        undisturbed = anyio.current_time() - began
        took: list[float] = []
        struck = await struck_call(ctx, c, tool, args, token, strike, deadline=ctx.deadline(deadline), took=took)
        final = await c.recover(struck, progress_token=f"{token}-again")
        if not took or took[0] > undisturbed / 2:  # the tool may have finished before the strike: nothing to judge
            ctx.note("the strike landed too late to cut the run: its effect is not judged",
                     strike_s=round(took[0], 3) if took else None, undisturbed_s=round(undisturbed, 3))
            return
        ctx.note("effect", before=_runs(base), after=_runs(final), completed_calls=1, cut_calls=1)


@scenario("toxic-reset-mid-event", "After the call's first event a slicer trickles the stream and a reset_peer "
          "resets the connection inside the next event; the call is resumed (2025: every event once, in order, "
          "the call not cancelled) or re-issued (2026: the reset was a cancellation, its run never counts).",
          roles=(EFFECT,), checks=RESUME + CANCEL + PROGRESS_CHECKS, tags=("network", "toxics"))
async def toxic_reset_mid_event(ctx: ScenarioContext) -> None:
    await strike_effect(ctx, "reset", [("slicer", {"average_size": 8, "size_variation": 4, "delay": 4000}, 0.03),
                                       ("reset_peer", {"timeout": 0}, 0)])


@scenario("toxic-limit-mid-event", "After the call's first event a limit_data lets 24 more bytes through and "
          "closes the connection inside the next event; the call is resumed (2025) or re-issued (2026, its run "
          "cancelled).",
          roles=(EFFECT,), checks=RESUME + CANCEL + PROGRESS_CHECKS, tags=("network", "toxics"))
async def toxic_limit_mid_event(ctx: ScenarioContext) -> None:
    await strike_effect(ctx, "limit", [("limit_data", {"bytes": 24}, 0)])


@scenario("toxic-blackhole-stream", "After the call's first event a timeout toxic blackholes the stream (a "
          "half-open connection that never errors): the client's read timeout fires, then the call is resumed "
          "(2025: nothing lost, nothing twice) or re-issued (2026) and completes.",
          roles=(EFFECT,), checks=RESUME + ("http.disconnect.not-cancel", "http.post.eventually-response"),
          tags=("network", "toxics", "long"))
async def toxic_blackhole_stream(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(EFFECT)
    async with ctx.client("A") as c:
        await c.open()
        # the held call's deadline is only how long the client listens to the silent stream before it gives up
        # (nothing can come through a blackhole): short, calibrated on the tool (a slow tool's budget is longer)
        held = await struck_call(ctx, c, tool, args, "blackhole", [("timeout", {"timeout": 0}, 0)],
                                 deadline=ctx.deadline(1.5))
        await c.recover(held, progress_token="blackhole-again")


@scenario("toxic-slow-close", "Slow closes on both directions (and a noop on each, the control): every call "
          "completes with its events whole and in order, a cut call recovers, and nothing follows a response.",
          roles=(LONG,), checks=PROGRESS_CHECKS + RESUME + ("http.post.eventually-response",
                                                            "http.post.response-terminates"),
          tags=("network", "toxics"))
async def toxic_slow_close(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(LONG)
    for stream in ("downstream", "upstream"):
        await ctx.fault("slow_close", {"delay": 300}, stream=stream)
        await ctx.fault("noop", {}, stream=stream)
    async with ctx.client("A") as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="slow-close", deadline=ctx.deadline(15))
        cut = await c.call_tool(tool, args, progress_token="slow-close-cut", cut_after=3, deadline=ctx.deadline(15))
        await c.recover(cut, progress_token="slow-close-again")


@scenario("toxic-thin-pipe", "A thin pipe both ways (bandwidth 2 KB/s) with latency and jitter downstream: the "
          "long stream and the sampling call's large result arrive whole, in order, with their responses.",
          roles=(LONG, SAMPLE), checks=PROGRESS_CHECKS + ("http.post.eventually-response",),
          tags=("network", "toxics", "long"))
async def toxic_thin_pipe(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(LONG)
    sample, sample_args = ctx.role(SAMPLE)
    await ctx.fault("bandwidth", {"rate": 2})
    await ctx.fault("bandwidth", {"rate": 2}, stream="upstream")
    await ctx.fault("latency", {"latency": 30, "jitter": 20})
    async with ctx.client("A") as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="thin", deadline=ctx.deadline(30))
        await c.call_tool(sample, sample_args, progress_token="thin-sample", deadline=ctx.deadline(30))
