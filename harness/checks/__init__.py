"""Checks: pure functions over a history. `run_checks` runs every registered check."""

from __future__ import annotations

from collections.abc import Iterable

from harness.checks import (  # noqa: F401
    interaction,
    isolation,
    links,
    lists,
    messages,
    mrtr,
    outcomes,
    progress,
    resources,
    streams,
    streams_standalone,
    tasks,
    tasks_ext,
    transport,
)
from harness.checks.model import Derived
from harness.checks.registry import CheckSpec, Outcome, registered
from harness.history import History, Verdict
from harness.revisions import known


def all_checks() -> list[CheckSpec]:
    return registered()


def run_checks(history: History, *, scenario: str | None = None, only: Iterable[str] | None = None) -> list[Verdict]:
    wanted = set(only) if only is not None else None
    meta = history.meta
    recorded = meta.revision if meta else ""
    revision = known(recorded)  # None: no revision Faultline knows (every check is NOT-APPLICABLE)
    scenario = scenario if scenario is not None else (meta.scenario if meta else "")
    broken = ""
    derived = None
    if revision is not None:
        try:
            derived = Derived(history)
        except Exception as exc:  # noqa: BLE001 - an unforeseen history: every check says ERROR, nothing raises
            broken = f"the history could not be read: {type(exc).__name__}: {exc}"
    verdicts = []
    for spec in registered():
        if wanted is not None and spec.name not in wanted and spec.requirement not in wanted:
            continue
        out = Outcome(spec, recorded)
        if revision is None:
            v = out._v("NOT-APPLICABLE", f"the history's revision {recorded!r} is not one Faultline knows")
        elif revision not in spec.revisions:
            v = out._v("NOT-APPLICABLE", f"applies to {', '.join(r.value for r in spec.revisions)} only")
        elif derived is None:
            v = out._v("ERROR", broken)
        else:
            try:
                v = spec.fn(derived, out)
            except Exception as exc:  # noqa: BLE001 - a check bug or an unforeseen history: ERROR, contained
                v = out._v("ERROR", f"the check raised {type(exc).__name__}: {exc}")
        v.scenario = scenario
        verdicts.append(v)
    return verdicts
