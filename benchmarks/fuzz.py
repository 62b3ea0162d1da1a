"""`faultline fuzz` figures: schedules per second against the clean reference agents, and, for every
mutant of the kill matrix, the time to the first failure, the shrunk schedule, and how many of 10
replays reproduce it. Targets: >= 10 schedules/s; median time to first failure <= 5 s.

    python -m benchmarks fuzz                  # both parts
    FAULTLINE_BENCH_FUZZ_CLEAN=500 python -m benchmarks fuzz   # examples per revision on the clean agents
    FAULTLINE_BENCH_FUZZ_MUTANTS=no-priming,response-twice python -m benchmarks fuzz   # only these mutants

Every target is `faultline agents --step-delay 0 --retry-ms 20` on its own SQLite store (restartable).
"""

from __future__ import annotations

import os
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness.commands.replay import load_repro, reproduces
from harness.fuzz import fuzz, write_repro
from harness.killmatrix import EXPECTED
from harness.profiles import REFERENCE
from harness.revisions import ALL
from harness.runner import RunConfig
from harness.targets import SpawnTarget

BUDGET = 60.0
REPLAYS = 10
SEED = 0


def command(store: Path, mutant: str | None = None) -> str:
    cmd = [sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0", "--retry-ms", "20",
           "--store", f"sqlite:{store}"]
    return shlex.join(cmd + (["--mutant", mutant] if mutant else []))


def clean_rate(tmp: Path, examples: int) -> None:
    for rev in ALL:
        config = RunConfig(scenarios=[], revisions=(rev,), profile=REFERENCE)
        started = time.monotonic()
        failures, stats = fuzz(SpawnTarget(command(tmp / f"clean-{rev.value}.sqlite")), config,
                               max_examples=examples, time_budget=3600.0, seed_value=SEED)
        wall = time.monotonic() - started
        print(f"clean {rev.value}: {stats.examples} schedules in {wall:.1f}s = {stats.examples / wall:.2f} schedules/s "
              f"(target >= 10); {len(failures)} failure(s)", flush=True)
        for f in failures:
            print(f"   FAIL [{', '.join(f.signature)}] {f.schedule.describe()}", flush=True)


def mutants(tmp: Path, names: list[str]) -> None:
    firsts: list[float] = []
    print(f"{'mutant':<30} {'first':>6} {'ex':>4} {'strikes':>7} {'replay':>7}  signature / shrunk schedule", flush=True)
    for name in names:
        cmd = command(tmp / f"{name}.sqlite", name)
        config = RunConfig(scenarios=[], revisions=ALL, profile=REFERENCE)
        failures, _ = fuzz(SpawnTarget(cmd), config, max_examples=1000, time_budget=BUDGET, seed_value=SEED,
                           stop_at_first=True)
        if not failures:
            print(f"{name:<30} {'-':>6} {'-':>4} {'-':>7} {'-':>7}  NOT FOUND within {BUDGET:.0f}s", flush=True)
            continue
        f = failures[0]
        firsts.append(f.found_after)
        path = write_repro(f, SpawnTarget(cmd), config, SEED, tmp / "repros" / name)
        data = load_repro(path)
        hits = sum(bool(reproduces(data, SpawnTarget(cmd))) for _ in range(REPLAYS))
        print(f"{name:<30} {f.found_after:>5.1f}s {f.examples:>4} {len(f.schedule.strikes):>7} {hits:>3}/{REPLAYS}  "
              f"[{', '.join(f.signature)}] {f.revision} {f.schedule.describe()}", flush=True)
    if firsts:
        print(f"\nfound {len(firsts)}/{len(names)} mutants; time to first failure: median "
              f"{statistics.median(firsts):.1f}s (target <= 5 s), max {max(firsts):.1f}s", flush=True)


def main() -> None:
    examples = int(os.environ.get("FAULTLINE_BENCH_FUZZ_CLEAN", "100"))
    only = [m for m in os.environ.get("FAULTLINE_BENCH_FUZZ_MUTANTS", "").split(",") if m]
    with tempfile.TemporaryDirectory(prefix="faultline-bench-fuzz-") as tmp:
        if examples > 0:
            clean_rate(Path(tmp), examples)
        mutants(Path(tmp), only or list(EXPECTED))


if __name__ == "__main__":
    main()
