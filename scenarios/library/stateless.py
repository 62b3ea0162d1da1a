"""2026-07-28: no resumption; a closed stream is a cancellation; multi-round-trip requests."""

from __future__ import annotations

from scenarios.api import EFFECT, LONG, ROUNDS, Answers, Outcome, Revision, ScenarioContext, scenario

R2026 = (Revision.R2026,)


def _runs(outcome: Outcome) -> int | None:
    structured = (outcome.result or {}).get("structuredContent") or {}
    value = structured.get("job_runs_completed")
    return value if isinstance(value, int) else None


@scenario("disconnect-cancels", "Run the effect tool once (baseline count), close a second run's stream "
          "after its first event (2026-07-28: a cancellation), then re-issue it with a new request id: "
          "the count must grow by one, not two (the cut run must not have completed).",
          revisions=R2026, roles=(EFFECT,), checks=("http.disconnect.is-cancel",), tags=("stateless",))
async def disconnect_cancels(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(EFFECT)
    async with ctx.client("A") as c:
        await c.open()
        base = await c.call_tool(tool, args, progress_token="baseline", deadline=ctx.deadline(15))
        await c.call_tool(tool, args, progress_token="cancel-me", cut_after=1, deadline=ctx.deadline(15))
        ctx.note("re-issue the cut call with a new request id")
        again = await c.call_tool(tool, args, progress_token="reissued", deadline=ctx.deadline(15))
        ctx.note("effect", before=_runs(base), after=_runs(again), completed_calls=1, cut_calls=1)


@scenario("reissue-after-cut", "Cut a call's stream mid-way, then re-issue it with a new request id: the "
          "re-issued call runs to a full result.",
          revisions=R2026, roles=(LONG,), checks=("http.post.eventually-response",), tags=("stateless",))
async def reissue_after_cut(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(LONG)
    async with ctx.client("A") as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="cut", cut_after=1, deadline=ctx.deadline(15))
        ctx.note("re-issue the cut call with a new request id")
        await c.call_tool(tool, args, progress_token="reissued", deadline=ctx.deadline(15))


@scenario("mrtr-tampered-state", "Answer an InputRequiredResult round with a tampered requestState: "
          "the server must reject it, not act on it.",
          revisions=R2026, roles=(ROUNDS,), checks=("mrtr.state.integrity",), tags=("stateless", "mrtr"))
async def mrtr_tampered_state(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ROUNDS)
    answers = Answers(elicitation="accept", elicitation_content={"confirm": True})
    async with ctx.client("A", answers=answers) as c:
        await c.open()
        await c.call_tool(tool, args, tamper_request_state=True, deadline=ctx.deadline(15))
