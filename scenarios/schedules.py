"""Fault schedules: a small, serialisable plan of where to strike, what, and how the client moves.

A schedule is data (JSON round-trips), so a shrunk failure can be written to a repro file and
replayed. `play(schedule)` turns it into a scenario body; `strategies.py` generates schedules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import anyio

from scenarios.api import Answers, Client, NotApplicable, Outcome, Revision, ScenarioBody, ScenarioContext
from scenarios.library.transport import origin_probe

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


# The client's deliberate moves besides the faulted call (each is one mistake or probe a real client can
# make), played in this order after the call. Most are 2025-11-25 only (sessions, resumability).
PROBES = (
    "get_stream",           # the standalone GET stream is open while the call runs
    "resume_after_result",  # resume the finished call's stream from its first event id
    "unknown_resume",       # resume with a Last-Event-ID the server never issued
    "foreign_resume",       # a second session presents this session's Last-Event-ID
    "missing_session",      # a request without Mcp-Session-Id
    "version",              # a request with an unsupported MCP-Protocol-Version
    "origin",               # a request with a non-local Origin
    "delete",               # DELETE the session, then use it
    # library moves on the `resource` role (scenarios/library/resources.py), each in its own session:
    "resource_subscribe",   # subscribe (2025) / listen (2026), read on each update, run the booking to its end
    "resource_unsubscribe",  # subscribe, unsubscribe, then the booking changes
    "resource_unknown",     # read a URI the server never created
    "resource_restart",     # SIGKILL + restart while the booking waits for the user, then read it
    # library moves on the `task` / `task_input` roles (scenarios/library/tasks.py), each in its own session:
    "task_lifecycle",       # a task-augmented call polled to its end, asked about after it (and an unknown id)
    "task_cancel",          # a running task cancelled
    "task_input_reconnect",  # a task waiting for the user's answer, answered after a reconnect
    "task_input_restart",   # SIGKILL + restart while a task waits for the user's answer
    # the `burst` role's log messages on the standalone GET stream, cut and resumed (scenarios/library/standalone.py)
    "standalone_burst_cut",
)
# 2026-07-28 only: the library's disconnect-cancels move on the `effect` role (a baseline run, a run cut after
# its first event, a re-issue: the cut run must not have completed)
# 2026-07-28 only also: server/discover's identity, malformed and missing inputResponses, a cut retry round
# (scenarios/library/mrtr.py),
# a tool-list change announced on a listen stream (scenarios/library/lists.py)
PROBES_2026 = ("origin", "resource_subscribe", "resource_unknown", "resource_restart", "task_lifecycle", "task_cancel",
               "task_input_reconnect", "task_input_restart", "disconnect_cancels", "discover", "mrtr_malformed_input",
               "mrtr_missing_input", "mrtr_retry_cut", "tools_list_changed")
ORDER = PROBES + ("disconnect_cancels", "discover", "mrtr_malformed_input", "mrtr_missing_input", "mrtr_retry_cut",
                  "tools_list_changed")
PROBES_AT: dict[Revision, tuple[str, ...]] = {Revision.R2025: PROBES, Revision.R2026: PROBES_2026}
LIBRARY_MOVES = ("resource_subscribe", "resource_unsubscribe", "resource_unknown", "resource_restart",
                 "task_lifecycle", "task_cancel", "task_input_reconnect", "task_input_restart", "disconnect_cancels",
                 "discover", "mrtr_malformed_input", "mrtr_missing_input", "mrtr_retry_cut", "tools_list_changed",
                 "standalone_burst_cut")
RESTART_PROBES = ("resource_restart", "task_input_restart")
# The user's answers a schedule can give the server's elicitation/create (the `elicitation` role): "lost" (2025-11-25:
# a server-to-client request) accepts, but a reset_peer on the upstream loses every POST of the answer while the
# call runs, and the server has ANSWER_PATIENCE seconds (x time scale) of silence on the call's stream to stop
# waiting and answer the call (2025 lifecycle § Timeouts: "implementations SHOULD establish timeouts for all sent
# requests"). The patience is the fuzzer's, not the spec's (which names no figure): a server that waits longer for
# its user (server-everything: 10 minutes) WARNs here, as it does in toxic-lost-answer.
ELICITATION_ANSWERS = ("accept", "decline", "cancel", "lost")
ANSWER_PATIENCE = 6.0  # seconds: twice the reference agents' default wait for an answer (3 s)
PING = {"jsonrpc": "2.0", "id": 9001, "method": "ping"}


@dataclass(frozen=True)
class Strike:
    kind: str
    k: int = 0
    ms: int = 0
    offset: int = 0


@dataclass(frozen=True)
class ToxicStrike:
    """A toxic of the proxy's catalogue (any type, either direction, typed attributes) on the faulted call: added
    after the twin, removed when the call has ended."""

    type: str
    stream: str = "downstream"  # or "upstream" (client -> server)
    attributes: tuple[tuple[str, Any], ...] = ()  # (name, value) pairs, hashable; a dict in JSON

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "stream": self.stream, "attributes": dict(self.attributes)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ToxicStrike:
        attributes = data.get("attributes") or {}
        return cls(data["type"], data.get("stream", "downstream"), tuple(sorted(dict(attributes).items())))

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.attributes)
        return f"{self.type}@{'up' if self.stream == 'upstream' else 'down'}({shown})"


@dataclass(frozen=True)
class Schedule:
    role: str = "long_running"
    strikes: tuple[Strike, ...] = ()
    resume_after_retry: bool = False  # honour the server's retry before resuming (else at once)
    concurrent: bool = False  # a second, undisturbed call in the same session
    second_session: bool = False  # another session reusing the same request id
    request_id: int | None = None
    elicitation: str = "accept"  # ELICITATION_ANSWERS
    sampling: str = "success"
    probes: tuple[str, ...] = ()
    toxics: tuple[ToxicStrike, ...] = ()  # catalogue toxics on the faulted call (a repro without them has none)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "toxics": [t.to_json() for t in self.toxics]}

    @property
    def undisturbed(self) -> bool:
        """No strike, no toxic, no lost answer, no library move, no open GET stream: nothing of the schedule delays
        the server's answers or waits on a silence of its own (the fuzzer then derives the client's read timeout from
        calibration, so a server that hangs is seen in seconds)."""
        return not self.strikes and not self.toxics and not self.loses_answer and not any(
            p in LIBRARY_MOVES or p == "get_stream" for p in self.probes)

    @property
    def loses_answer(self) -> bool:
        return self.role == "elicitation" and self.elicitation == "lost"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schedule:
        strikes = tuple(Strike(**s) for s in data.get("strikes", ()))
        toxics = tuple(ToxicStrike.from_json(t) for t in data.get("toxics", ()))
        return cls(**{**data, "strikes": strikes, "probes": tuple(data.get("probes", ())), "toxics": toxics})

    def describe(self) -> str:
        parts = [f"{s.kind}(k={s.k}" + (f", ms={s.ms}" if s.ms else "") + (f", offset={s.offset}" if s.offset else "")
                 + ")" for s in self.strikes] + [t.describe() for t in self.toxics]
        extra = [n for n in ("concurrent", "second_session", "resume_after_retry") if getattr(self, n)]
        extra += list(self.probes)
        if self.role in ("elicitation", "sampling"):
            extra.append(self.elicitation if self.role == "elicitation" else self.sampling)
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
            p.toxics.append(("faultline.sse_cut", {"events": max(1, s.k)}))
        elif s.kind == "proxy_cut_at":
            p.toxics.append(("faultline.sse_cut", {"events": max(1, s.k), "offset": max(1, s.offset)}))
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


def _runs(out: Outcome | None) -> int | None:
    """`job_runs_completed` of an effect tool's result (the `effect` role), if it reports one."""
    sc = (out.result or {}).get("structuredContent") if out is not None else None
    value = (sc or {}).get("job_runs_completed")
    return value if isinstance(value, int) else None


