"""`python -m harness.official official --url URL` | `python -m harness.official compare (--target URL | --spawn CMD)`."""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness.checks import all_checks
from harness.errors import HarnessError, UsageError
from harness.official.compare import Comparison, compare, format_comparison
from harness.official.install import SUITE_NEXT_VERSION, SUITE_VERSION, cache_dir
from harness.official.results import scenario_verdicts
from harness.official.suite import SuiteRun, load_expected, run_official, unexpected_failures
from harness.targets import SpawnTarget, Target, UrlTarget

DEFAULT_EXPECTED = Path("official-expected-failures.yml")
REVISIONS = ("2025-11-25", "2026-07-28")
# What `official` runs by default: (suite version, --requirements revision or None for 0.1.16's --suite).
RUNS: tuple[tuple[str, str | None], ...] = ((SUITE_VERSION, None),
                                           *((SUITE_NEXT_VERSION, rev) for rev in REVISIONS))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m harness.official")
    sub = p.add_subparsers(dest="command", required=True)
    o = sub.add_parser("official", help="run the official suite's 2025-11-25 server scenarios and judge them")
    g = o.add_mutually_exclusive_group(required=True)
    g.add_argument("--url", help="MCP endpoint of a running server")
    g.add_argument("--spawn", metavar="CMD", help="start this command, read its URL, stop it after")
    o.add_argument("--expected-failures", type=Path, default=DEFAULT_EXPECTED,
                   help="YAML: server: [{scenario, reason}] (default official-expected-failures.yml)")
    o.add_argument("--suite", default="active", help="0.1.16: active (default) | all | pending")
    o.add_argument("--suite-version", choices=(SUITE_VERSION, SUITE_NEXT_VERSION, "all"), default="all",
                   help=f"which pinned suite (default all: {SUITE_VERSION} at 2025-11-25, then {SUITE_NEXT_VERSION} "
                        f"with --requirements {' and '.join(REVISIONS)}, its tasks-extension scenarios included)")
    o.add_argument("--out", type=Path, help="results folder (default: a fresh temporary one)")
    c = sub.add_parser("compare", help="the official 0.2 suite and Faultline on the same server, per requirement")
    g = c.add_mutually_exclusive_group(required=True)
    g.add_argument("--target", metavar="URL")
    g.add_argument("--spawn", metavar="CMD")
    c.add_argument("--profile", default="conformance-fixtures", help="Faultline profile (default conformance-fixtures)")
    c.add_argument("--revision", choices=(*REVISIONS, "all"), default="all", help="default all: both, one after the other")
    c.add_argument("--out", type=Path, help="folder for both runs' outputs (default: a fresh temporary one)")
    c.add_argument("--json", type=Path, help="write the comparison here (default OUT/compare.json)")
    c.add_argument("--faultline-json", type=Path, help="use these Faultline verdicts instead of running Faultline")
    c.add_argument("-k", "--scenario", action="append", metavar="NAME", help="Faultline scenarios (repeatable)")
    return p


def _suite(url: str, out: Path, suite: str, version: str = SUITE_VERSION, requirements: str | None = None) -> SuiteRun:
    what = f"--requirements {requirements}" if requirements else f"--suite {suite}"
    print(f"official suite {version} {what} ({cache_dir()}) against {url} ...", flush=True)
    run = run_official(url, out, suite=suite, version=version, requirements=requirements)
    print("\n".join(run.summary()), flush=True)
    return run


def _faultline(url: str, args: argparse.Namespace, out: Path, revision: str) -> list[dict[str, Any]]:
    if args.faultline_json:
        path = args.faultline_json
    else:
        path = out / "faultline-verdicts.json"
        argv = [sys.executable, "-m", "harness", "run", "--target", url, "--profile", args.profile,
                "--revision", revision, "--out", str(out / "faultline"), "--json", str(path)]
        for k in args.scenario or []:
            argv += ["-k", k]
        print("faultline: " + " ".join(argv[1:]), flush=True)
        rc = subprocess.run(argv, check=False).returncode
        if rc not in (0, 1):
            raise HarnessError(f"faultline run exited {rc}")
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HarnessError(f"{path}: cannot read Faultline verdicts: {exc}") from None
    if isinstance(rows, dict) and isinstance(rows.get("verdicts"), list):  # the report object (docs/reports.md)
        omitted = rows.get("summary", {}).get("per_requirement", {})
        rows = rows["verdicts"] + [{"requirement": req, "status": "NOT-OBSERVED"} for req, counts in omitted.items()
                                   if counts.get("omitted_not_observed")]  # observed by no scenario: still run
    if not isinstance(rows, list):
        raise HarnessError(f"{path}: expected the Faultline JSON report (an object with its verdicts)")
    return rows


