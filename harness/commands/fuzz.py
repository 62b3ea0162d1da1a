"""`faultline fuzz`: Hypothesis explores fault schedules; each distinct failure is shrunk and
written as a repro file."""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import time
from pathlib import Path

from harness.commands.options import output_folder, positive_float, proxy_spec
from harness.commands.run import add_target_options, make_target
from harness.errors import UsageError
from harness.fuzz import DEFAULT_WORKERS, FuzzStats, fuzz
from harness.fuzz_io import progress_printer, write_repro
from harness.heartbeat import HEARTBEAT_S, Heartbeat, duration
from harness.profiles import load_profile
from harness.revisions import parse as parse_revisions
from harness.runner import RunConfig
from harness.targets import Target

EXEC_WORKERS = 4  # a command the fork server does not fork: each worker's start (and restart) costs its own seconds


def default_workers(target: Target) -> int:
    """DEFAULT_WORKERS for a command of this Faultline the fork server forks (harness/forkserver.py), else
    EXEC_WORKERS (worker_targets keeps one for a URL target)."""
    from harness import forkserver

    command = getattr(target, "command", None)
    forked = isinstance(command, str) and forkserver.enabled() and forkserver.own_args(shlex.split(command)) is not None
    return DEFAULT_WORKERS if forked else EXEC_WORKERS


def parse_duration(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", text)
    if not m:
        raise UsageError(f"--time-budget {text!r}: expected e.g. 60s, 2m or 500ms")
    value, unit = float(m.group(1)), m.group(2) or "s"
    return value / 1000 if unit == "ms" else value * 60 if unit == "m" else value


def configure(p: argparse.ArgumentParser) -> None:
    add_target_options(p)  # a spawned target is restartable
    p.add_argument("--profile", default="reference", help="reference | conformance-fixtures | FILE")
    p.add_argument("--revision", default="all", help="2025-11-25 | 2026-07-28 | all (default)")
    p.add_argument("--max-examples", type=int, default=200, help="examples per search (default 200)")
    p.add_argument("--time-budget", default="60s", help="wall-time budget for the whole run (default 60s)")
    p.add_argument("--seed", type=int, help="Hypothesis seed, for a reproducible exploration")
    p.add_argument("--proxy", type=proxy_spec, default="embedded", help="embedded (default) or a real Toxiproxy API URL")
    p.add_argument("--out", type=output_folder, default=Path("faultline-out/repros"), help="folder for repro files")
    p.add_argument("--time-scale", type=positive_float, default=1.0, help="multiply every deadline (default 1)")
    p.add_argument("--stop-at-first", action="store_true", help="stop after the first failure is shrunk")
    p.add_argument("--workers", type=int,
                   help=f"searches at once, each with its own instance of the --spawn command and its own proxy "
                        f"(default {DEFAULT_WORKERS} for Faultline's own commands, forked; {EXEC_WORKERS} for any "
                        f"other; a --target, a fixed --url or a real Toxiproxy: 1)")


def run(args: argparse.Namespace) -> int:
    if args.max_examples < 1:
        raise UsageError("--max-examples must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    budget = parse_duration(args.time_budget)
    try:
        revisions = parse_revisions(args.revision)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    target = make_target(args)
    config = RunConfig(scenarios=[], revisions=revisions, profile=load_profile(args.profile), proxy=args.proxy,
                       time_scale=args.time_scale)
    started, current = time.monotonic(), ["start-up"]

    def status() -> str:
        return f"  ... fuzz: {duration(time.monotonic() - started)} of a {duration(budget)} budget, now {current[0]}"

    with Heartbeat(status, every=None if sys.stderr.isatty() else HEARTBEAT_S, stream=sys.stderr) as hb:
        printer = progress_printer(budget, hb.say)

        def on_progress(stats: FuzzStats, now: str) -> None:
            current[0] = now
            printer(stats, now)

        failures, stats = fuzz(target, config, max_examples=args.max_examples, time_budget=budget,
                               seed_value=args.seed, on_progress=on_progress, stop_at_first=args.stop_at_first,
                               workers=args.workers or default_workers(target))
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    print(f"fuzz: {stats.examples} schedules run by {stats.workers} worker(s), {len(failures)} distinct failure(s)")
    for f in failures:
        path = write_repro(f, target, config, args.seed, args.out)
        print(f"  FAIL {f.revision} [{', '.join(f.signature)}] after {f.found_after:.1f}s: {f.schedule.describe()}")
        print(f"       repro: {path}")
    return 1 if failures else 0
