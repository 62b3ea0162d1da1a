"""Toxiproxy's classic toxics on the way up (#18): what the client sends (an elicitation answer, a sampling
result, a 2026 retry round, initialize, DELETE) is delayed, trickled, lost for good, or sent while the
network is down. What must hold: no answer lost or applied twice (the call completes, at most once), a
server that lost its answer stops waiting (2025 lifecycle § Timeouts), a session ends once.

Only classic toxics and the network switch: every scenario here runs against a real Toxiproxy too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from scenarios.api import ELICIT, SAMPLE, Answers, ScenarioContext, scenario

ANSWER_CHECKS = ("http.post.eventually-response", "harness.outcome.determinate")
RESUME = ("http.resume.no-gaps", "http.resume.no-duplicates", "http.resume.order")
RECOVERIES = 4  # tries to get a call's response back, each one resume (2025) or re-issue (2026)
Hook = Callable[[str, dict[str, Any]], Awaitable[None]]


def once(act: Callable[[], Awaitable[None]]) -> Hook:
    """An `Answers.before` hook that acts before the first answer only (a re-issued call is answered plainly)."""
    acted: list[bool] = []

    async def before(method: str, params: dict[str, Any]) -> None:
        if not acted:
            acted.append(True)
            await act()

    return before


def confirming(before: Hook | None = None) -> Answers:
    return Answers(elicitation="accept", elicitation_content={"confirm": True}, before=before)


@scenario("toxic-upstream-answers", "Latency with jitter and a slicer on the upstream direction while the "
          "elicitation answer (2026: the retry round) and the sampling result are POSTed: both calls complete "
          "with their answers applied.",
          roles=(ELICIT, SAMPLE), checks=ANSWER_CHECKS + ("progress.monotonic",), tags=("network", "toxics", "long"))
async def toxic_upstream_answers(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ELICIT)
    sample, sample_args = ctx.role(SAMPLE)
    await ctx.fault("latency", {"latency": 150, "jitter": 100}, stream="upstream")
    await ctx.fault("slicer", {"average_size": 32, "size_variation": 16, "delay": 1000}, stream="upstream")
    async with ctx.client("A", answers=confirming()) as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="slow-answer", deadline=ctx.deadline(30))
        await c.call_tool(sample, sample_args, progress_token="slow-sample", deadline=ctx.deadline(30))


@scenario("toxic-lost-answer", "A reset_peer on the upstream direction loses the elicitation answer (2025: each "
          "POST of it is reset; 2026: the retry round is): the server must stop waiting and answer the call "
          "(2025 lifecycle § Timeouts), and the call re-issued once the network heals completes (2026).",
          roles=(ELICIT,), checks=ANSWER_CHECKS, tags=("network", "toxics", "long"))
async def toxic_lost_answer(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ELICIT)
    lost: list[Any] = []

    async def lose() -> None:
        lost.append(await ctx.fault("reset_peer", {"timeout": 0}, stream="upstream"))

    async with ctx.client("A", answers=confirming(once(lose))) as c:
        await c.open()
        out = await c.call_tool(tool, args, progress_token="lost-answer", deadline=ctx.deadline(30))
        for toxic in lost:
            await toxic.remove()
        # the client's read timeout may end the silent stream before the server stops waiting: try again from
        # the call's own last event (2025: a resume; 2026: a re-issue) until it has its response or 20 s passed
        give_up, last = ctx.now() + ctx.deadline(20), out
        for _ in range(RECOVERIES):
            if last.response is not None or ctx.now() > give_up:
                break
            last = await c.recover(out, progress_token="lost-answer-again")


@scenario("toxic-answer-network-flap", "The network goes down as the elicitation answer (2026: the retry round) "
          "is POSTed and comes back half a second later: the client sends the answer again, resumes (2025) or "
          "re-issues (2026) the call, and it completes once.",
          roles=(ELICIT,), checks=ANSWER_CHECKS + RESUME + ("http.disconnect.not-cancel",),
          tags=("network", "toxics", "long"))
async def toxic_answer_network_flap(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ELICIT)
    healed = anyio.Event()
    flapped: list[bool] = []
    async with anyio.create_task_group() as tg:
        async def heal() -> None:
            await anyio.sleep(0.5 * ctx.time_scale)  # the outage's length, not a deadline: never calibrated
            await ctx.network(True)
            healed.set()

        async def flap() -> None:
            flapped.append(True)
            await ctx.network(False)
            tg.start_soon(heal)

        async with ctx.client("A", answers=confirming(once(flap))) as c:
            await c.open()
            out = await c.call_tool(tool, args, progress_token="flap", deadline=ctx.deadline(20))
            if flapped:
                await healed.wait()
            await c.recover(out, progress_token="flap-again")


@scenario("toxic-session-flap", "The network is down during initialize (the client opens again once it is back), "
          "then DELETE is blackholed (timeout toxic), cut short (limit_data) and sent while the network is "
          "down, before one goes through: a request with the ended session then gets 404 (2025).",
          checks=("http.session.terminated-404", "harness.outcome.determinate"), tags=("network", "toxics"))
async def toxic_session_flap(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        await ctx.network(False)
        await c.open()  # fails: nobody is there
        await ctx.network(True)
        await c.open()
        for kind, attributes in (("timeout", {"timeout": 300}), ("limit_data", {"bytes": 10})):
            toxic = await ctx.fault(kind, attributes, stream="upstream")
            await c.delete()
            await toxic.remove()
        await ctx.network(False)
        await c.delete()
        await ctx.network(True)
        await c.delete()
        await c.served_request("after-delete", deadline=ctx.deadline(5))
