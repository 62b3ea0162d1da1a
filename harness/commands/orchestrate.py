"""`faultline orchestrate`: the orchestrator agent plans a trip with the travel and research agents.

`--demo` spawns two reference-agent servers (durable SQLite stores), puts the embedded fault proxy
in front of each, strikes one of them mid-run (`--fault cut|down|restart`), prints the itinerary
and the timeline, and checks on the travel server that the trip was booked exactly once.
Without `--demo`, `--travel URL --research URL` reach servers you run yourself (the booking is then
checked for being confirmed; counting duplicates needs the demo's fresh store).
Exit 0: a complete, ordered itinerary with exactly one booking; 1: not so (one line why).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio

from harness.errors import HarnessError, UsageError
from harness.proxy.client import ProxyClient, embedded_proxy
from harness.revisions import ALL, Revision
from harness.targets import SpawnTarget, check_reachable, parse_target_url
from reference_agents.orchestrator import (
    Itinerary,
    OrchestrationError,
    Orchestrator,
    Timeline,
    TripRequest,
)
from reference_agents.orchestrator.wire import Wire, WireError

FAULTS = ("none", "cut", "down", "restart")
AGENTS = ("travel", "research")
FAULT_WAIT = 20.0  # seconds (× time scale) for the run to reach the strike point, or to feel the fault


@dataclass
class DemoOptions:
    trip: TripRequest
    revision: str = Revision.R2025
    fault: str = "none"
    fault_on: str = "travel"
    step_delay: float = 0.1
    time_scale: float = 1.0
    deadline: float = 60.0


@dataclass
class Outcome:
    timeline: Timeline
    itinerary: Itinerary | None = None
    bookings: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def run_demo(opts: DemoOptions, timeline: Timeline | None = None) -> Outcome:
    """Two spawned servers behind the embedded proxy, one fault, the orchestrator, the checks."""
    timeline = timeline or Timeline()
    scratch = Path(tempfile.mkdtemp(prefix="faultline-orchestrate-"))
    targets = {name: SpawnTarget(shlex.join([
        sys.executable, "-m", "harness", "agents", "--port", "0", "--store", f"sqlite:{scratch / name}.sqlite",
        "--retry-ms", "50", "--step-delay", str(opts.step_delay)])) for name in AGENTS}
    try:
        await _start_all(list(targets.values()))
        async with embedded_proxy() as proxy:
            urls = {}
            for name, t in targets.items():
                model = await proxy.create_proxy(f"orchestrate-{name}", t.upstream)
                urls[name] = f"http://{model.listen}{t.path}"
            orch = Orchestrator(urls["travel"], urls["research"], revision=opts.revision, timeline=timeline,
                                deadline=opts.deadline * opts.time_scale, http_timeout=15.0 * opts.time_scale)
            outcome = Outcome(timeline)
            failed: list[HarnessError] = []
            async with anyio.create_task_group() as tg:
                async def strike() -> None:
                    try:
                        await _strike(opts, proxy, targets[opts.fault_on], timeline, outcome)
                    except HarnessError as exc:  # the proxy or the restart failed: the harness's fault (exit 3)
                        failed.append(exc)
                        tg.cancel_scope.cancel()
                if opts.fault != "none":
                    tg.start_soon(strike)
                await _plan(orch, opts.trip, outcome)
                tg.cancel_scope.cancel()  # the run is over: a strike still waiting has nothing to strike
            if failed:
                raise HarnessError(f"the {opts.fault} fault could not be struck: {failed[0]}")
            await _verify(outcome, targets["travel"].url, opts.trip, fresh=True)
            if opts.fault != "none":
                _check_struck(outcome, opts.fault_on)
            return outcome
    finally:
        with anyio.CancelScope(shield=True):
            for t in targets.values():
                await t.stop()


async def _start_all(targets: list[SpawnTarget]) -> None:
    """Start the servers side by side; the first one's HarnessError (not an exception group)."""
    errors: list[HarnessError] = []

    async def start(t: SpawnTarget) -> None:
        try:
            await t.start()
        except HarnessError as exc:
            errors.append(exc)

    async with anyio.create_task_group() as tg:
        for t in targets:
            tg.start_soon(start, t)
    if errors:
        raise errors[0]


async def run_against(travel: str, research: str, trip: TripRequest, revision: str, deadline: float) -> Outcome:
    for url in (travel, research):  # a server that is not there at all is the user's setup, not a finding (exit 3)
        await check_reachable(parse_target_url(url))
    outcome = Outcome(Timeline())
    await _plan(Orchestrator(travel, research, revision=revision, timeline=outcome.timeline, deadline=deadline),
                trip, outcome)
    await _verify(outcome, travel, trip, fresh=False)
    return outcome


