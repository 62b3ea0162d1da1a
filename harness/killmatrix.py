"""The kill matrix: every mutant of the reference agents must be FAILed (WARNed, for a SHOULD) by
at least one check carrying its expected requirement id, and the clean agents by none.

`python -m harness.killmatrix [--quick] [--json PATH] [-m MUTANT ...]` prints the table and writes
JSON. `--quick` runs, per mutant, only the scenarios that exercise its bug (the test suite's mode);
without it every scenario runs against every mutant.
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
from scenarios.api import select

# mutant -> (requirement ids of which one must fire, scenario name fragments that exercise it)
EXPECTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "replay-cross-stream": (("http.resume.per-stream",), ("stream-isolation",)),
    "replay-cross-session": (("http.resume.foreign-id",), ("session-isolation",)),
    "replay-skip-first": (("http.resume.no-gaps",), ("resume-each-boundary",)),
    "replay-duplicate-last": (("http.resume.no-duplicates",), ("resume-each-boundary",)),
    "unknown-id-replays-all": (("http.resume.foreign-id",), ("resume-unknown-id", "session-isolation")),
    "resume-never-ends": (("http.resume.no-gaps",), ("resume-each-boundary",)),
    "response-held-open": (("http.post.response-terminates",), ("resume-after-result",)),
    "replay-out-of-order": (("http.resume.no-gaps", "http.resume.order"), ("resume-each-boundary",)),
    "handoff-loses-events": (("http.resume.no-gaps",), ("resume-each-boundary", "resume-during-replay")),
    "no-priming": (("http.sse.priming",), ("resume-mid-event",)),
    "close-without-retry": (("http.sse.retry-before-close",), ("server-close-retry",)),
    "progress-not-increasing": (("progress.monotonic",), ("progress-latency-slicer",)),
    "progress-after-response": (("progress.stop-after-completion",), ("resume-after-result",)),
    "progress-request-id-token": (("progress.token.active",), ("progress-latency-slicer",)),
    "notifications-on-get-stream": (("http.post.related",), ("get-stream-unrelated",)),
    "elicitation-decline-hangs": (("elicit.decline.2025", "elicit.decline.2026", "http.post.eventually-response"),
                                  ("elicitation-decline",)),
    "sampling-error-hangs": (("sampling.rejection", "http.post.eventually-response"), ("sampling-reject", "sampling-error")),
    "disconnect-cancels-2025": (("http.disconnect.not-cancel",), ("disconnect-not-cancel",)),
    "disconnect-ignored-2026": (("http.disconnect.is-cancel",), ("disconnect-cancels",)),
    "response-twice": (("http.post.one-response",), ("resume-after-result",)),
    "terminated-session-accepted": (("http.session.terminated-404",), ("session-delete-404",)),
    "version-header-ignored": (("http.version.invalid-400",), ("version-invalid-400",)),
    "no-origin-check": (("http.origin.reject-403",), ("origin-403",)),
    "resource-no-update": (("resources.updated.notified",), ("resource-subscribe",)),
    "resource-update-before-commit": (("resources.updated.after-commit",), ("resource-subscribe",)),
    "resource-update-after-unsubscribe": (("resources.updated.only-subscribed",), ("resource-unsubscribe",)),
    "resource-unknown-empty": (("resources.read.unknown",), ("resource-unknown-uri",)),
    "resource-lost-on-restart": (("resources.status.forward",), ("resource-restart",)),
    "listen-no-ack": (("subs.ack-first",), ("resource-subscribe",)),
    "listen-unrequested": (("subs.filter",), ("resource-subscribe",)),
    "task-first-not-working": (("tasks.state.transitions",), ("task-lifecycle",)),
    "task-terminal-reopens": (("tasks.state.terminal", "tasks.ext.state.terminal"), ("task-lifecycle",)),
    "task-result-drift": (("tasks.result.terminal", "harness.tasks.result-exact"), ("task-lifecycle",)),
    "task-cancel-terminal-ok": (("tasks.cancel.terminal",), ("task-lifecycle",)),
    "task-unnegotiated": (("tasks.ext.requires-capability",), ("task-lifecycle",)),
    "task-progress-after-terminal": (("progress.task.stop-terminal",), ("task-lifecycle",)),
    "task-input-unrelated": (("tasks.input-required.related-task",), ("task-input-reconnect",)),
    "task-unknown-id-internal": (("tasks.errors", "tasks.ext.errors.unknown-id"), ("task-lifecycle",)),
    "task-timestamps-epoch": (("tasks.fields",), ("task-lifecycle",)),
    "task-get-no-result": (("tasks.ext.get.shape",), ("task-lifecycle",)),
    "task-ack-returns-task": (("tasks.ext.ack-empty",), ("task-cancel",)),
    "task-create-lazy": (("tasks.ext.durable-create",), ("task-lifecycle",)),
    "task-lost-on-restart": (("tasks.ttl.retention",), ("task-input-restart",)),
}

KILL_STATUSES = ("FAIL", "WARN")


@dataclass
class Row:
    mutant: str
    expected: list[str]
    fired: list[str]  # requirement ids FAILed/WARNed
    killed: bool
    wall: float


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
    killed = sum(r.killed for r in rows)
    print(f"\nkilled {killed}/{len(rows)} mutants; clean agents: {len(clean.fired)} FAIL/WARN requirement(s)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.killmatrix", description=__doc__)
    p.add_argument("--quick", action="store_true", help="per mutant, only the scenarios that exercise it")
    p.add_argument("-m", "--mutant", action="append", help="only these mutants (repeatable)")
    p.add_argument("--json", type=Path, default=Path("faultline-out/killmatrix.json"))
    p.add_argument("--time-scale", type=float, default=1.0, help="multiply every deadline (hanging mutants wait it out)")
    args = p.parse_args(argv)
    unknown = [m for m in args.mutant or [] if m not in EXPECTED]
    if unknown:
        print(f"unknown mutant(s): {', '.join(unknown)} (known: {', '.join(EXPECTED)})", file=sys.stderr)
        return 2
    clean, rows = anyio.run(lambda: matrix(args.mutant or list(EXPECTED), quick=args.quick, time_scale=args.time_scale))
    print_table(clean, rows)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"clean": asdict(clean), "mutants": [asdict(r) for r in rows]}, indent=2))
    print(f"json: {args.json}")
    return 0 if all(r.killed for r in rows) and not clean.fired else 1


if __name__ == "__main__":
    sys.exit(main())
