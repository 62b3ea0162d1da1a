"""The kill matrix: every mutant of the reference agents must be FAILed (WARNed, for a SHOULD) by
at least one check carrying its expected requirement id, and the clean agents by none.

`python -m harness.killmatrix [--quick] [--json PATH] [-m MUTANT ...]` prints the table and writes
JSON. `--quick` runs, per mutant, only the scenarios that exercise its bug (the test suite's mode);
without it every scenario runs against every mutant. What each mutant must be caught by is declared
by its module in reference_agents/mutants/ (the registry); a mutant no check can catch is listed with
the reason, never run. A concurrency mutant (`by_load`) is run by the `faultline load` workload instead
(`--load-duration` seconds, LOAD_CLIENTS clients, at time scale 1), and the clean row runs it too: the clean
agents must get no FAIL under load (a WARN there is a loaded machine's slowness, not a finding).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

import anyio

from harness.heartbeat import HEARTBEAT_S, Heartbeat, duration
from harness.profiles import REFERENCE
from harness.revisions import ALL, Revision
from harness.runner import RunConfig, ScenarioResult, run_suite
from harness.targets import SpawnTarget
from reference_agents.mutants import REGISTRY, check_mutant
from scenarios.api import Scenario, all_scenarios, select

# mutant -> (requirement ids of which one must fire, scenario name fragments that exercise it): the registry's
EXPECTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    m.name: (m.requirements, m.scenarios) for m in REGISTRY.values() if not m.uncaught}
# mutant -> why no check can catch it (listed by the matrix, never run)
UNCAUGHT: dict[str, str] = {m.name: m.uncaught for m in REGISTRY.values() if m.uncaught}

KILL_STATUSES = ("FAIL", "WARN")
BY_LOAD = {m.name for m in REGISTRY.values() if m.by_load}
LOAD_CLIENTS, LOAD_DURATION = 20, 20.0
# the agents' step delay under load: a call then lasts its steps x this, so the two calls of a burst are in flight
# at once however loaded the machine (at 0 a call can end before its twin arrives, and a race never shows)
LOAD_STEP_DELAY = 0.05


@dataclass
class Row:
    mutant: str
    expected: list[str]
    fired: list[str]  # requirement ids FAILed/WARNed
    killed: bool
    wall: float
    where: list[str] = field(default_factory=list)  # each FAIL/WARN: "requirement in scenario@revision: message"


@dataclass(frozen=True)
class CleanSlice:
    """Every `count`-th scenario from the `index`-th against the clean agents: the clean row cut into `count`
    parts that run side by side, each with its own server (the test suite's mode); together every scenario once."""

    index: int
    count: int

    def scenarios(self) -> list[Scenario]:
        return all_scenarios()[self.index::self.count]

    @property
    def label(self) -> str:
        return f"(clean {self.index + 1}/{self.count})"


def check_in_matrix(name: str) -> None:
    """A ValueError (one line) unless `name` is a mutant the matrix runs."""
    check_mutant(name)
    if name in UNCAUGHT:
        raise ValueError(f"mutant {name!r} is not in the matrix: {UNCAUGHT[name]}")


def _command(mutant: str | None, store: Path, step_delay: float = 0.0) -> str:
    cmd = [sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", f"{step_delay:g}",
           "--retry-ms", "50", "--store", f"sqlite:{store}"]
    if mutant:
        cmd += ["--mutant", mutant]
    return shlex.join(cmd)


@dataclass
class Now:
    """What the matrix is doing, for its heartbeat: the row it runs, since when, its scenario runs."""

    label: str = "starting"
    started: float = field(default_factory=time.monotonic)
    runs: int = 0
    done: int = 0
    current: str = ""

    def begin(self, label: str) -> None:
        self.label, self.started, self.runs, self.done, self.current = label, time.monotonic(), 0, 0, "start-up"

    def status(self) -> str:
        return (f"  ... {self.label}: {duration(time.monotonic() - self.started)} in, {self.done}/{self.runs or '?'} "
                f"scenario runs done, now {self.current}")


async def run_against(mutant: str | None, patterns: list[str] | None, *, time_scale: float = 1.0,
                      now: Now | None = None, scenarios: list[Scenario] | None = None) -> list[ScenarioResult]:
    """The scenarios matching `patterns` (or exactly `scenarios`) at both revisions against the agents."""
    with tempfile.TemporaryDirectory(prefix="faultline-km-") as tmp:
        chosen = select(patterns) if scenarios is None else scenarios
        config = RunConfig(scenarios=chosen, revisions=ALL, profile=REFERENCE,
                           time_scale=time_scale)
        if now is None:
            return await run_suite(SpawnTarget(_command(mutant, Path(tmp) / "store.sqlite")), config)
        now.runs = len(config.scenarios) * len(config.revisions)

        def started(sc: Scenario, rev: Revision) -> None:
            now.current = f"{sc.name}@{rev.value}"

        def ended(result: ScenarioResult) -> None:
            now.done += 1

        return await run_suite(SpawnTarget(_command(mutant, Path(tmp) / "store.sqlite")), config,
                               on_start=started, on_result=ended)


async def load_against(mutant: str | None, *, duration: float = LOAD_DURATION, now: Now | None = None) -> list[str]:
    """The requirement ids `faultline load` FAILs against the agents (with `mutant`)."""
    from harness.load.engine import LoadConfig, run_load

    if now is not None:
        now.current = f"faultline load ({LOAD_CLIENTS} clients, {duration:g}s)"
    with tempfile.TemporaryDirectory(prefix="faultline-km-") as tmp:
        shared = await run_load(SpawnTarget(_command(mutant, Path(tmp) / "store.sqlite", LOAD_STEP_DELAY)), REFERENCE,
                                LoadConfig(clients=LOAD_CLIENTS, duration=duration), say=lambda line: None)
    return sorted({v.requirement for _, _, v in shared.verdicts if v.status == "FAIL"})


def where(results: list[ScenarioResult]) -> list[str]:
    return [f"{v.requirement} in {r.scenario}@{r.revision}: {v.message[:200]}"
            for r in results for v in r.verdicts if v.status in KILL_STATUSES]


def fired(results: list[ScenarioResult]) -> list[str]:
    return sorted({v.requirement for r in results for v in r.verdicts if v.status in KILL_STATUSES})


def estimate(walls: list[float], left: int, clean_wall: float | None) -> str:
    """What is left, from the mean of the mutants run so far (before the first: a full run of the clean agents,
    which a full-suite mutant row takes about as long as)."""
    if left == 0:
        return "none left"
    per = sum(walls) / len(walls) if walls else clean_wall
    about = f", about {duration(per * left)}" if per is not None else ""
    return f"{left} mutant{'s' if left > 1 else ''} left{about}"


async def row(mutant: str | CleanSlice | None, *, quick: bool, time_scale: float = 1.0, now: Now | None = None,
              load: bool = False, load_duration: float = LOAD_DURATION) -> Row:
    """One row: the clean agents (`mutant` None: every scenario, a CleanSlice: its part of them; plus `faultline
    load` with `load`; killed means something fired) or a mutant (a concurrency mutant by `faultline load`; else,
    with `quick`, only the scenarios that exercise it; killed means one of its expected requirements fired)."""
    started = time.monotonic()
    if mutant is None or isinstance(mutant, CleanSlice):
        part = mutant.scenarios() if mutant else None
        results = await run_against(None, None, time_scale=time_scale, now=now, scenarios=part)
        clean = fired(results)
        if load:
            clean = sorted(set(clean) | set(await load_against(None, duration=load_duration, now=now)))
        return Row(mutant.label if mutant else "(clean)", [], clean, killed=bool(clean),
                   wall=time.monotonic() - started, where=where(results))
    expected, scenarios = EXPECTED[mutant]
    if mutant in BY_LOAD:
        got = await load_against(mutant, duration=load_duration, now=now)
    else:
        got = fired(await run_against(mutant, list(scenarios) if quick else None, time_scale=time_scale, now=now))
    return Row(mutant, list(expected), got, bool(set(got) & set(expected)), time.monotonic() - started)


async def concurrent_rows(mutants: list[str | CleanSlice | None], *, jobs: int, quick: bool, time_scale: float = 1.0,
                          load_duration: float = LOAD_DURATION) -> list[Row]:
    """The rows of `mutants` (None: the clean agents; a CleanSlice: a part of them), `jobs` at a time (each its own
    spawned server, store and proxy), in the order given; no heartbeat (the test suite's mode). The clean agents'
    load run goes with their row, or with their first slice (wherever the concurrency mutants are)."""
    limiter = anyio.CapacityLimiter(jobs)
    load_duration *= min(1.0, max(0.5, time_scale))  # shortened as matrix() shortens it
    done: dict[int, Row] = {}

    def clean_load(mutant: str | CleanSlice | None) -> bool:
        if isinstance(mutant, CleanSlice):
            return mutant.index == 0 and bool(BY_LOAD)
        return mutant is None and bool(set(mutants) & BY_LOAD)

    async def one(i: int, mutant: str | CleanSlice | None) -> None:
        async with limiter:
            done[i] = await row(mutant, quick=quick, time_scale=time_scale, load_duration=load_duration,
                                load=clean_load(mutant))

    async with anyio.create_task_group() as tg:
        for i, mutant in enumerate(mutants):
            tg.start_soon(one, i, mutant)
    return [done[i] for i in range(len(mutants))]


async def matrix(mutants: list[str], *, quick: bool, time_scale: float = 1.0, every: float = HEARTBEAT_S,
                 out: TextIO | None = None, load_duration: float = LOAD_DURATION) -> tuple[Row, list[Row]]:
    """The clean row, then one row per mutant; a line as each row starts and ends (with what is left), and
    a heartbeat line whenever `every` seconds pass without one (`out`: default stdout)."""
    now = Now()
    # a shortened matrix (time scale < 1, the test suite's) shortens the load rows too, never under half
    load_duration *= min(1.0, max(0.5, time_scale))
    with Heartbeat(now.status, every=every, stream=out) as hb:
        how = "per mutant only the scenarios that exercise it (--quick)" if quick else "every scenario per mutant"
        hb.say(f"kill matrix: the clean agents, then {len(mutants)} mutant(s), {how}, both revisions")
        now.begin("clean agents")
        hb.say("[clean] the clean agents: every scenario")
        clean_row = await row(None, quick=quick, time_scale=time_scale, now=now, load=bool(set(mutants) & BY_LOAD),
                              load_duration=load_duration)
        hb.say(f"[clean] done in {duration(clean_row.wall)}: {', '.join(clean_row.fired) or 'nothing'} FAILed/WARNed "
               f"(must be nothing); {estimate([], len(mutants), None if quick else clean_row.wall)}")
        rows: list[Row] = []
        for i, m in enumerate(mutants, 1):
            now.begin(f"[{i}/{len(mutants)}] {m}")
            what = "faultline load" if m in BY_LOAD else ", ".join(EXPECTED[m][1]) if quick else "every scenario"
            hb.say(f"[{i}/{len(mutants)}] {m}: running ({what})")
            rows.append(done := await row(m, quick=quick, time_scale=time_scale, now=now, load_duration=load_duration))
            hb.say(f"[{i}/{len(mutants)}] {m}: {'killed' if done.killed else 'NOT KILLED'} in {duration(done.wall)} "
                   f"({', '.join(done.fired) or 'nothing fired'}); "
                   f"{estimate([r.wall for r in rows], len(mutants) - i, None if quick else clean_row.wall)}")
    return clean_row, rows


def print_table(clean: Row, rows: list[Row]) -> None:
    print(f"{'mutant':<30} {'killed':<7} {'time':>6}  expected → fired")
    print(f"{clean.mutant:<30} {'-':<7} {clean.wall:>5.1f}s  (must be empty) → {', '.join(clean.fired) or 'none'}")
    for r in rows:
        print(f"{r.mutant:<30} {'yes' if r.killed else 'NO':<7} {r.wall:>5.1f}s  "
              f"{', '.join(r.expected)} → {', '.join(r.fired) or 'none'}")
    for name, why in UNCAUGHT.items():
        print(f"{name:<30} {'-':<7} {'':>6}  uncaught: {why}")
    killed = sum(r.killed for r in rows)
    print(f"\nkilled {killed}/{len(rows)} mutants ({len(UNCAUGHT)} uncaught, not run); "
          f"clean agents: {len(clean.fired)} FAIL/WARN requirement(s)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.killmatrix", description=__doc__)
    p.add_argument("--quick", action="store_true", help="per mutant, only the scenarios that exercise it")
    p.add_argument("-m", "--mutant", action="append", help="only these mutants (repeatable)")
    p.add_argument("--json", type=Path, default=Path("faultline-out/killmatrix.json"))
    p.add_argument("--time-scale", type=float, default=1.0, help="multiply every deadline (hanging mutants wait it out)")
    p.add_argument("--load-duration", type=float, default=LOAD_DURATION,
                   help=f"seconds of `faultline load` per concurrency mutant and for the clean row (default {LOAD_DURATION:g})")
    args = p.parse_args(argv)
    try:
        for name in args.mutant or []:
            check_in_matrix(name)
    except ValueError as exc:
        print(f"killmatrix: {exc}", file=sys.stderr)
        return 2
    from harness.cli import innermost, interrupted, signals_unwind

    try:  # SIGTERM / SIGHUP unwind like Ctrl-C: every spawned agents server is stopped on the way out
        with signals_unwind():
            clean, rows = anyio.run(lambda: matrix(args.mutant or list(EXPECTED), quick=args.quick,
                                                   time_scale=args.time_scale, load_duration=args.load_duration))
    except BaseException as exc:  # noqa: BLE001 - only an interrupt is turned into its exit code
        if isinstance(innermost(exc), KeyboardInterrupt):
            return interrupted("killmatrix")
        raise
    print()
    print_table(clean, rows)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"clean": asdict(clean), "mutants": [asdict(r) for r in rows],
                                     "uncaught": UNCAUGHT}, indent=2))
    print(f"json: {args.json}")
    return 0 if all(r.killed for r in rows) and not clean.fired else 1


if __name__ == "__main__":
    sys.exit(main())
