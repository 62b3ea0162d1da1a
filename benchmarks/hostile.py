"""The hostile suite: every scenario, both revisions, against a server whose streams never end
(tests/hostile/ `sse-never-ends`): wall time and the slowest runs. Target: <= 60 s (issue #16).

Every role of the profile names a tool of that server, so every scenario that needs a role must find out
at its calibration that the role's tool never finishes (harness/calibration.py) and ERROR at once.
`python -m benchmarks hostile`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import anyio

TARGET_S = 60.0
ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
BEHAVIOUR = "sse-never-ends"


async def run(time_scale: float = 1.0) -> float:
    for path in (str(ROOT), str(TESTS)):  # ROOT first: tests/harness/ must not shadow the harness package
        if path not in sys.path:
            sys.path.append(path)
    from hostile.server import Settings, hostile_server, url_for
    from hostile.suite import suite_config

    from harness.runner import run_suite
    from harness.targets import UrlTarget

    async with hostile_server(Settings(tick=0.02)) as base:
        t0 = time.perf_counter()
        results = await run_suite(UrlTarget(url_for(base, BEHAVIOUR)), suite_config(time_scale=time_scale))
        wall = time.perf_counter() - t0
    for r in sorted(results, key=lambda r: -r.wall)[:8]:
        print(f"  {r.wall:6.2f}s  {r.scenario}@{r.revision}  {r.status}  {r.reason[:100]}")
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    met = "met" if wall <= TARGET_S else "NOT met"
    print(f"hostile suite ({BEHAVIOUR}): {len(results)} scenario runs, both revisions, in {wall:.1f} s wall "
          f"(target <= {TARGET_S:.0f} s: {met}); " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return wall


def main() -> None:
    anyio.run(run)
