"""`faultline fuzz` figures: schedules per second against the clean reference agents at each revision, and,
for every mutant of the kill matrix, the time to the first failure, whether it carries one of the mutant's
requirement ids, the shrunk schedule, and how many replays of the repro file's schedule reproduce it.
Targets: >= 10 schedules/s; time to first failure median <= 5 s, max <= 15 s.

    python -m benchmarks fuzz                  # both parts
    FAULTLINE_BENCH_FUZZ_CLEAN=20 python -m benchmarks fuzz   # seconds of exploring per revision (clean agents)
    FAULTLINE_BENCH_FUZZ_MUTANTS=no-priming,response-twice python -m benchmarks fuzz   # only these mutants
    FAULTLINE_BENCH_FUZZ_BUDGET=20 FAULTLINE_BENCH_FUZZ_WORKERS=8 FAULTLINE_BENCH_FUZZ_REPLAYS=3 ...
    FAULTLINE_BENCH_FUZZ_ISOLATION=30 python -m benchmarks fuzz   # also: verdicts independent of the examples before

Isolation (opt-in, FAULTLINE_BENCH_FUZZ_ISOLATION=N): the seed corpus plus N drawn schedules, played in order on one
target and in reverse order on another (so each schedule after different ones, on a target that already served
them), for the clean agents and ISOLATION_MUTANTS; a schedule whose signature differs between the two is listed.

Every target is `faultline agents --step-delay 0 --retry-ms 20` on its own default store (the scratch folder of
its spawn: each worker's own, restartable). Bounded: clean seconds x 2 plus, per mutant, the budget, the
shrinking cut at the budget, and the replays; a line at least every 8 s (a heartbeat while an example runs).

Where the time went (py-spy over the harness and its servers, per-example timings, this benchmark):
examples mostly wait on the server (~0.3 s each), so workers multiply the rate; ~70% of all CPU was server
starts (0.9 s of imports each: every worker's, every restart's; harness/forkserver.py forks them instead);
library moves (a booking, a task, a restart: 1-5 s) were drawn in 1 example of 3 and took ~60% of the
search's time (now 1 in 8: the seed corpus plays each one); httpcore's per-request `import sniffio` that
searched sys.path each time was a fifth of the harness's CPU (harness/__init__.py); drawing a schedule cost
~30 ms of CPU while the strategy was rebuilt per draw (now built once per search); 1-byte slicer strikes
cost seconds each.
"""

from __future__ import annotations

import functools
import os
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness.commands.replay import load_repro
from harness.fuzz import DEFAULT_WORKERS, FAILING, FuzzStats, fuzz
from harness.fuzz_io import order_independence, recorded_calibration, replay_many, write_repro
from harness.heartbeat import HEARTBEAT_S, Heartbeat
from harness.killmatrix import EXPECTED
from harness.profiles import REFERENCE
from harness.revisions import ALL, Revision
from harness.runner import RunConfig
from harness.targets import SpawnTarget
from scenarios.schedules import Schedule

SEED = 0


def _env(name: str, default: float) -> float:
    return float(os.environ.get(f"FAULTLINE_BENCH_FUZZ_{name}", default))


BUDGET = _env("BUDGET", 20.0)  # seconds per mutant
CLEAN = _env("CLEAN", 20.0)  # seconds per revision on the clean agents
WORKERS = int(_env("WORKERS", DEFAULT_WORKERS))
REPLAYS = int(_env("REPLAYS", 3))
ISOLATION = int(_env("ISOLATION", 0))  # drawn schedules besides the seed corpus (0: no isolation part)
ISOLATION_MUTANTS = ("disconnect-ignored-2026", "replay-skip-first", "response-twice", "resource-no-update",
                     "task-lost-on-restart", "terminated-session-accepted")  # effect counter, store, restart, session


