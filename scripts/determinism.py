"""Run the whole suite against the reference agents N times in a row and compare the verdicts.

    python scripts/determinism.py [--runs 20] [--jobs 1,N] [--time-scale 1] [-k SCENARIO ...]

Each run is `faultline demo -j J` (all scenarios, both revisions, spawned agents on a SQLite store), once
for each J of `--jobs` (default `1,<cores>`: serial, then the default parallel run) in each of the --runs
rounds. Prints one line per run (-j, exit code, verdict rows, hash of the sorted (scenario, revision, check,
status) tuples) and, if any run differs from the first, the rows that differ. Exit 0 only when every run,
serial and parallel alike, exited 0 with identical verdicts; the last lines give the wall time per -j. `-k` narrows each run to some scenarios (as `faultline demo -k`),
e.g. `-k task-restart-each-step` for the tasks' SIGKILL + restart at each step; each run line then also says
how many restarts the histories record.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def verdicts(path: Path) -> set[tuple[str, str, str, str]]:
    report = json.loads(path.read_text())
    rows = report["verdicts"] if isinstance(report, dict) else report  # the report object (docs/reports.md)
    return {(r["scenario"], r["revision"], r["check"], r["status"]) for r in rows}


def job_counts(text: str) -> list[int]:
    try:
        counts = [int(j) for j in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected -j values like 1,2, not {text!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"every -j value is at least 1, not {text!r}")
    return counts


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--jobs", type=job_counts, default=[1, max(2, os.cpu_count() or 1)], metavar="J,J",
                   help="the -j of each run in a round (default 1,<cores>)")
    p.add_argument("--time-scale", type=float, default=1.0)
    p.add_argument("-k", dest="scenarios", action="append", default=[], metavar="SCENARIO")
    args = p.parse_args()
    if args.runs < 1:
        p.error("--runs must be >= 1")
    first: set[tuple[str, str, str, str]] | None = None
    ok = True
    walls: dict[int, list[float]] = {j: [] for j in args.jobs}
    with tempfile.TemporaryDirectory(prefix="faultline-det-") as tmp:
        for i in range(1, args.runs + 1):
            for jobs in args.jobs:
                out = Path(tmp) / f"run{i}-j{jobs}"
                started = time.monotonic()
                selected = [a for k in args.scenarios for a in ("-k", k)]
                rc = subprocess.run([sys.executable, "-m", "harness", "demo", "--out", str(out), "-j", str(jobs),
                                     "--time-scale", str(args.time_scale), *selected],
                                    capture_output=True, text=True).returncode
                wall = time.monotonic() - started
                walls[jobs].append(wall)
                got = verdicts(out / "verdicts.json") if (out / "verdicts.json").exists() else set()
                digest = hashlib.sha256(repr(sorted(got)).encode()).hexdigest()[:16]
                restarts = sum(line.count('"action":"restart"') for h in (out / "histories").glob("*.jsonl")
                               for line in h.read_text().splitlines()) if (out / "histories").exists() else 0
                print(f"run {i:>2} -j {jobs}: exit {rc}, {len(got)} verdict rows, hash {digest}, {restarts} restarts, "
                      f"{wall:.1f}s", flush=True)
                if first is None:
                    first = got
                if rc != 0 or got != first:
                    ok = False
                    for row in sorted(got ^ first)[:20]:
                        print(f"   differs: {row} ({'only this run' if row in got else 'only run 1'})")
    for jobs, times in walls.items():
        print(f"-j {jobs}: {len(times)} runs, wall median {statistics.median(times):.1f}s, max {max(times):.1f}s")
    print(f"\n{args.runs} rounds of -j {','.join(map(str, args.jobs))}: "
          + ("identical verdicts, all exit 0" if ok else "NOT identical (see above)"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
