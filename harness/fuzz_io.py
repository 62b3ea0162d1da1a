"""What a fuzz run writes and replays, and how it shows its progress: repro files (`faultline replay` reads
them), replays of a schedule against one start of a target, the progress line; and the evidence that a verdict
does not depend on the examples played before it on the same target (`order_independence`)."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, given, seed, settings

from harness import __version__
from harness.calibration import Calibration
from harness.errors import UsageError
from harness.fuzz import (
    FAILING,
    FUZZ_ROLES,
    Failure,
    FuzzStats,
    failing,
    rig_config,
    run_in_portal,
    schedule_scenario,
    search_cases,
)
from harness.revisions import Revision
from harness.runner import Rig, RunConfig, ScenarioResult
from harness.targets import Target
from scenarios.schedules import Schedule
from scenarios.strategies import seed_corpus


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
        # the role's calibration (deadlines, an undisturbed schedule's read timeout): the replay uses it, as measured
        "calibration": failure.calibration.to_json((failure.schedule.role,)) if failure.calibration else None,
        "verdicts": [v.model_dump(mode="json") for v in failure.result.verdicts if v.status in FAILING],
        "history": [r.model_dump(mode="json") for r in failure.result.history],
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def recorded_calibration(data: dict[str, Any]) -> Calibration | None:
    """The calibration a repro file recorded (None: none, a repro of `faultline call` or of an older Faultline)."""
    recorded = data.get("calibration")
    if recorded is None:
        return None
    try:
        return Calibration.from_json(recorded)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise UsageError(f"the repro's calibration is not a list of measures: {type(exc).__name__}: {exc}") from None


def replay_once(target: Target, config: RunConfig, schedule: Schedule, revision: Revision) -> ScenarioResult:
    return replay_many(target, config, schedule, revision, 1)[0]


def replay_many(target: Target, config: RunConfig, schedule: Schedule, revision: Revision,
                times: int) -> list[ScenarioResult]:
    """The schedule played `times` times against one start of the target. With `config.calibration` (a repro
    file's, `recorded_calibration`) as the fuzz run measured it; without, an undisturbed schedule's role is
    calibrated first (its read timeout derives from it), a disturbed one's is not (its deadlines are the floors)."""
    rig_of = Rig(target, rig_config(config, [schedule.role] if config.calibration or schedule.undisturbed else []))
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(rig_of) as rig:
        return [run_in_portal(portal, rig, schedule_scenario(schedule), revision) for _ in range(max(1, times))]


def order_independence(make_target: Callable[[], Target], config: RunConfig, drawn: int, seed_value: int
                       ) -> tuple[list[tuple[Revision, Schedule]], list[list[str]], list[list[str]]]:
    """The seed corpus and `drawn` schedules Hypothesis draws (seeded), played in order on one target and in reverse
    order on another at the same time, each target serving them all one after another as a fuzz worker does: the
    cases and the failure signature of each in either order (the same, when no state leaks between examples)."""
    roles = [r for r in FUZZ_ROLES if config.profile.role(r)]
    revisions = list(config.revisions)
    cases = seed_corpus(revisions, roles, can_restart=True)
    quiet = settings(max_examples=max(1, drawn), database=None, deadline=None, suppress_health_check=list(HealthCheck))

    @seed(seed_value)
    @quiet
    @given(search_cases(revisions, roles, can_restart=True, proxy=config.proxy))
    def collect(case: tuple[Revision, Schedule]) -> None:
        if len(cases) < len(seed_corpus(revisions, roles, can_restart=True)) + drawn:
            cases.append(case)

    if drawn > 0:
        collect()
    signatures: dict[str, list[list[str]]] = {}

    def play(label: str, order: list[tuple[Revision, Schedule]]) -> None:
        rig_of = Rig(make_target(), rig_config(config, roles))
        with start_blocking_portal() as portal, portal.wrap_async_context_manager(rig_of) as rig:
            signatures[label] = [failing(run_in_portal(portal, rig, schedule_scenario(s), rev)) for rev, s in order]

    threads = [threading.Thread(target=play, args=("forward", cases)),
               threading.Thread(target=play, args=("backward", cases[::-1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(signatures) < 2:
        raise RuntimeError("order_independence: a target failed to start or a run failed (see above)")
    return cases, signatures["forward"], signatures["backward"][::-1]


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
