"""The kill matrix: every mutant of the reference agents must be FAILed (WARNed, for a SHOULD) by
at least one check carrying its expected requirement id, and the clean agents by none.

`python -m harness.killmatrix [--quick] [--json PATH] [-m MUTANT ...]` prints the table and writes
JSON. `--quick` runs, per mutant, only the scenarios that exercise its bug (the test suite's mode);
without it every scenario runs against every mutant. What each mutant must be caught by is declared
by its module in reference_agents/mutants/ (the registry); a mutant no check can catch is listed with
the reason, never run.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import anyio

from harness.profiles import REFERENCE
from harness.revisions import ALL
from harness.runner import RunConfig, ScenarioResult, run_suite
from harness.targets import SpawnTarget
from reference_agents.mutants import REGISTRY, check_mutant
from scenarios.api import select

# mutant -> (requirement ids of which one must fire, scenario name fragments that exercise it): the registry's
EXPECTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    m.name: (m.requirements, m.scenarios) for m in REGISTRY.values() if not m.uncaught}
# mutant -> why no check can catch it (listed by the matrix, never run)
UNCAUGHT: dict[str, str] = {m.name: m.uncaught for m in REGISTRY.values() if m.uncaught}

KILL_STATUSES = ("FAIL", "WARN")


@dataclass
class Row:
    mutant: str
    expected: list[str]
    fired: list[str]  # requirement ids FAILed/WARNed
    killed: bool
    wall: float


def check_in_matrix(name: str) -> None:
    """A ValueError (one line) unless `name` is a mutant the matrix runs."""
    check_mutant(name)
    if name in UNCAUGHT:
        raise ValueError(f"mutant {name!r} is not in the matrix: {UNCAUGHT[name]}")


def _command(mutant: str | None, store: Path) -> str:
    cmd = [sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0", "--retry-ms", "50",
           "--store", f"sqlite:{store}"]
    if mutant:
        cmd += ["--mutant", mutant]
    return shlex.join(cmd)


async def run_against(mutant: str | None, patterns: list[str] | None, *, time_scale: float = 1.0) -> list[ScenarioResult]:
    with tempfile.TemporaryDirectory(prefix="faultline-km-") as tmp:
        config = RunConfig(scenarios=select(patterns), revisions=ALL, profile=REFERENCE, time_scale=time_scale)
        return await run_suite(SpawnTarget(_command(mutant, Path(tmp) / "store.sqlite")), config)


def fired(results: list[ScenarioResult]) -> list[str]:
    return sorted({v.requirement for r in results for v in r.verdicts if v.status in KILL_STATUSES})


async def matrix(mutants: list[str], *, quick: bool, time_scale: float = 1.0) -> tuple[Row, list[Row]]:
    started = time.monotonic()
    clean = fired(await run_against(None, None, time_scale=time_scale))
    clean_row = Row("(clean)", [], clean, killed=bool(clean), wall=time.monotonic() - started)
    rows = []
    for m in mutants:
        started = time.monotonic()
        expected, scenarios = EXPECTED[m]
        got = fired(await run_against(m, list(scenarios) if quick else None, time_scale=time_scale))
        rows.append(Row(m, list(expected), got, bool(set(got) & set(expected)), time.monotonic() - started))
    return clean_row, rows


def print_table(clean: Row, rows: list[Row]) -> None:
    print(f"{'mutant':<30} {'killed':<7} {'time':>6}  expected → fired")
    print(f"{clean.mutant:<30} {'-':<7} {clean.wall:>5.1f}s  (must be empty) → {', '.join(clean.fired) or 'none'}")
    for r in rows:
        print(f"{r.mutant:<30} {'yes' if r.killed else 'NO':<7} {r.wall:>5.1f}s  "
              f"{', '.join(r.expected)} → {', '.join(r.fired) or 'none'}")
    for name, why in UNCAUGHT.items():
        print(f"{name:<30} {'-':<7} {'':>6}  uncaught: {why}")
    killed = sum(r.killed for r in rows)
    print(f"\nkilled {killed}/{len(rows)} mutants ({len(UNCAUGHT)} uncaught, not run); "
          f"clean agents: {len(clean.fired)} FAIL/WARN requirement(s)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.killmatrix", description=__doc__)
    p.add_argument("--quick", action="store_true", help="per mutant, only the scenarios that exercise it")
    p.add_argument("-m", "--mutant", action="append", help="only these mutants (repeatable)")
    p.add_argument("--json", type=Path, default=Path("faultline-out/killmatrix.json"))
    p.add_argument("--time-scale", type=float, default=1.0, help="multiply every deadline (hanging mutants wait it out)")
    args = p.parse_args(argv)
    try:
        for name in args.mutant or []:
            check_in_matrix(name)
    except ValueError as exc:
        print(f"killmatrix: {exc}", file=sys.stderr)
        return 2
    clean, rows = anyio.run(lambda: matrix(args.mutant or list(EXPECTED), quick=args.quick, time_scale=args.time_scale))
    print_table(clean, rows)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"clean": asdict(clean), "mutants": [asdict(r) for r in rows],
                                     "uncaught": UNCAUGHT}, indent=2))
    print(f"json: {args.json}")
    return 0 if all(r.killed for r in rows) and not clean.fired else 1


if __name__ == "__main__":
    sys.exit(main())
