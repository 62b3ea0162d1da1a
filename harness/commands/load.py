"""`faultline load`: many concurrent clients at once against one server, under faults; every client's history
checked, plus the cross-client checks (harness/load/)."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

from harness.commands.options import output_file, output_folder, positive_float, proxy_spec
from harness.commands.run import add_target_options, make_target
from harness.errors import UsageError
from harness.load.engine import LoadConfig, run_load
from harness.load.summary import report_doc, summarize
from harness.profiles import load_profile
from harness.revisions import Revision

MAX_CLIENTS = 1000


def _ranged(cast: type[int] | type[float], low: float, high: float, flag: str, noun: str) -> Callable[[str], Any]:
    """An argparse `type=`: `cast(text)` within low..high, else one line naming the flag."""
    def parse(text: str) -> Any:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, not {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{flag} is {noun} ({low:g}..{high:g}), not {value:g}")
        return value
    return parse


clients_count = _ranged(int, 1, MAX_CLIENTS, "--clients", "a whole number of clients")
fault_rate = _ranged(float, 0, 1, "--faults", "a rate between 0 and 1")


def one_revision(text: str) -> Revision:
    for rev in Revision:
        if rev.value == text:
            return rev
    raise argparse.ArgumentTypeError(f"expected 2025-11-25 or 2026-07-28, not {text!r}")


def configure(p: argparse.ArgumentParser) -> None:
    add_target_options(p)
    p.add_argument("--clients", type=clients_count, default=20, metavar="N",
                   help="concurrent clients, each its own session and proxy listener (default 20)")
    p.add_argument("--duration", type=positive_float, default=30.0, metavar="S",
                   help="seconds the clients keep starting steps (default 30); each finishes the step it is in")
    p.add_argument("--faults", type=fault_rate, default=0.3, metavar="RATE",
                   help="share of steps that are faults: a cut stream resumed, a toxic on the client's own "
                        "connections (default 0.3)")
    p.add_argument("--revision", type=one_revision, default=Revision.R2025,
                   help="2025-11-25 (default: sessions, resumable streams) | 2026-07-28")
    p.add_argument("--profile", default=None,
                   help="reference | conformance-fixtures | FILE; default: reference on the reference agents, else "
                        "roles discovered from tools/list")
    p.add_argument("--seed", type=int, default=0, help="seed of every client's steps: the same seed asks the same "
                                                       "(default 0)")
    p.add_argument("--kill-at", type=positive_float, default=None, metavar="S",
                   help="with --spawn: SIGKILL the target S seconds in and start it again; nothing acknowledged may "
                        "be lost (sessions go on, streams resume)")
    p.add_argument("--fail-fast", action="store_true",
                   help="end the run at the first FAIL (the cross-client checks then judge what was recorded)")
    p.add_argument("--proxy", type=proxy_spec, default="embedded", help="embedded (default) or a Toxiproxy API URL")
    p.add_argument("--time-scale", type=positive_float, default=1.0, help="multiply every deadline (default 1)")
    p.add_argument("--every", type=positive_float, default=5.0, metavar="S",
                   help="seconds between live figure lines on stderr (default 5)")
    p.add_argument("--out", type=output_folder, default=Path("faultline-out/load"),
                   help="folder for the histories of failing segments (default faultline-out/load)")
    p.add_argument("--json", type=output_file, metavar="PATH",
                   help="write the verdicts as JSON (per-client ones with their saved segment; cross-client ones)")


def run(args: argparse.Namespace) -> int:
    if args.kill_at is not None and args.spawn is None:
        raise UsageError("--kill-at needs --spawn (the harness restarts only a server it started)")
    if args.kill_at is not None and args.kill_at >= args.duration:
        raise UsageError(f"--kill-at {args.kill_at:g} must fall inside --duration {args.duration:g}")
    target = make_target(args)
    config = LoadConfig(clients=args.clients, duration=args.duration, faults=args.faults, seed=args.seed,
                        revision=args.revision, proxy=args.proxy, time_scale=args.time_scale, kill_at=args.kill_at,
                        every=args.every, out_dir=args.out, fail_fast=args.fail_fast)
    started = time.monotonic()
    shared = anyio.run(lambda: run_load(target, load_profile(args.profile), config))
    lines, code = summarize(shared, wall=time.monotonic() - started, seed=args.seed, faults=args.faults)
    print("\n".join(lines), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        doc = report_doc(shared, seed=args.seed, faults=args.faults)
        args.json.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        print(f"json:  {args.json}")
    return code
