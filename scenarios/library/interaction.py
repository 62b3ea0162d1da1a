"""Multi-turn interaction: elicitation and sampling answered every way a user or model can."""

from __future__ import annotations

from scenarios.api import ELICIT, SAMPLE, Answers, ScenarioBody, ScenarioContext, scenario

ELICIT_CHECKS = ("elicit.form.params", "elicit.decline.2025", "elicit.decline.2026", "http.post.eventually-response")
SAMPLE_CHECKS = ("sampling.rejection", "http.post.eventually-response")


def _answered(role: str, answers: Answers, label: str) -> ScenarioBody:
    """A scenario body: call the role's tool once, answering the server's questions with `answers`."""
    async def play(ctx: ScenarioContext) -> None:
        tool, args = ctx.role(role)
        async with ctx.client("A", answers=answers) as c:
            await c.open()
            await c.call_tool(tool, args, progress_token=label, deadline=ctx.deadline(20))
    return play


for _answer in ("accept", "decline", "cancel"):
    scenario(f"elicitation-{_answer}", f"The elicitation tool asks the user; the user answers {_answer}: "
             "the tool must finish with a result (or error), never hang.",
             roles=(ELICIT,), checks=ELICIT_CHECKS, tags=("elicitation", "interaction"))(_answered(
                 ELICIT, Answers(elicitation=_answer, elicitation_content={"confirm": True} if _answer == "accept"
                                 else None), f"elicit-{_answer}"))


@scenario("elicitation-undeclared", "A client that did not declare elicitation calls the elicitation "
          "tool: the server must not ask it, and must answer the call.",
          roles=(ELICIT,), checks=("life.capabilities.negotiated", "mrtr.capability"),
          tags=("elicitation", "interaction"))
async def elicitation_undeclared(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ELICIT)
    async with ctx.client("A", capabilities={}) as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="undeclared", deadline=ctx.deadline(20))


for _answer in ("success", "reject", "error"):
    scenario(f"sampling-{_answer}", f"The sampling tool asks the client's model; the client answers {_answer}: "
             "the tool must still finish.",
             roles=(SAMPLE,), checks=SAMPLE_CHECKS, tags=("sampling", "interaction"))(_answered(
                 SAMPLE, Answers(sampling=_answer), f"sample-{_answer}"))


@scenario("sampling-undeclared", "A client without the sampling capability calls the sampling tool: "
          "no sampling request may reach it, and the call must be answered.",
          roles=(SAMPLE,), checks=("life.capabilities.negotiated", "mrtr.capability"),
          tags=("sampling", "interaction"))
async def sampling_undeclared(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(SAMPLE)
    async with ctx.client("A", capabilities={}) as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="undeclared", deadline=ctx.deadline(20))
