"""2026-07-28: the server names itself on server/discover; multi-round-trip rounds (SEP-2322): their shape and
result types, malformed and incomplete retries, and the same rounds under a cancellation (a closed stream), a
cut retry and a network outage between the rounds.

Only `scenarios.api` is imported: roles from the profile (NOT-APPLICABLE without one), the recording client's
`open`, `call`, `call_tool` and outcome attributes. Where the retry must carry what no well-behaved client
sends, or be re-sent, the rounds are driven by hand with `call`.
"""

from __future__ import annotations

from typing import Any

from scenarios.api import JSON, ROUNDS, Answers, Client, NotApplicable, Revision, ScenarioContext, scenario

R2026 = (Revision.R2026,)


@scenario("discover-identifies", "server/discover, then tools/list: the discover result's _meta names the "
          "server (io.modelcontextprotocol/serverInfo with a name and a version).",
          revisions=R2026, checks=("ver.server-info",), tags=("stateless",))
async def discover_identifies(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.call("tools/list", {}, deadline=ctx.deadline(10))


async def _first_round(ctx: ScenarioContext, c: Client, tool: str, args: JSON, token: str | None = None) -> JSON:
    first = await c.call("tools/call", {"name": tool, "arguments": args}, progress_token=token,
                         deadline=ctx.deadline(15))
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


@scenario("mrtr-malformed-input", "Answer the rounds tool's InputRequiredResult twice, each time from a "
          "fresh first round: once with inputResponses null (not an InputResponses object: a JSON-RPC error is "
          "due), once with a number in place of each response (an error, or the input asked again; never a "
          "complete result made of it).",
          revisions=R2026, roles=(ROUNDS,), checks=("mrtr.validate-input",), tags=("stateless", "mrtr"))
async def mrtr_malformed_input(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ROUNDS)
    async with ctx.client("A") as c:
        await c.open()
        first = await _first_round(ctx, c, tool, args)
        ctx.note("retry with inputResponses null")
        await c.call("tools/call", _retry(tool, args, first, None), deadline=ctx.deadline(15))
        again = await _first_round(ctx, c, tool, args)
        numbers = {key: 12345 for key in (again.get("inputRequests") or {"input": None})}
        ctx.note("retry with a number for each input response")
        await c.call("tools/call", _retry(tool, args, again, numbers), deadline=ctx.deadline(15))


def _answers(round_: JSON, answers: Answers) -> dict[str, Any]:
    """What the client's script answers to each of a round's input requests."""
    out: dict[str, Any] = {}
    for key, req in (round_.get("inputRequests") or {}).items():
        _kind, obj, _script = answers.answer((req or {}).get("method", ""), (req or {}).get("params") or {})
        out[key] = obj
    return out


async def _answered_retry(ctx: ScenarioContext, c: Client) -> dict[str, Any]:
    """Open, run the rounds tool's first round; the retry that answers it (the client's scripted answers)."""
    tool, args = ctx.role(ROUNDS)
    await c.open()
    first = await _first_round(ctx, c, tool, args, "first")
    return _retry(tool, args, first, _answers(first, Answers()))


ROUND_CHECKS = ("rpc.result-type", "mrtr.allowed-methods", "mrtr.shape", "mrtr.sse-last")
RESEND_CHECKS = ROUND_CHECKS + ("http.post.eventually-response", "harness.mrtr.resend")


@scenario("mrtr-rounds", "server/discover, tools/list, then the rounds tool answered round after round to its "
          "result: every result names its resultType, only tools/call gets an InputRequiredResult, each one "
          "well formed and the last message of its SSE stream.",
          revisions=R2026, roles=(ROUNDS,), checks=ROUND_CHECKS, tags=("stateless", "mrtr"))
async def mrtr_rounds(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ROUNDS)
    async with ctx.client("A") as c:
        await c.open()
        await c.call("tools/list", {}, deadline=ctx.deadline(10))
        await c.call_tool(tool, args, progress_token="rounds", deadline=ctx.deadline(15))  # progress: SSE


@scenario("mrtr-missing-input", "Retry the rounds tool's InputRequiredResult with its requestState but no "
          "inputResponses (the server should ask again, not fail), then, from a fresh first round, with every "
          "asked response plus an unknown extra one (to be ignored, not refused).",
          revisions=R2026, roles=(ROUNDS,), checks=("mrtr.missing-input",), tags=("stateless", "mrtr"))
async def mrtr_missing_input(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ROUNDS)
    async with ctx.client("A") as c:
        await c.open()
        first = await _first_round(ctx, c, tool, args)
        ctx.note("retry without the input responses")
        params = _retry(tool, args, first, {})
        if "requestState" in params:
            del params["inputResponses"]
        await c.call("tools/call", params, deadline=ctx.deadline(15))
        again = await _first_round(ctx, c, tool, args)
        extra = {**_answers(again, Answers()), "faultline_unrequested": {"action": "accept", "content": {}}}
        ctx.note("retry with every asked response and an unknown extra one")
        await c.call("tools/call", _retry(tool, args, again, extra), deadline=ctx.deadline(15))


@scenario("mrtr-round-cancelled", "Close the rounds tool's first stream after its first event (2026-07-28: a "
          "cancellation, maybe before its InputRequiredResult came), then run the call again from its first "
          "round to its result.",
          revisions=R2026, roles=(ROUNDS,), checks=ROUND_CHECKS + ("http.post.eventually-response",),
          tags=("stateless", "mrtr", "faults"))
async def mrtr_round_cancelled(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(ROUNDS)
    async with ctx.client("A") as c:
        await c.open()
        await c.call("tools/call", {"name": tool, "arguments": args}, progress_token="cancel-me", cut_after=1,
                     deadline=ctx.deadline(15))
        ctx.note("run the cancelled call again from its first round")
        await c.call_tool(tool, args, progress_token="again", deadline=ctx.deadline(15))


@scenario("mrtr-retry-cut", "Answer the rounds tool's first round, close the retry's stream after its first "
          "event (a cancellation of the retry), then re-send the same retry (same inputResponses and "
          "requestState, a new request id): it must be answered, with a result or another round.",
          revisions=R2026, roles=(ROUNDS,), checks=RESEND_CHECKS,
          tags=("stateless", "mrtr", "faults"))
async def mrtr_retry_cut(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        retry = await _answered_retry(ctx, c)
        await c.call("tools/call", retry, progress_token="cut-retry", cut_after=1, deadline=ctx.deadline(15))
        ctx.note("re-send the cancelled retry with a new request id")
        await c.call("tools/call", retry, progress_token="retry-again", deadline=ctx.deadline(15))


@scenario("mrtr-retry-after-outage", "Answer the rounds tool's first round, take the network down, send the "
          "retry (it cannot arrive), bring the network back and send the same retry again: the round's "
          "requestState still works and the retry is answered.",
          revisions=R2026, roles=(ROUNDS,), checks=RESEND_CHECKS,
          tags=("stateless", "mrtr", "faults"))
async def mrtr_retry_after_outage(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        retry = await _answered_retry(ctx, c)
        await ctx.network(False)
        try:
            await c.call("tools/call", retry, deadline=ctx.deadline(3))
        finally:
            await ctx.network(True)
        ctx.note("the network is back: send the same retry again")
        await c.call("tools/call", retry, deadline=ctx.deadline(15))
