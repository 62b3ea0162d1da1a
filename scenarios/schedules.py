"""Fault schedules: a small, serialisable plan of where to strike, what, and how the client moves.

A schedule is data (JSON round-trips), so a shrunk failure can be written to a repro file and
replayed. `play(schedule)` turns it into a scenario body; `strategies.py` generates schedules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import anyio

from harness.client.answers import Answers
from harness.revisions import Revision
from scenarios.steps import resume_to_end

# Where a strike lands and what it does. Client-side strikes are exact; proxy strikes go through
# the nemesis (extension toxics count SSE events, so they are exact too, except `rst_ms`).
KINDS = (
    "cut",         # the client aborts after k events
    "cut_mid",     # the client aborts inside event k+1
    "proxy_cut",   # the proxy cuts the downstream after k events (faultline.sse_cut)
    "proxy_cut_at",  # the proxy cuts `offset` bytes into event k+1
    "stall",       # the proxy stalls after k events for `ms`, then releases
    "rst_ms",      # reset_peer after `ms` milliseconds
    "latency",     # latency `ms` (+ jitter ms/2) on the downstream
    "slicer",      # slice the downstream into ~`k`-byte pieces
    "replay_cut",  # the first resume is cut after k events (a cut during replay)
    "down",        # after the first cut, the network is down for `ms`
    "restart",     # after the first cut, the server is killed and restarted
)


@dataclass(frozen=True)
class Strike:
    kind: str
    k: int = 0
    ms: int = 0
    offset: int = 0


@dataclass(frozen=True)
class Schedule:
    role: str = "long_running"
    strikes: tuple[Strike, ...] = ()
    resume_after_retry: bool = False  # honour the server's retry before resuming (else at once)
    concurrent: bool = False  # a second, undisturbed call in the same session
    second_session: bool = False  # another session reusing the same request id
    request_id: int | None = None
    elicitation: str = "accept"
    sampling: str = "success"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schedule:
        strikes = tuple(Strike(**s) for s in data.get("strikes", ()))
        return cls(**{**data, "strikes": strikes})

    def describe(self) -> str:
        parts = [f"{s.kind}(k={s.k}" + (f", ms={s.ms}" if s.ms else "") + (f", offset={s.offset}" if s.offset else "")
                 + ")" for s in self.strikes]
        extra = [n for n in ("concurrent", "second_session", "resume_after_retry") if getattr(self, n)]
        return f"{self.role}: " + (", ".join(parts) or "no faults") + (f" [{', '.join(extra)}]" if extra else "")


@dataclass
class _Plan:
    client_cut: int | None = None
    mid: bool = False
    replay_cut: int | None = None
    toxics: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    stall: Strike | None = None
    down_ms: int = 0
    restart: bool = False


def _plan(schedule: Schedule) -> _Plan:
    p = _Plan()
    for s in schedule.strikes:
        if s.kind in ("cut", "cut_mid") and p.client_cut is None:
            p.client_cut, p.mid = s.k, s.kind == "cut_mid"
        elif s.kind == "proxy_cut":
            p.toxics.append(("faultline.sse_cut", {"events": s.k}))
        elif s.kind == "proxy_cut_at":
            p.toxics.append(("faultline.sse_cut", {"events": s.k, "offset": max(1, s.offset)}))
        elif s.kind == "stall" and p.stall is None:
            p.stall = s
        elif s.kind == "rst_ms":
            p.toxics.append(("reset_peer", {"timeout": max(1, s.ms)}))
        elif s.kind == "latency":
            p.toxics.append(("latency", {"latency": s.ms, "jitter": s.ms // 2}))
        elif s.kind == "slicer":
            p.toxics.append(("slicer", {"average_size": max(1, s.k), "size_variation": max(0, s.k // 2), "delay": 100}))
        elif s.kind == "replay_cut":
            p.replay_cut = s.k
        elif s.kind == "down":
            p.down_ms = max(p.down_ms, s.ms)
        elif s.kind == "restart":
            p.restart = True
    return p


def play(schedule: Schedule) -> Any:
    """The scenario body that performs a schedule."""

    async def run(ctx: Any) -> None:
        tool, args = ctx.role(schedule.role)
        plan = _plan(schedule)
        ctx.note("schedule", schedule=schedule.to_json())
        answers = Answers(elicitation=schedule.elicitation, sampling=schedule.sampling,
                          elicitation_content={"confirm": True} if schedule.elicitation == "accept" else None)
        async with ctx.client("A", answers=answers) as c:
            await c.open()
            toxics = [await ctx.fault(t, a) for t, a in plan.toxics]
            stall = await ctx.fault("faultline.sse_stall", {"events": plan.stall.k}) if plan.stall else None
            outcomes: dict[str, Any] = {}

            async def main_call() -> None:
                outcomes["main"] = await c.call_tool(
                    tool, args, progress_token="fuzz", request_id=schedule.request_id, cut_after=plan.client_cut,
                    cut_mid_event=plan.mid, deadline=ctx.deadline(15))

            async def side_call() -> None:
                outcomes["side"] = await c.call_tool(tool, args, progress_token="fuzz-side", deadline=ctx.deadline(15))

            async def other_session() -> None:
                async with ctx.client("B", answers=answers) as b:
                    await b.open()
                    out = await b.call_tool(tool, args, progress_token="fuzz-B", request_id=schedule.request_id,
                                            deadline=ctx.deadline(15))
                    if ctx.revision is Revision.R2025:
                        await resume_to_end(ctx, b, out)

            async def release_stall() -> None:
                assert stall is not None and plan.stall is not None
                await anyio.sleep(plan.stall.ms / 1000.0)
                await stall.remove()

            async with anyio.create_task_group() as tg:
                tg.start_soon(main_call)
                if schedule.concurrent:
                    tg.start_soon(side_call)
                if schedule.second_session:
                    tg.start_soon(other_session)
                if stall is not None:
                    tg.start_soon(release_stall)
            for t in toxics:
                await t.remove()
            out = outcomes["main"]
            if plan.down_ms:
                await ctx.network(False)
                await anyio.sleep(plan.down_ms / 1000.0)
                await ctx.network(True)
            if plan.restart:
                await ctx.restart_target()
            if ctx.revision is Revision.R2025:
                await resume_to_end(ctx, c, out, first_cut=plan.replay_cut,
                                    honour_retry=schedule.resume_after_retry)
            elif out.response is None:
                ctx.note("re-issue the cut call with a new request id")
                await c.call_tool(tool, args, progress_token="fuzz-again", deadline=ctx.deadline(15))

    return run