async def _plan(orch: Orchestrator, trip: TripRequest, outcome: Outcome) -> None:
    try:
        outcome.itinerary = await orch.plan(trip)
    except OrchestrationError as exc:
        outcome.problems.append(str(exc))
        return
    outcome.problems += outcome.itinerary.problems()


async def _strike(opts: DemoOptions, proxy: ProxyClient, target: SpawnTarget, timeline: Timeline,
                  outcome: Outcome) -> None:
    """Wait until the faulted agent is mid-run, then strike; heal once the orchestrator felt it."""
    agent, name, wait = opts.fault_on, f"orchestrate-{opts.fault_on}", FAULT_WAIT * opts.time_scale
    trigger = "progress" if opts.revision == Revision.R2025 else "task"
    try:
        with anyio.fail_after(wait):
            await timeline.wait_for(agent, trigger)
    except TimeoutError:
        outcome.problems.append(f"the {agent} agent never reached its first {trigger}: no {opts.fault} struck")
        return
    mark = len(timeline.entries)
    felt = ("cut", "refused")
    if opts.fault == "cut":
        timeline.add(agent, "fault", "cut: every connection to the server is reset")
        await proxy.add_toxic(name, "reset_peer", {"timeout": 0}, stream="downstream", name="orchestrate-cut")
        await _felt(timeline, agent, felt, mark, wait)
        await proxy.remove_toxic(name, "orchestrate-cut")
    elif opts.fault == "down":
        timeline.add(agent, "fault", "down: the network to the server is down")
        await proxy.set_enabled(name, False)
        await _felt(timeline, agent, ("refused",), mark, wait)
        await proxy.set_enabled(name, True)
    else:
        timeline.add(agent, "fault", "restart: SIGKILL the server, start it again on its store")
        await target.restart()
        await proxy.update_proxy(name, upstream=target.upstream)
    timeline.add(agent, "fault", "healed")


async def _felt(timeline: Timeline, agent: str, kinds: tuple[str, ...], mark: int, wait: float) -> None:
    with anyio.move_on_after(wait):  # heal anyway after `wait`: _check_struck reports a fault never felt
        await timeline.wait_for(agent, where=lambda e: e.kind in kinds, after=mark)


def _check_struck(outcome: Outcome, agent: str) -> None:
    kinds = [e.kind for e in outcome.timeline.entries if e.agent == agent]
    if "fault" not in kinds:
        return  # _strike already said why
    struck = kinds.index("fault")
    if "result" in kinds and kinds.index("result") < struck:
        outcome.problems.append(f"the fault struck after the {agent} agent had finished (raise --step-delay)")
    elif not {"cut", "refused"} & set(kinds[struck:]):
        outcome.problems.append(f"the orchestrator never felt the fault on the {agent} agent")


async def _verify(outcome: Outcome, travel_url: str, trip: TripRequest, *, fresh: bool) -> None:
    """Exactly one booking for this trip on the travel server (fresh store), and it is ours and confirmed."""
    if outcome.itinerary is None:
        return
    try:
        outcome.bookings = await bookings_for(travel_url, trip)
    except (WireError, ValueError, KeyError) as exc:
        outcome.problems.append(f"cannot list the travel server's bookings: {exc}")
        return
    ours = outcome.itinerary.booking.booking_id
    mine = [b for b in outcome.bookings if b.get("id") == ours]
    if not mine or mine[0].get("status") != "confirmed":
        outcome.problems.append(f"the travel server does not hold booking {ours} as confirmed")
    if fresh and len(outcome.bookings) != 1:
        ids = ", ".join(f"{b.get('id')} ({b.get('status')})" for b in outcome.bookings)
        outcome.problems.append(f"{len(outcome.bookings)} bookings for this trip on the travel server, "
                                f"not exactly 1: {ids}")


async def bookings_for(url: str, trip: TripRequest) -> list[dict[str, Any]]:
    """Every booking record on the travel server for this trip (destination, travellers, dates)."""
    wire = Wire(url, Revision.R2026, timeout=10.0)
    out: list[dict[str, Any]] = []
    try:
        cursor = None
        with anyio.fail_after(30):
            while True:
                res = _ok(await wire.call("resources/list", {"cursor": cursor} if cursor else {}))
                for r in res.get("resources") or []:
                    if str(r.get("uri", "")).startswith("travel://bookings/"):
                        read = _ok(await wire.call("resources/read", {"uri": r["uri"]}))
                        rec = json.loads(read["contents"][0]["text"])
                        if (rec.get("destination"), rec.get("travellers", trip.travellers),
                                rec.get("dates", trip.dates)) == (trip.destination, trip.travellers, trip.dates):
                            out.append(rec)
                cursor = res.get("nextCursor")
                if not cursor:
                    return out
    finally:
        await wire.aclose()


