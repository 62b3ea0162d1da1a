"""Small steps scenarios share: run a call to its end through resumes, honour `retry`."""

from __future__ import annotations

from typing import Any

import anyio

from scenarios.api import NotApplicable

MAX_RESUMES = 12


async def resume_to_end(ctx: Any, client: Any, outcome: Any, *, max_resumes: int = MAX_RESUMES,
                        first_cut: int | None = None, honour_retry: bool = True) -> Any:
    """Resume a cut POST stream by GET + Last-Event-ID until its response arrives (2025-11-25).

    Honours the server's `retry` (capped by the time scale) before each reconnect, as a client must.
    `first_cut` cuts the first resume after that many events. Returns the last outcome.
    """
    stream = outcome.stream
    last_id = outcome.last_event_id
    retry_ms = outcome.retry_ms if honour_retry else None
    cut = first_cut
    for _ in range(max_resumes):
        if outcome.response is not None or not last_id:
            return outcome
        if retry_ms:
            await anyio.sleep(min(retry_ms / 1000.0, ctx.deadline(1.0)))
        outcome = await client.resume(stream, last_id, cut_after=cut, deadline=ctx.deadline(15.0))
        cut = None
        if outcome.status is not None and outcome.status >= 400:
            return outcome
        if outcome.ended == "timeout" and outcome.last_event_id is None:
            ctx.note("the resume delivered no event before its deadline: not resuming again", stuck=True)
            return outcome
        last_id = outcome.last_event_id or last_id
        if honour_retry:
            retry_ms = outcome.retry_ms or retry_ms
    return outcome


async def count_events(ctx: Any, tool: str, args: dict[str, Any]) -> int:
    """How many SSE events an undisturbed call of `tool` carries, priming and response included."""
    async with ctx.client("probe") as c:
        await c.open()
        out = await c.call_tool(tool, args, progress_token="probe", deadline=ctx.deadline(20.0))
    if out.response is None:
        raise NotApplicable(f"an undisturbed call of {tool!r} ended without a response ({out.ended})")
    if not out.events:
        raise NotApplicable(f"{tool!r} answered with JSON, not an SSE stream: nothing to cut")
    return len(out.events)
