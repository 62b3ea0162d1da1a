"""2026-07-28: the server names itself on server/discover; malformed multi-round-trip retries are refused.

Only `scenarios.api` is imported: roles from the profile (NOT-APPLICABLE without one), the recording client's
`open`, `call` and outcome attributes. The rounds are driven by hand with `call` so that the retry can carry
what no well-behaved client sends.
"""

from __future__ import annotations

from typing import Any

from scenarios.api import ELICIT, JSON, Client, NotApplicable, Revision, ScenarioContext, scenario

R2026 = (Revision.R2026,)


@scenario("discover-identifies", "server/discover, then tools/list: the discover result's _meta names the "
          "server (io.modelcontextprotocol/serverInfo with a name and a version).",
          revisions=R2026, checks=("ver.server-info",), tags=("stateless",))
async def discover_identifies(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.call("tools/list", {}, deadline=ctx.deadline(10))


async def _first_round(ctx: ScenarioContext, c: Client, tool: str, args: JSON) -> JSON:
    first = await c.call("tools/call", {"name": tool, "arguments": args}, deadline=ctx.deadline(15))
    result = first.result or {}
    if result.get("resultType") != "input_required":
        raise NotApplicable(f"{tool} answered without an InputRequiredResult round (resultType "
                            f"{result.get('resultType')!r}): nothing to retry")
    return result


def _retry(tool: str, args: dict[str, Any], round_: dict[str, Any], responses: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"name": tool, "arguments": args, "inputResponses": responses}
    if "requestState" in round_:
        params["requestState"] = round_["requestState"]
    return params


@scenario("mrtr-malformed-input", "Answer the elicitation tool's InputRequiredResult twice, each time from a "
          "fresh first round: once with inputResponses null (not an InputResponses object: a JSON-RPC error is "
          "due), once with a number in place of each response (an error, or the input asked again; never a "
          "complete result made of it).",
          revisions=R2026, roles=(ELICIT,), checks=("mrtr.validate-input",), tags=("stateless", "mrtr"))
async def mrtr_malformed_input(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ELICIT)
    async with ctx.client("A") as c:
        await c.open()
        first = await _first_round(ctx, c, tool, args)
        ctx.note("retry with inputResponses null")
        await c.call("tools/call", _retry(tool, args, first, None), deadline=ctx.deadline(15))
        again = await _first_round(ctx, c, tool, args)
        numbers = {key: 12345 for key in (again.get("inputRequests") or {"input": None})}
        ctx.note("retry with a number for each input response")
        await c.call("tools/call", _retry(tool, args, again, numbers), deadline=ctx.deadline(15))
