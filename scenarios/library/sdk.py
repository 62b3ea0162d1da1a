"""Scenarios played by the official SDK's own client (harness/client/sdk.py): what a real SDK user sees.

The SDK makes its own protocol decisions (when to reconnect, with which Last-Event-ID, how to run
the MRTR loop); the recorder under it puts every exchange into the history, and the same checks
judge the server. A server that only works with Faultline's wire client fails here.
"""

from __future__ import annotations

from scenarios.api import ELICIT, LONG, SAMPLE, Answers, Revision, ScenarioBody, ScenarioContext, scenario


@scenario("sdk-ride-through-cut", "The SDK client calls the long-running tool once undisturbed, then again "
          "while the proxy cuts its stream after 4 SSE events: the SDK reconnects with Last-Event-ID "
          "by itself and must receive every event once and the result.",
          revisions=(Revision.R2025,), roles=(LONG,),
          checks=("http.resume.no-gaps", "http.resume.no-duplicates", "progress.monotonic",
                  "http.post.eventually-response"), tags=("sdk", "resume"))
async def sdk_ride_through_cut(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(LONG)
    async with ctx.sdk_client("A", timeout=ctx.deadline(20)) as c:
        ctx.note("undisturbed call (the twin the resumed one is compared with)")
        await c.call_tool(tool, args, deadline=ctx.deadline(20))
        cut = await ctx.fault("faultline.sse_cut", {"events": 4, "times": 1})
        ctx.note("the same call, its stream cut once after 4 SSE events")
        await c.call_tool(tool, args, deadline=ctx.deadline(30))
        await cut.remove()


def _sdk_answered(role: str, answers: Answers) -> ScenarioBody:
    async def play(ctx: ScenarioContext) -> None:
        tool, args = ctx.role(role)
        async with ctx.sdk_client("A", answers=answers, timeout=ctx.deadline(20)) as c:
            await c.call_tool(tool, args, deadline=ctx.deadline(20))
    return play


for _answer in ("accept", "decline"):
    scenario(f"sdk-elicitation-{_answer}", f"The SDK client calls the elicitation tool and its callback answers "
             f"{_answer} (2025: elicitation/create on the stream; 2026: the SDK's InputRequiredResult loop).",
             roles=(ELICIT,), checks=("elicit.form.params", "elicit.decline.2025", "elicit.decline.2026",
                                      "mrtr.capability", "http.post.eventually-response"),
             tags=("sdk", "elicitation", "interaction"))(_sdk_answered(
                 ELICIT, Answers(elicitation=_answer, elicitation_content={"confirm": True}
                                 if _answer == "accept" else None)))

for _answer in ("success", "reject"):
    scenario(f"sdk-sampling-{_answer}", f"The SDK client calls the sampling tool and its callback answers "
             f"{_answer}: the tool must finish with a result or an error.",
             roles=(SAMPLE,), checks=("sampling.rejection", "http.post.eventually-response"),
             tags=("sdk", "sampling", "interaction"))(_sdk_answered(SAMPLE, Answers(sampling=_answer)))