def play(schedule: Schedule) -> ScenarioBody:
    """The scenario body that performs a schedule.

    1. with strikes, an undisturbed twin of the call (what the faulted one is compared with, the effect baseline);
    2. the faults go in, then the call (with the concurrent call, the second session, the open GET stream
       and the stall release running beside it); the faults come out;
    3. network down / restart, then the client recovers: resume to the end (2025) or re-issue (2026);
    4. the probes, in PROBES order (those the revision has: PROBES_AT).
    """

    async def run(ctx: ScenarioContext) -> None:
        tool, args = ctx.role(schedule.role)  # (an effect job is this example's own: the context's role() sees to it)
        plan = _plan(schedule)
        ctx.note("schedule", schedule=schedule.to_json())
        lost: list[Any] = []  # the toxic that loses the answer, once the server asked

        async def lose(method: str, params: dict[str, Any]) -> None:
            if not lost:
                lost.append(await ctx.fault("reset_peer", {"timeout": 0}, stream="upstream"))

        accepts = schedule.elicitation in ("accept", "lost")
        answers = Answers(elicitation="accept" if accepts else schedule.elicitation, sampling=schedule.sampling,
                          elicitation_content={"confirm": True} if accepts else None,
                          before=lose if schedule.loses_answer else None)
        patience = ANSWER_PATIENCE * ctx.time_scale if schedule.loses_answer else None
        probes = [p for p in ORDER if p in schedule.probes and p in PROBES_AT[ctx.revision]]
        async with ctx.client("A", answers=answers) as c:
            await c.open()
            twin: Outcome | None = None
            if schedule.strikes or schedule.toxics:  # the undisturbed twin a disturbed call is compared with (and the effect baseline)
                twin = await c.call_tool(tool, args, progress_token="fuzz-twin", deadline=ctx.deadline(15))
                # a server_close tool closes even an undisturbed stream on purpose: poll it to the end (2025)
                twin = await c.finish(twin)
            toxics = [await ctx.fault(t, a) for t, a in plan.toxics]
            toxics += [await ctx.fault(t.type, dict(t.attributes), stream=t.stream) for t in schedule.toxics]
            stall = await ctx.fault("faultline.sse_stall", {"events": plan.stall.k}) if plan.stall else None
            outcomes: dict[str, Outcome] = {}

            async def main_call() -> None:
                outcomes["main"] = await c.call_tool(
                    tool, args, progress_token="fuzz", request_id=schedule.request_id, cut_after=plan.client_cut,
                    cut_mid_event=plan.mid, deadline=ctx.deadline(15), read_timeout=patience)

            async def side_call() -> None:
                side = await c.call_tool(tool, args, progress_token="fuzz-side", deadline=ctx.deadline(15))
                outcomes["side"] = await c.finish(side)

            async def other_session() -> None:
                async with ctx.client("B", answers=answers) as b:
                    await b.open()
                    out = await b.call_tool(tool, args, progress_token="fuzz-B", request_id=schedule.request_id,
                                            deadline=ctx.deadline(15))
                    await b.finish(out)

            async def release_stall() -> None:
                assert stall is not None and plan.stall is not None
                await anyio.sleep(plan.stall.ms / 1000.0)
                await stall.remove()

            async with anyio.create_task_group() as outer:
                if "get_stream" in probes:
                    await c.open_standalone_stream(outer, deadline=ctx.deadline(15))
                async with anyio.create_task_group() as tg:
                    tg.start_soon(main_call)
                    if schedule.concurrent:
                        tg.start_soon(side_call)
                    if schedule.second_session:
                        tg.start_soon(other_session)
                    if stall is not None:
                        tg.start_soon(release_stall)
                outer.cancel_scope.cancel()
            for t in toxics + lost:
                await t.remove()
            out = outcomes["main"]
            if patience is not None and out.response is None and out.ended == "timeout":
                ctx.note(f"no response within {patience:g}s of the lost answer: the call is not resumed",
                         patience=patience)
                await _probes(ctx, c, probes, out, answers)
                return
            if plan.down_ms:
                await ctx.network(False)
                await anyio.sleep(plan.down_ms / 1000.0)
                await ctx.network(True)
            if plan.restart:
                await ctx.restart_target()
            # resume to the end (2025) or re-issue (2026)
            again = await c.recover(out, progress_token="fuzz-again", first_cut=plan.replay_cut,
                                    honour_retry=schedule.resume_after_retry)
            if again.reissued:
                before, after = _runs(twin), _runs(again)
                # only a cut while the job clearly still ran (priming + at most one event) proves a cancellation
                early = out.ended == "cut" and len(out.events) <= 2
                if before is not None and after is not None and early:
                    side = 1 if outcomes.get("side") is not None and outcomes["side"].response is not None else 0
                    ctx.note("effect", before=before, after=after, completed_calls=1 + side, cut_calls=1)
            await _probes(ctx, c, probes, out, answers)

    return run