async def _with_target(target: Target, work: Any) -> int:
    await target.start()
    try:
        return int(await asyncio.to_thread(work, target.url))
    finally:
        await target.stop()


def _official_run(args: argparse.Namespace, url: str, out: Path, version: str, revision: str | None) -> int:
    """One suite run judged against its expected failures; the number of unexpected failures."""
    expected = load_expected(args.expected_failures, version, revision) if args.expected_failures.exists() else {}
    run = _suite(url, out, args.suite, version, revision)
    verdicts = scenario_verdicts(run.checks)
    label = f"{version}" + (f" at {revision}" if revision else "")
    for scenario, reason in expected.items():
        if verdicts.get(scenario) == "FAIL":
            print(f"expected failure ({label}): {scenario}: {reason}")
    bad = unexpected_failures(run.checks, expected)
    for scenario in bad:
        msgs = [c.error or c.description for c in run.checks if c.scenario == scenario and c.status == "FAILURE"]
        print(f"UNEXPECTED FAILURE ({label}): {scenario}: {'; '.join(msgs)}")
    for c in run.checks:
        if c.status == "WARNING":
            print(f"warning ({label}): {c.scenario}: {c.id}: {c.error or c.description}")
    checks = [c for c in run.checks if c.status in ("SUCCESS", "FAILURE")]
    print(f"official {label}: {len(verdicts)} scenarios, {sum(c.status == 'SUCCESS' for c in checks)}/{len(checks)} "
          f"checks passed, {sum(v == 'FAIL' for v in verdicts.values())} scenarios failed, {len(bad)} unexpected "
          f"(results in {out})", flush=True)
    return len(bad)


def _official(args: argparse.Namespace, url: str, out: Path) -> int:
    runs = [r for r in RUNS if args.suite_version in ("all", r[0])]
    bad = 0
    for version, revision in runs:
        folder = out / (version if revision is None else f"{version}-{revision}") if len(runs) > 1 else out
        bad += _official_run(args, url, folder, version, revision)
    return 1 if bad else 0


def _compare(args: argparse.Namespace, url: str, out: Path) -> int:
    """At each revision: the 0.2 suite with `--requirements REV` and `faultline run --revision REV`, one table."""
    revisions = REVISIONS if args.revision == "all" else (args.revision,)
    results: list[Comparison] = []
    for rev in revisions:
        run = _suite(url, out / rev / "official", "active", SUITE_NEXT_VERSION, rev)
        faultline = _faultline(url, args, out / rev, rev)
        requirements = {c.requirement for c in all_checks() if rev in {r.value for r in c.revisions}}
        results.append(compare(run.checks, faultline, revision=rev, requirements=requirements))
        print()
        print(format_comparison(results[-1]), flush=True)
    path = args.json or out / "compare.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([c.to_json() for c in results], indent=2) + "\n", encoding="utf-8")
    print()
    for c in results:
        print(f"{c.revision}: covered {len(c.covered)}, not covered {len(c.not_covered)}, Faultline-only "
              f"{len(c.faultline_only)}, conflicts {len(c.conflicts)}")
    print(f"comparison written to {path}")
    return 1 if any(c.conflicts for c in results) else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        out = args.out or Path(tempfile.mkdtemp(prefix=f"faultline-{args.command}-"))
        work = (lambda url: _official(args, url, out)) if args.command == "official" else \
            (lambda url: _compare(args, url, out))
        url = getattr(args, "url", None) or getattr(args, "target", None)
        target: Target = UrlTarget(url) if url else SpawnTarget(args.spawn)
        return asyncio.run(_with_target(target, work))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
