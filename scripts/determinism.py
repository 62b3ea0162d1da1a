"""Run the whole suite against the reference agents many times and compare the verdicts, serial and parallel.

    python scripts/determinism.py [--runs 20] [--jobs N[,N]] [--serial 1] [--run-timeout 300] [--time-scale 1]
                                  [-k SCENARIO ...]

Each run is `faultline demo -j J` (all scenarios, both revisions, spawned agents on a SQLite store). First
`--serial` runs at -j 1 (default 1: the reference), then `--runs` rounds of one run for each J of `--jobs`
(default: the default -j of `faultline demo`, harness/commands/options.default_jobs). Every run is compared with the first. Bounded in time: a run that
has not ended within --run-timeout × time scale seconds is stopped (SIGTERM to its process group, SIGKILL 10 s
later: `demo` stops the agents it spawned) and counts as differing, so the whole script takes at most
(serial + runs × len(jobs)) × run-timeout; the bound is printed first. Prints one line per run (-j, exit code,
verdict rows, hash of the sorted (scenario, revision, check, status) tuples, restarts recorded, wall) and, when
a run differs from the first, the rows that differ. Exit 0 only when every run exited 0 with identical
verdicts; the last lines give the wall times per -j. `-k` narrows each run to some scenarios (as `faultline
demo -k`), e.g. `-k task-restart-each-step` for the tasks' SIGKILL + restart at each step.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.commands.options import default_jobs

Row = tuple[str, str, str, str]
GRACE_S = 10.0  # after the SIGTERM of a run over its time: then SIGKILL to its process group


def verdicts(path: Path) -> set[Row]:
    report = json.loads(path.read_text())
    rows = report["verdicts"] if isinstance(report, dict) else report  # the report object (docs/reports.md)
    return {(r["scenario"], r["revision"], r["check"], r["status"]) for r in rows}


def job_counts(text: str) -> list[int]:
    try:
        counts = [int(j) for j in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected -j values like 2 or 2,4, not {text!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"every -j value is at least 1, not {text!r}")
    return counts


def run_demo(args: list[str], timeout: float) -> tuple[int | None, float]:
    """`faultline demo ARGS` in a process group of its own: its exit code (None: stopped, over `timeout`), wall."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "harness", "demo", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        return proc.wait(timeout=timeout), time.monotonic() - started
    except subprocess.TimeoutExpired:
        for sig, wait in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, None)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        proc.wait()
        return None, time.monotonic() - started
    except BaseException:  # Ctrl-C: the run and its agents go too
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        raise


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20, help="rounds, each one run per -j of --jobs (default 20)")
    p.add_argument("--jobs", type=job_counts, default=[max(2, default_jobs())], metavar="N[,N]",
                   help=f"the -j of each round's runs (default {max(2, default_jobs())}: demo's default -j)")
    p.add_argument("--serial", type=int, default=1, metavar="N", help="-j 1 runs first, the reference (default 1)")
    p.add_argument("--run-timeout", type=float, default=300.0, metavar="S",
                   help="seconds (× time scale) one run may take before it is stopped (default 300)")
    p.add_argument("--time-scale", type=float, default=1.0)
    p.add_argument("-k", dest="scenarios", action="append", default=[], metavar="SCENARIO")
    args = p.parse_args()
    if args.runs < 0 or args.serial < 0 or args.runs + args.serial < 1:
        p.error("--runs and --serial are >= 0, and at least one run in all")
    if args.run_timeout <= 0 or args.time_scale <= 0:
        p.error("--run-timeout and --time-scale must be > 0")
    return args


def main() -> int:
    args = parse()
    plan = [(0, 1)] * args.serial + [(i, jobs) for i in range(1, args.runs + 1) for jobs in args.jobs]
    limit = args.run_timeout * args.time_scale
    print(f"{len(plan)} runs ({args.serial} at -j 1, then {args.runs} rounds of -j {','.join(map(str, args.jobs))}); "
          f"each stopped after {limit:g} s: at most {len(plan) * (limit + GRACE_S) / 60:.1f} min", flush=True)
    first: set[Row] | None = None
    ok = True
    walls: dict[int, list[float]] = {}
    selected = [a for k in args.scenarios for a in ("-k", k)]
    with tempfile.TemporaryDirectory(prefix="faultline-det-") as tmp:
        for n, (i, jobs) in enumerate(plan, 1):
            out = Path(tmp) / f"run{n}-j{jobs}"
            rc, wall = run_demo(["--out", str(out), "-j", str(jobs), "--time-scale", str(args.time_scale),
                                 *selected], limit)
            walls.setdefault(jobs, []).append(wall)
            got = verdicts(out / "verdicts.json") if rc is not None and (out / "verdicts.json").exists() else set()
            digest = hashlib.sha256(repr(sorted(got)).encode()).hexdigest()[:16]
            restarts = sum(line.count('"action":"restart"') for h in (out / "histories").glob("*.jsonl")
                           for line in h.read_text().splitlines()) if (out / "histories").exists() else 0
            ended = f"exit {rc}" if rc is not None else f"STOPPED after {limit:g} s"
            label = "serial" if i == 0 else f"round {i:>2}"
            print(f"{label} -j {jobs}: {ended}, {len(got)} verdict rows, hash {digest}, {restarts} restarts, "
                  f"{wall:.1f}s", flush=True)
            if first is None:
                first = got
            if rc != 0 or got != first:
                ok = False
                for row in sorted(got ^ first)[:20]:
                    print(f"   differs: {row} ({'only this run' if row in got else 'only the first run'})", flush=True)
    for jobs, times in walls.items():
        print(f"-j {jobs}: {len(times)} runs, wall median {statistics.median(times):.1f}s, max {max(times):.1f}s")
    print(f"\n{len(plan)} runs: " + ("identical verdicts, all exit 0" if ok else "NOT identical (see above)"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