async def _probes(ctx: ScenarioContext, c: Client, probes: list[str], out: Outcome, answers: Answers) -> None:
    first_id = next((e.id for e in out.events if e.id), None)
    stream = out.stream or ""
    for probe in probes:
        if probe == "resume_after_result" and first_id:
            await c.resume(stream, first_id, deadline=ctx.deadline(10))
        elif probe == "unknown_resume":
            await c.resume("post:unknown", "faultline-never-issued-0", deadline=ctx.deadline(5))
        elif probe == "foreign_resume" and (foreign := out.last_event_id or first_id):
            async with ctx.client("B", answers=answers) as b:
                await b.open()
                ctx.note("client B presents client A's Last-Event-ID", foreign_id=foreign)
                await b.resume(stream, foreign, deadline=ctx.deadline(5))
        elif probe == "missing_session":
            await c.raw("POST", body=PING, purpose="missing-session", with_session=False, deadline=ctx.deadline(5))
        elif probe == "version":
            await c.raw("POST", body=PING, headers={"mcp-protocol-version": "1999-01-01"}, purpose="bad-version",
                        deadline=ctx.deadline(5))
        elif probe == "origin":
            await origin_probe(ctx, c)
        elif probe == "delete":
            await c.delete()
            await c.raw("POST", body=PING, purpose="after-delete", deadline=ctx.deadline(5))
        elif probe in LIBRARY_MOVES:
            await _library_move(ctx, probe)


