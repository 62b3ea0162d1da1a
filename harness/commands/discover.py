"""`faultline discover`: a server's tools, a role proposed for each, a profile `faultline run --profile` loads.

    faultline discover --target URL | --spawn CMD [--probe] [--allow-side-effects] [--skip NAME] [-o FILE]

Without --probe no tool is called: roles are guessed from tools/list. With --probe each candidate
is called once (only tools annotated read-only or non-destructive, unless --allow-side-effects;
never a --skip tool) to see what it really does.
"""

from __future__ import annotations

import argparse
import sys

import anyio

from harness.commands.options import output_file
from harness.commands.run import add_target_options, make_target
from harness.discovery.discover import discover
from harness.discovery.render import render
from harness.errors import UsageError
from harness.history import History
from scenarios.api import LONG, ROLES, all_scenarios


def configure(p: argparse.ArgumentParser) -> None:
    add_target_options(p)
    p.add_argument("--probe", action="store_true", help="call each candidate tool once to verify its role")
    p.add_argument("--allow-side-effects", action="store_true",
                   help="with --probe, also call tools not annotated readOnlyHint: true or destructiveHint: false "
                        "(by the spec's defaults such a tool may be destructive)")
    p.add_argument("--skip", action="append", default=[], metavar="NAME", help="never call this tool (repeatable)")
    p.add_argument("-o", "--output", type=output_file, metavar="FILE", help="write the profile here (default: stdout)")
    p.add_argument("--history", type=output_file, metavar="FILE", help="save every exchange discovery made (JSONL)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds each probe call may take (default 30)")
    p.set_defaults(url=None)


def run(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    history = History()
    target = make_target(args)
    try:
        found = anyio.run(lambda: discover(target, history, probe=args.probe, allow_side_effects=args.allow_side_effects,
                                           skip=frozenset(args.skip), timeout=args.timeout))
    finally:
        if args.history:
            print(f"history: {history.save(args.history)}", file=sys.stderr)
    text = render(found, all_scenarios())
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    for lst in found.listings.values():
        print(f"{lst.revision.value}: {'speaks' if lst.speaks else 'does not speak'} ({lst.reason})", file=sys.stderr)
    filled = [f"{r} → {p.tool}{'' if p.verified else ' (derived)' if r == LONG else ' (guessed)'}"
              for r, p in found.roles.items()]
    print(f"roles: {', '.join(filled) or 'none'}", file=sys.stderr)
    missing = [r for r in ROLES if r not in found.roles]
    if missing:
        print(f"not filled: {', '.join(missing)}", file=sys.stderr)
    if args.output:
        print(f"profile: {args.output}", file=sys.stderr)
    return 0
