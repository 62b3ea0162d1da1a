"""Peak memory of the harness reading one hostile stream, measured in a fresh process.

`python tests/hostile/memprobe.py many|huge [DEADLINE]` starts the hostile server, runs one call through the
whole harness (runner, embedded proxy, recording client, checks) against `/mcp/many-events`
(10,000 progress events) or `/mcp/huge-event` (one 50 MB event), and prints one JSON line:
baseline and peak RSS (ru_maxrss, MB), wall time, the cell's status and how its exchanges ended.
`measure(case)` runs that in a subprocess and returns the parsed line.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
CASES = {"many": "many-events", "huge": "huge-event"}


def rss_mb() -> float:
    """Peak RSS of THIS process image. ru_maxrss is inherited across fork (a child of a big pytest
    process starts at its parent's size), so read VmHWM, which exec resets; ru_maxrss elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def measure(case: str, deadline: float = 60.0) -> dict[str, Any]:
    """Run the probe in a fresh process; `deadline` bounds the call (seconds)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), case, str(deadline)], capture_output=True,
                          text=True, timeout=deadline + 60.0, env=env, cwd=ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"memprobe {case} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return dict(json.loads(lines[-1]))


def _probe(case: str, deadline: float) -> dict[str, Any]:
    import anyio

    from harness.history import End
    from harness.revisions import Revision
    from harness.runner import RunConfig, run_suite
    from harness.targets import UrlTarget
    from hostile.matrix import PROFILE
    from hostile.server import hostile_server, url_for
    from scenarios.api import Scenario

    async def play(ctx: Any) -> None:
        tool, args = ctx.role("progress")
        async with ctx.client("A") as c:
            await c.open()
            await c.call_tool(tool, args, progress_token="mem", deadline=deadline)

    sc = Scenario(f"memprobe-{case}", "read one hostile stream", (Revision.R2025,), ("progress",), (), play)
    cfg = RunConfig(scenarios=[sc], revisions=(Revision.R2025,), profile=PROFILE, scenario_deadline=deadline + 30.0)

    async def main() -> dict[str, Any]:
        async with hostile_server() as base:
            baseline = rss_mb()
            started = time.monotonic()
            [result] = await run_suite(UrlTarget(url_for(base, CASES[case])), cfg)
            return {"case": case, "behaviour": CASES[case], "baseline_mb": round(baseline, 1),
                    "peak_mb": round(rss_mb(), 1), "wall_s": round(time.monotonic() - started, 2),
                    "status": result.status, "events": len(result.history.events()),
                    "ends": [f"{e.reason}: {e.detail}"[:200] for e in result.history.of(End)]}

    return anyio.run(main)


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 60.0)), flush=True)