def command(mutant: str | None = None) -> str:
    cmd = [sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0", "--retry-ms", "20"]
    return shlex.join(cmd + (["--mutant", mutant] if mutant else []))


def _beat(label: str) -> tuple[Heartbeat, Callable[[FuzzStats, str], None]]:
    """A heartbeat line (at most HEARTBEAT_S s of silence) saying how far a fuzz run is, and its progress hook."""
    seen: dict[str, FuzzStats] = {}  # the run's stats, once its first example is done

    def status() -> str:
        stats = seen.get("stats")
        done = f"{stats.examples} schedules, {stats.failures} failure(s)" if stats else "starting"
        return f"  ... {label}: {done}"

    def on_progress(stats: FuzzStats, _now: str) -> None:
        seen["stats"] = stats

    return Heartbeat(status, every=HEARTBEAT_S, stream=sys.stdout), on_progress


def clean_rate() -> dict[str, str]:
    figures: dict[str, str] = {}
    for rev in ALL:
        config = RunConfig(scenarios=[], revisions=(rev,), profile=REFERENCE)
        started = time.monotonic()
        hb, progress = _beat(f"clean {rev.value}")
        with hb:
            failures, stats = fuzz(SpawnTarget(command()), config, max_examples=100_000, time_budget=CLEAN,
                                   seed_value=SEED, workers=WORKERS, remember=False,
                                   on_progress=progress)
        wall = time.monotonic() - started
        exploring = max(wall - stats.ready, 1e-9)
        print(f"clean {rev.value}: {stats.examples} schedules in {wall:.1f}s = {stats.examples / wall:.2f} schedules/s "
              f"({stats.examples / exploring:.2f}/s after the {stats.workers} targets were up at {stats.ready:.1f}s; "
              f"target >= 10); {len(failures)} failure(s)", flush=True)
        for f in failures:
            print(f"   FAIL [{', '.join(f.signature)}] {f.revision} {f.schedule.describe()}", flush=True)
        figures[f"fuzz {rev.value} (clean agents)"] = f"{stats.examples / wall:.2f} schedules/s (target >= 10)"
    return figures


def _replays(path: Path, cmd: str, signature: list[str]) -> int:
    """How many of REPLAYS runs of the repro file's schedule (one target for all) fail with its signature again."""
    data = load_repro(path)
    rev = Revision(data["revision"])
    config = RunConfig(scenarios=[], revisions=(rev,), profile=REFERENCE, calibration=recorded_calibration(data))
    results = replay_many(SpawnTarget(cmd), config, Schedule.from_json(data["schedule"]), rev, REPLAYS)
    return sum(bool({v.requirement for v in r.verdicts if v.status in FAILING} & set(signature)) for r in results)


def mutants(tmp: Path, names: list[str]) -> dict[str, str]:
    firsts: list[float] = []
    ups: list[float] = []
    print(f"{'mutant':<30} {'first':>6} {'up':>5} {'ex':>4} {'own':>4} {'replay':>7}  signature / shrunk schedule "
          f"(budget {BUDGET:.0f}s, {WORKERS} workers)", flush=True)
    for name in names:
        cmd = command(name)
        config = RunConfig(scenarios=[], revisions=ALL, profile=REFERENCE)
        hb, progress = _beat(name)
        with hb:
            failures, stats = fuzz(SpawnTarget(cmd), config, max_examples=100_000, time_budget=BUDGET, seed_value=SEED,
                               stop_at_first=True, workers=WORKERS, remember=False,
                               on_progress=progress)
        if not failures:
            print(f"{name:<30} {'-':>6} {stats.first_up:>4.1f}s {'-':>4} {'-':>4} {'-':>7}  NOT FOUND within "
                  f"{BUDGET:.0f}s ({stats.examples} schedules)", flush=True)
            continue
        f = failures[0]
        firsts.append(f.found_after)
        ups.append(stats.first_up)
        own = "yes" if set(f.signature) & set(EXPECTED[name][0]) else "NO"
        path = write_repro(f, SpawnTarget(cmd), config, SEED, tmp / "repros" / name)
        with _beat(f"{name} replays")[0]:
            hits = _replays(path, cmd, f.signature)
        print(f"{name:<30} {f.found_after:>5.1f}s {stats.first_up:>4.1f}s {f.examples:>4} {own:>4} {hits:>3}/{REPLAYS}  "
              f"[{', '.join(f.signature)}] {f.revision} {f.schedule.describe()}", flush=True)
    if firsts:
        print(f"\nfound {len(firsts)}/{len(names)} mutants within {BUDGET:.0f}s each; time to first failure: median "
              f"{statistics.median(firsts):.1f}s (target <= 5 s), max {max(firsts):.1f}s (target <= 15 s); the first "
              f"target was up after {statistics.median(ups):.1f}s (median)", flush=True)
        return {"fuzz time to first failure": f"median {statistics.median(firsts):.1f} s, max {max(firsts):.1f} s, "
                                              f"{len(firsts)}/{len(names)} mutants found (target <= 5 s, <= 15 s)"}
    return {}


def isolation(names: list[str]) -> None:
    """A schedule's verdict does not depend on the examples before it on the same target (fuzz_io.order_independence)."""
    print(f"\nisolation: the seed corpus + {ISOLATION} drawn schedules, in order on one target, reversed on another",
          flush=True)
    for name in names:
        with _beat(f"isolation {name}")[0]:
            cmd = command(None if name == "clean" else name)
            cases, forward, backward = order_independence(functools.partial(SpawnTarget, cmd),
                                                          RunConfig(scenarios=[], revisions=ALL, profile=REFERENCE),
                                                          ISOLATION, SEED)
        differ = [(c, f, b) for c, f, b in zip(cases, forward, backward, strict=True) if f != b]
        failing = sum(bool(f) for f in forward)
        print(f"  {name:<28} {len(cases)} schedules, {failing} failing; {len(differ)} differ between the orders", flush=True)
        for (rev, schedule), f in zip(cases, forward, strict=True):
            if f and name == "clean":  # the clean agents should fail nothing: each failure shown
                print(f"     FAIL {rev.value} {schedule.describe()}: [{', '.join(f)}]", flush=True)
        for (rev, schedule), f, b in differ:
            print(f"     {rev.value} {schedule.describe()}: in order [{', '.join(f)}], reversed [{', '.join(b)}]",
                  flush=True)


def main() -> dict[str, str]:
    only = [m for m in os.environ.get("FAULTLINE_BENCH_FUZZ_MUTANTS", "").split(",") if m]
    unknown = [m for m in only if m not in EXPECTED and m != "none"]
    if unknown:
        print(f"FAULTLINE_BENCH_FUZZ_MUTANTS: not in the kill matrix: {', '.join(unknown)} (none runs no mutant)")
        only = [m for m in only if m in EXPECTED] or (["none"] if "none" in only else [])
    figures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="faultline-bench-fuzz-") as tmp:
        if CLEAN > 0:
            figures.update(clean_rate())
        if only != ["none"]:
            figures.update(mutants(Path(tmp), only or list(EXPECTED)))
    if ISOLATION > 0:
        isolation(["clean", *ISOLATION_MUTANTS])
    return figures


if __name__ == "__main__":
    main()
