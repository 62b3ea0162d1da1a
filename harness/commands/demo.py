"""`faultline demo`: the main job on embedded defaults — the reference agents (spawned, durable
SQLite store), the embedded fault proxy, every scenario at both revisions, reports at the end."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
from pathlib import Path

from harness.commands.run import add_run_options, config_from, execute
from harness.errors import UsageError
from harness.targets import SpawnTarget
from reference_agents.mutants import check_mutant


def configure(p: argparse.ArgumentParser) -> None:
    add_run_options(p, target=False)
    p.add_argument("--mutant", help="run against a mutant of the reference agents instead")
    p.set_defaults(json=None, junit=None, html=None)


def run(args: argparse.Namespace) -> int:
    try:
        check_mutant(args.mutant)
    except ValueError as exc:
        raise UsageError(f"faultline demo: {exc}") from None
    out: Path = args.out
    args.json = args.json or out / "verdicts.json"
    args.junit = args.junit or out / "junit.xml"
    args.html = args.html or out / "report.html"
    # no --store: the agents keep a SQLite store in their $FAULTLINE_SCRATCH (harness/targets.py), so each twin
    # a restart scenario gets with -j (harness/parallel.py) has a store of its own
    cmd = [sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0", "--retry-ms", "50"]
    if args.mutant:
        cmd += ["--mutant", args.mutant]
    config = dataclasses.replace(config_from(args, "reference"), twins=True)
    return execute(args, SpawnTarget(shlex.join(cmd)), config)
