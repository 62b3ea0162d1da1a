"""The official conformance suite's checks per second beside Faultline's, on one and the same fixture server
(`faultline agents --conformance-fixtures`, spawned once): each pinned suite as `nox -s official` runs it,
then Faultline, every scenario at both revisions at the default -j with the conformance-fixtures profile
(a URL target: its restart scenarios are NOT-APPLICABLE). A check is one result the suite counts (SUCCESS,
FAILURE, WARNING), one verdict Faultline reached (PASS, FAIL, WARN, ERROR).
Needs the suites installed ($FAULTLINE_CACHE, as `nox -s official` leaves them); says so when they are not.

    FAULTLINE_CACHE=/work/cache python -m benchmarks official
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import anyio

from harness.commands.options import default_jobs
from harness.errors import HarnessError
from harness.official.install import SUITE_NEXT_VERSION, SUITE_VERSION, cache_dir
from harness.official.suite import run_official
from harness.profiles import load_profile
from harness.revisions import ALL
from harness.runner import RunConfig, run_suite
from harness.targets import SpawnTarget, UrlTarget
from scenarios.api import all_scenarios

FIXTURES = f"{sys.executable} -m harness agents --port 0 --retry-ms 1000 --conformance-fixtures"
SUITES = ((SUITE_VERSION, None), (SUITE_NEXT_VERSION, "2025-11-25"), (SUITE_NEXT_VERSION, "2026-07-28"))
COUNTED = {"SUCCESS", "FAILURE", "WARNING"}
REACHED = {"PASS", "FAIL", "WARN", "ERROR"}


def _suites(url: str, tmp: Path) -> dict[str, str]:
    figures = {}
    for version, revision in SUITES:
        label = f"official {version}" + (f" --requirements {revision}" if revision else " --suite active")
        started = time.perf_counter()
        try:
            run = run_official(url, tmp / f"{version}-{revision}", version=version, requirements=revision)
        except HarnessError as exc:
            print(f"{label}: could not run ({exc}; suites in {cache_dir()})", flush=True)
            continue
        wall = time.perf_counter() - started
        checks = sum(c.status in COUNTED for c in run.checks)
        figures[label] = f"{checks} checks in {wall:.1f} s = {checks / wall:.1f} checks/s"
        print(f"{label}: {figures[label]}", flush=True)
    return figures


async def _faultline(url: str, jobs: int) -> str:
    config = RunConfig(scenarios=all_scenarios(), revisions=ALL, profile=load_profile("conformance-fixtures"),
                       jobs=jobs)
    started = time.perf_counter()
    results = await run_suite(UrlTarget(url), config)
    wall = time.perf_counter() - started
    reached = sum(v.status in REACHED for r in results for v in r.verdicts)
    return (f"{reached} verdicts ({len(results)} scenario runs) in {wall:.1f} s = {reached / wall:.1f} checks/s "
            f"(-j {jobs})")


async def _run(tmp: Path) -> dict[str, str]:
    target = SpawnTarget(FIXTURES)
    await target.start()
    try:
        figures = await anyio.to_thread.run_sync(_suites, target.url, tmp)
        figures["faultline, both revisions"] = line = await _faultline(target.url, default_jobs())
        print(f"faultline on the same server: {line}", flush=True)
        return figures
    finally:
        await target.stop()


def main() -> dict[str, str]:
    print(f"official: the official suites and Faultline on one fixture server ({FIXTURES})", flush=True)
    with tempfile.TemporaryDirectory(prefix="faultline-bench-official-") as tmp:
        return anyio.run(_run, Path(tmp))