def _ok(response: dict[str, Any]) -> dict[str, Any]:
    if "error" in response:
        raise ValueError(f"error {response['error']}")
    return dict(response.get("result") or {})


# --- the command ---------------------------------------------------------------------------------
def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--demo", action="store_true", help="spawn both agents' servers behind the embedded proxy")
    p.add_argument("--travel", metavar="URL", help="the travel agent's MCP endpoint (without --demo)")
    p.add_argument("--research", metavar="URL", help="the research agent's MCP endpoint (without --demo)")
    p.add_argument("--revision", choices=[r.value for r in ALL], default=Revision.R2025.value, help="protocol revision (default 2025-11-25)")
    p.add_argument("--fault", choices=FAULTS, default="none", help="(--demo) what strikes mid-run (default none)")
    p.add_argument("--fault-on", choices=AGENTS, default="travel", help="(--demo) whose server (default travel)")
    p.add_argument("--destination", default="Lisbon", help="where to (default Lisbon)")
    p.add_argument("--travellers", type=int, default=2, help="how many travel (default 2)")
    p.add_argument("--budget", type=int, default=1500, help="dollars; 0: no limit (default 1500)")
    p.add_argument("--dates", default="2026-05-01..2026-05-08", help="when (default 2026-05-01..2026-05-08)")
    p.add_argument("--step-delay", type=float, default=0.1, metavar="S", help="(--demo) agents' work per step")
    p.add_argument("--deadline", type=float, default=60.0, metavar="S", help="hard limit on the run (default 60)")
    p.add_argument("--time-scale", type=float, default=1.0, metavar="F", help="multiply every deadline by F")


def _usage(args: argparse.Namespace) -> None:
    if args.demo and (args.travel or args.research):
        raise UsageError("orchestrate: give --demo or --travel URL --research URL, not both")
    if not args.demo:
        if not (args.travel and args.research):
            raise UsageError("orchestrate: give --demo, or both --travel URL and --research URL")
        for flag, url in (("--travel", args.travel), ("--research", args.research)):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise UsageError(f"orchestrate: {flag} {url!r} is not an http(s) URL")
        if args.fault != "none":
            raise UsageError("orchestrate: --fault needs --demo (faults are struck through the embedded proxy)")
    if args.travellers < 1:
        raise UsageError("orchestrate: --travellers must be >= 1")
    if args.budget < 0:
        raise UsageError("orchestrate: --budget must be >= 0")
    if not args.destination.strip():
        raise UsageError("orchestrate: --destination must not be empty")
    for flag, value in (("--time-scale", args.time_scale), ("--deadline", args.deadline)):
        if not value > 0:
            raise UsageError(f"orchestrate: {flag} must be > 0")
    if args.step_delay < 0:
        raise UsageError("orchestrate: --step-delay must be >= 0")


def run(args: argparse.Namespace) -> int:
    _usage(args)
    trip = TripRequest(args.destination.strip(), args.travellers, args.budget, args.dates)
    if args.demo:
        opts = DemoOptions(trip, args.revision, args.fault, args.fault_on, args.step_delay, args.time_scale,
                           args.deadline)
        outcome = anyio.run(run_demo, opts)
        where = f"--demo, {args.revision}, fault {args.fault}" + (f" on {args.fault_on}" if args.fault != "none" else "")
    else:
        outcome = anyio.run(run_against, args.travel, args.research, trip, args.revision,
                            args.deadline * args.time_scale)
        where = f"{args.revision}, travel {args.travel}, research {args.research}"
    print(f"faultline orchestrate ({where})")
    if outcome.itinerary is not None:
        print(outcome.itinerary.render())
    else:
        print(f"Timeline ({len(outcome.timeline.entries)} entries):\n{outcome.timeline.render()}")
    if outcome.itinerary is not None and outcome.bookings:
        note = "" if args.demo else " (a server you run keeps earlier runs' bookings; --demo counts on a fresh store)"
        print(f"Bookings for this trip on the travel server: {len(outcome.bookings)}{note}")
    if outcome.problems:
        print(f"faultline orchestrate: FAIL: {outcome.problems[0]}", file=sys.stderr)
        return 1
    print("OK: a complete, ordered itinerary with exactly one booking" if args.demo
          else "OK: a complete, ordered itinerary; the booking is confirmed on the travel server")
    return 0