async def _library_move(ctx: ScenarioContext, probe: str) -> None:
    from scenarios.library import lists, mrtr, resources, standalone, stateless, tasks

    moves: dict[str, ScenarioBody] = {"disconnect_cancels": stateless.disconnect_cancels,
                                      "resource_subscribe": resources.subscribed_booking("confirmed"),
                                      "resource_unsubscribe": resources.resource_unsubscribe,
                                      "resource_unknown": resources.resource_unknown_uri,
                                      "resource_restart": resources.resource_restart,
                                      "task_lifecycle": tasks.task_lifecycle, "task_cancel": tasks.task_cancel,
                                      "task_input_reconnect": tasks.task_input_reconnect,
                                      "task_input_restart": tasks.task_input_restart,
                                      "discover": mrtr.discover_identifies,
                                      "mrtr_malformed_input": mrtr.mrtr_malformed_input,
                                      "mrtr_missing_input": mrtr.mrtr_missing_input,
                                      "mrtr_retry_cut": mrtr.mrtr_retry_cut,
                                      "standalone_burst_cut": standalone.standalone_burst_cut,
                                      "tools_list_changed": lists.tools_list_changed}
    body = moves[probe]
    try:
        await body(ctx)
    except NotApplicable as exc:  # the target has no resource role, or cannot be restarted: nothing to probe
        ctx.note(f"probe {probe} skipped: {exc}")
