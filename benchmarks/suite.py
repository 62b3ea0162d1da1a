"""The whole scenario suite against the reference agents (step delay 0, both revisions), serial (-j 1) and
parallel (-j N, the default: 4 per core, at most 16) in the same run: wall times, the ratio, whether the verdicts
are the same, and the slowest scenario runs of the parallel one.
Targets: parallel <= 12 s, >= 3x faster than serial, identical verdicts.

    python -m benchmarks suite
    FAULTLINE_BENCH_JOBS=2,8 python -m benchmarks suite    # serial, then each -j given
"""

from __future__ import annotations

import os
import shlex
import sys
import time

import anyio

from harness.commands.options import default_jobs
from harness.profiles import REFERENCE
from harness.revisions import ALL
from harness.runner import RunConfig, ScenarioResult, run_suite
from harness.targets import SpawnTarget
from scenarios.api import all_scenarios

TARGET_S = 12.0
TARGET_RATIO = 3.0


def _verdicts(results: list[ScenarioResult]) -> set[tuple[str, str, str, str]]:
    return {(r.scenario, r.revision, v.check, v.status) for r in results for v in r.verdicts}


async def _timed(jobs: int) -> tuple[float, list[ScenarioResult]]:
    wall, results, _ = await _timed_start(jobs)
    return wall, results


async def _timed_start(jobs: int) -> tuple[float, list[ScenarioResult], float]:
    """The suite at -j `jobs`: its wall time, its results, and the seconds before the first scenario started
    (the target's start, the preflight, the calibration: what no -j shortens)."""
    # as `faultline demo`: the agents' store in their own $FAULTLINE_SCRATCH, so a restart run's twin has its own
    cmd = [sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0", "--retry-ms", "50"]
    started: list[float] = []
    t0 = time.perf_counter()
    results = await run_suite(SpawnTarget(shlex.join(cmd)), RunConfig(scenarios=all_scenarios(), revisions=ALL,
                                                                      profile=REFERENCE, jobs=jobs, twins=True),
                              on_start=lambda sc, rev: started.append(time.perf_counter() - t0))
    return time.perf_counter() - t0, results, min(started, default=0.0)


def job_counts() -> list[int]:
    given = os.environ.get("FAULTLINE_BENCH_JOBS", "")
    return [int(j) for j in given.split(",") if j] or [default_jobs()]


def main() -> dict[str, str]:
    print("suite: every scenario at both revisions against the reference agents, -j 1 then "
          + ", ".join(f"-j {j}" for j in job_counts()), flush=True)
    serial, serial_results, _ = anyio.run(_timed_start, 1)
    bad = [r for r in serial_results if r.status in ("FAIL", "WARN", "ERROR")]
    print(f"suite -j 1: {len(serial_results)} scenario runs in {serial:.1f} s wall; {len(bad)} with findings", flush=True)
    figures = {"suite -j 1": f"{serial:.1f} s"}
    for jobs in job_counts():
        wall, results, start_up = anyio.run(_timed_start, jobs)
        same = "identical verdicts" if _verdicts(results) == _verdicts(serial_results) else "verdicts DIFFER"
        met = "met" if wall <= TARGET_S and serial / wall >= TARGET_RATIO else "NOT met"
        line = f"{wall:.1f} s, {serial / wall:.2f}x faster than -j 1, {same}"
        print(f"suite -j {jobs}: {line} (target <= {TARGET_S:.0f} s and >= {TARGET_RATIO:.0f}x: {met})", flush=True)
        for row in sorted(_verdicts(results) ^ _verdicts(serial_results))[:10]:  # what differs, if anything
            print(f"  differs: {row} ({'only -j ' + str(jobs) if row in _verdicts(results) else 'only -j 1'})",
                  flush=True)
        print(f"  {start_up:6.2f}s  before the first scenario (target start, preflight, calibration)", flush=True)
        for r in sorted(results, key=lambda r: -r.wall)[:5]:
            print(f"  {r.wall:6.2f}s  {r.scenario}@{r.revision}  {r.status}", flush=True)
        figures[f"suite -j {jobs}"] = line
    return figures
