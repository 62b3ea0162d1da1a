"""`faultline list [scenarios|checks|mutants|all]`: the scenarios and the checks, with requirement ids and
revisions; the reference agents' mutants, with the hook each overrides and what must catch it."""

from __future__ import annotations

import argparse

from harness.checks import all_checks
from reference_agents.mutants import REGISTRY
from scenarios.api import all_scenarios


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("what", nargs="?", choices=["scenarios", "checks", "mutants", "all"], default="all")


def run(args: argparse.Namespace) -> int:
    if args.what in ("scenarios", "all"):
        print("scenarios:")
        for s in all_scenarios():
            revs = ",".join(r.value for r in s.revisions)
            print(f"  {s.name:<28} [{revs}] roles={','.join(s.roles) or '-'}")
            print(f"      {s.description}")
    if args.what in ("checks", "all"):
        print("checks:")
        for c in all_checks():
            revs = ",".join(r.value for r in c.revisions)
            print(f"  {c.name:<36} {c.requirement:<34} {c.level:<10} [{revs}]")
    if args.what in ("mutants", "all"):
        print("mutants:")
        for m in REGISTRY.values():
            where = ", ".join(m.scenarios) or "faultline load"
            caught = (f"caught by {' | '.join(m.requirements)} in {where}" if m.requirements
                      else f"uncaught: {m.uncaught}")
            print(f"  {m.name:<36} hook={m.hook}")
            print(f"      {m.description}")
            print(f"      {caught}")
    return 0
