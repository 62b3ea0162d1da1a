"""The whole scenario suite against the reference agents (step delay 0, both revisions): wall time
and per-scenario times. Target: <= 15 s on a 2-core machine."""

from __future__ import annotations

import shlex
import sys
import tempfile
import time
from pathlib import Path

import anyio

from harness.profiles import REFERENCE
from harness.revisions import ALL
from harness.runner import RunConfig, run_suite
from harness.targets import SpawnTarget
from scenarios.api import all_scenarios


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0", "--retry-ms", "50",
               "--store", f"sqlite:{Path(tmp) / 's.sqlite'}"]
        t0 = time.perf_counter()
        results = await run_suite(SpawnTarget(shlex.join(cmd)),
                                  RunConfig(scenarios=all_scenarios(), revisions=ALL, profile=REFERENCE))
        wall = time.perf_counter() - t0
    for r in sorted(results, key=lambda r: -r.wall)[:10]:
        print(f"  {r.wall:6.2f}s  {r.scenario}@{r.revision}  {r.status}")
    bad = [r for r in results if r.status in ("FAIL", "WARN", "ERROR")]
    print(f"suite: {len(results)} scenario runs in {wall:.1f} s wall (target <= 15 s); {len(bad)} with findings")


def main() -> None:
    anyio.run(run)
