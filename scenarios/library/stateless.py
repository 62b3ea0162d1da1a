"""2026-07-28: no resumption; a closed stream is a cancellation; multi-round-trip requests."""

from __future__ import annotations

from typing import Any

from harness.client.answers import Answers
from harness.revisions import Revision
from scenarios.api import ELICIT, LONG, scenario

R2026 = (Revision.R2026,)


@scenario("disconnect-cancels", "Close the call's stream mid-way (2026-07-28: that is a cancellation), "
          "then re-issue the call with a new request id: it runs to a full result.",
          revisions=R2026, roles=(LONG,), checks=("http.disconnect.is-cancel",), tags=("stateless",))
async def disconnect_cancels(ctx: Any) -> None:
    tool, args = ctx.role(LONG)
    async with ctx.client("A") as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="cancel-me", cut_after=1, deadline=ctx.deadline(15))
        ctx.note("re-issue the cut call with a new request id")
        await c.call_tool(tool, args, progress_token="reissued", deadline=ctx.deadline(15))


@scenario("mrtr-tampered-state", "Answer an InputRequiredResult round with a tampered requestState: "
          "the server must reject it, not act on it.",
          revisions=R2026, roles=(ELICIT,), checks=("mrtr.state.integrity",), tags=("stateless", "mrtr"))
async def mrtr_tampered_state(ctx: Any) -> None:
    tool, args = ctx.role(ELICIT)
    answers = Answers(elicitation="accept", elicitation_content={"confirm": True})
    async with ctx.client("A", answers=answers) as c:
        await c.open()
        await c.call_tool(tool, args, tamper_request_state=True, deadline=ctx.deadline(15))
