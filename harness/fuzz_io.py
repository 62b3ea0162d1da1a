"""What a fuzz run writes and replays, and how it shows its progress: repro files (`faultline replay` reads
them), replays of a schedule against one start of a target, the progress line."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from anyio.from_thread import start_blocking_portal

from harness import __version__
from harness.fuzz import FAILING, Failure, FuzzStats, run_in_portal, schedule_scenario
from harness.revisions import Revision
from harness.runner import Rig, RunConfig, ScenarioResult
from harness.targets import Target
from scenarios.schedules import Schedule


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
    return replay_many(target, config, schedule, revision, 1)[0]


def replay_many(target: Target, config: RunConfig, schedule: Schedule, revision: Revision,
                times: int) -> list[ScenarioResult]:
    """The schedule played `times` times against one start of the target."""
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(Rig(target, config)) as rig:
        return [run_in_portal(portal, rig, schedule_scenario(schedule), revision) for _ in range(max(1, times))]


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
