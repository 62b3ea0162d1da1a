"""Property-based fault exploration: Hypothesis draws fault schedules, the checks are the
invariants, and a failure is shrunk to the smallest schedule that still fails, then written as a
repro file that `faultline replay` re-runs.

The target and the fault proxy run in a background event loop (an anyio blocking portal) so
Hypothesis can drive examples synchronously. Outcomes are memoised per schedule: a schedule seen
again (Hypothesis replays its final, shrunk example) gets the same answer, so timing noise in
the target can never make Hypothesis call a failure flaky.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from harness import __version__
from harness.revisions import Revision
from harness.runner import Rig, RunConfig, ScenarioResult
from harness.targets import Target
from scenarios.api import Scenario
from scenarios.schedules import Schedule, play
from scenarios.strategies import schedules

FAILING = ("FAIL", "WARN", "ERROR")
FUZZ_ROLES = ("progress", "long_running", "elicitation", "sampling", "server_close", "effect")
CACHE_DIR = Path(os.environ.get("FAULTLINE_CACHE", ".cache/faultline"))

settings.register_profile("faultline-ci", derandomize=True, max_examples=50, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck), print_blob=False)
settings.register_profile("faultline-dev", deadline=None, suppress_health_check=list(HealthCheck),
                          database=DirectoryBasedExampleDatabase(str(CACHE_DIR / "hypothesis")))


def hypothesis_profile() -> str:
    """`faultline-ci` on CI (derandomized, bounded), else `faultline-dev` (database under the cache)."""
    return "faultline-ci" if os.environ.get("CI") else "faultline-dev"


def schedule_scenario(schedule: Schedule) -> Scenario:
    return Scenario(name="fuzz", description=schedule.describe(), revisions=(Revision.R2025, Revision.R2026),
                    roles=(schedule.role,), checks=(), run=play(schedule))


def failing(result: ScenarioResult) -> list[str]:
    """The failure signature of a result: the requirement ids it FAILed, WARNed (a broken SHOULD) or ERRORed
    (an indeterminate outcome), sorted."""
    return sorted({v.requirement for v in result.verdicts if v.status in FAILING})


@dataclass
class Failure:
    revision: str
    signature: list[str]
    schedule: Schedule
    result: ScenarioResult
    found_after: float  # seconds from the start of the fuzz run
    examples: int


@dataclass
class FuzzStats:
    examples: int = 0
    failures: int = 0
    shrinks: int = 0
    started: float = field(default_factory=time.monotonic)


class _Found(Exception):
    def __init__(self, signature: list[str], schedule: Schedule, revision: Revision) -> None:
        super().__init__(", ".join(signature))
        self.signature, self.schedule, self.revision = signature, schedule, revision


def fuzz(target: Target, config: RunConfig, *, max_examples: int, time_budget: float, seed_value: int | None,
         on_progress: Callable[[FuzzStats, str], None] | None = None,
         stop_at_first: bool = False) -> tuple[list[Failure], FuzzStats]:
    """Explore schedules at each revision of `config`; return the distinct, shrunk failures (only the
    first one with `stop_at_first`)."""
    stats = FuzzStats()
    failures: list[Failure] = []
    stop_at = stats.started + time_budget
    roles = [r for r in FUZZ_ROLES if config.profile.role(r)]
    revisions = list(config.revisions)
    known: set[tuple[str, tuple[str, ...]]] = set()  # (revision, signature) already reported
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(Rig(target, config)) as rig:
        while time.monotonic() < stop_at:
            found = _search(portal, rig, revisions, roles, known, stats, stop_at, max_examples, seed_value,
                            target.can_restart, on_progress)
            if found is None:
                break
            failures.append(found)
            known.add((found.revision, tuple(found.signature)))
            if stop_at_first:
                break
    return failures, stats


def _search(portal: Any, rig: Rig, revisions: list[Revision], roles: list[str],
            known: set[tuple[str, tuple[str, ...]]], stats: FuzzStats, stop_at: float, max_examples: int,
            seed_value: int | None, can_restart: bool,
            on_progress: Callable[[FuzzStats, str], None] | None) -> Failure | None:
    """One Hypothesis search over (revision, schedule): the revision is drawn like the rest (and shrinks
    toward the first one), so every revision is explored from the first second of the budget."""
    memo: dict[str, tuple[list[str], ScenarioResult]] = {}
    first_failure: list[float] = []

    def key_of(rev: Revision, schedule: Schedule) -> str:
        return rev.value + json.dumps(schedule.to_json(), sort_keys=True)

    def run(rev: Revision, schedule: Schedule) -> tuple[list[str], ScenarioResult]:
        key = key_of(rev, schedule)
        if key not in memo:
            result = run_in_portal(portal, rig, schedule_scenario(schedule), rev)
            memo[key] = (failing(result), result)
            stats.examples += 1
            if first_failure:
                stats.shrinks += 1
        return memo[key]

    def prop(case: tuple[Revision, Schedule]) -> None:
        rev, schedule = case
        if key_of(rev, schedule) not in memo and time.monotonic() > stop_at:
            return  # budget spent: the remaining examples pass without running
        signature, _ = run(rev, schedule)
        if on_progress:
            on_progress(stats, f"{rev.value} {schedule.describe()}")
        if signature and (rev.value, tuple(signature)) not in known:
            if not first_failure:
                first_failure.append(time.monotonic() - stats.started)
                stats.failures += 1
            raise _Found(signature, schedule, rev)

    cases = st.sampled_from(revisions).flatmap(
        lambda rev: schedules(rev, roles, can_restart=can_restart).map(lambda sch: (rev, sch)))
    test = settings(settings.get_profile(hypothesis_profile()), max_examples=max_examples,
                    verbosity=Verbosity.quiet,  # Faultline reports; Hypothesis's "reproduce by @seed" lines are noise
                    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])(given(cases)(prop))
    if seed_value is not None:
        test = seed(seed_value)(test)
    try:
        test()
    except _Found as found:
        _, result = run(found.revision, found.schedule)
        return Failure(found.revision.value, found.signature, found.schedule, result, first_failure[0], stats.examples)
    return None


def run_in_portal(portal: Any, rig: Rig, scenario: Scenario, revision: Revision,
                  unwind: float = 30.0) -> ScenarioResult:
    """`rig.run` in the portal's loop. When this thread is interrupted (Ctrl-C, or SIGTERM made one), the
    scenario is cancelled and waited for (at most `unwind` s) before the caller leaves the Rig: a scenario
    still restarting the target while the Rig stops it could otherwise start a server nobody stops."""
    finished = threading.Event()

    async def guarded() -> ScenarioResult:
        try:
            return await rig.run(scenario, revision)
        finally:
            finished.set()

    future = portal.start_task_soon(guarded)
    try:
        return future.result()
    except BaseException:
        future.cancel()
        finished.wait(unwind)
        raise


def write_repro(failure: Failure, target: Target, config: RunConfig, seed_value: int | None, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = "-".join(s.replace(".", "_") for s in failure.signature)[:80] or "failure"
    path = folder / f"repro-{failure.revision}-{name}.json"
    data = {
        "faultline_repro": 1,
        "harness_version": __version__,
        "target": target.description,
        "spawn": getattr(target, "command", None),
        "url": None if getattr(target, "command", None) else target.url,
        "spawn_url": getattr(target, "fixed_url", None),  # a spawned server's --url (it prints none)
        "revision": failure.revision,
        "profile": config.profile.name,
        "time_scale": config.time_scale,
        "seed": seed_value,
        "schedule": failure.schedule.to_json(),
        "describe": failure.schedule.describe(),
        "failing": failure.signature,
        "verdicts": [v.model_dump(mode="json") for v in failure.result.verdicts if v.status in FAILING],
        "history": [r.model_dump(mode="json") for r in failure.result.history],
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def replay_once(target: Target, config: RunConfig, schedule: Schedule, revision: Revision) -> ScenarioResult:
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(Rig(target, config)) as rig:
        return run_in_portal(portal, rig, schedule_scenario(schedule), revision)


def progress_printer(budget: float | None = None,
                     say: Callable[[str], None] | None = None) -> Callable[[FuzzStats, str], None]:
    """On a terminal one line rewritten per example; elsewhere (a CI log) a line at most every 5 s, through
    `say` when given (a Heartbeat's, which fills the silences of a long example)."""
    tty = sys.stderr.isatty()
    last = [0.0]
    of = f" of {budget:.0f}s" if budget else ""

    def show(stats: FuzzStats, current: str) -> None:
        now = time.monotonic()
        line = (f"examples {stats.examples}  failures {stats.failures}  shrinks {stats.shrinks}  "
                f"{now - stats.started:5.1f}s{of}  {current}")
        if tty:
            sys.stderr.write("\r\x1b[K" + line[:150])
            sys.stderr.flush()
        elif now - last[0] > 5:
            last[0] = now
            if say:
                say(line)
            else:
                print(line, file=sys.stderr, flush=True)

    return show
