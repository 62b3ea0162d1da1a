"""What a scenario run's verdicts add up to, in one place for every output (terminal, JSON, JUnit, HTML).

A verdict is *targeted* when its requirement is one the scenario declares in `checks=(...)` (the
scenario's own `scenario:` verdict is targeted too). Every output shows the same verdicts: all of them
but the NOT-OBSERVED verdicts of checks the scenario does not target (a check that had nothing to look
at in a scenario not made for it says nothing); those are counted, as `omitted`, never shown.

A scenario is PASS only when a check it targets passed: if all its targeted checks were NOT-OBSERVED
it is NOT-OBSERVED (NOT-APPLICABLE and NOT-OBSERVED are never a pass).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

STATUSES = ("PASS", "FAIL", "WARN", "ERROR", "NOT-APPLICABLE", "NOT-OBSERVED")
FINDINGS = ("ERROR", "FAIL", "WARN")  # worst first: a scenario with any of these has that status
APPLIED = ("PASS", "FAIL", "WARN", "ERROR")  # a scenario with one of these statuses ran and was judged


class VerdictLike(Protocol):
    @property
    def check(self) -> str: ...
    @property
    def requirement(self) -> str: ...
    @property
    def status(self) -> str: ...


def targeted(v: VerdictLike, exercises: Iterable[str]) -> bool:
    return v.requirement in exercises or v.check.startswith("scenario:")


V = TypeVar("V", bound=VerdictLike)


def shown(verdicts: Iterable[V], exercises: Iterable[str]) -> list[V]:
    """The verdicts every output reports: all but the NOT-OBSERVED ones of checks the scenario does not target."""
    ex = set(exercises)
    return [v for v in verdicts if v.status != "NOT-OBSERVED" or targeted(v, ex)]


def omitted(verdicts: Iterable[V], exercises: Iterable[str]) -> list[V]:
    """The verdicts no output shows, only counts: the NOT-OBSERVED ones of checks the scenario does not target."""
    ex = set(exercises)
    return [v for v in verdicts if v.status == "NOT-OBSERVED" and not targeted(v, ex)]


def scenario_status(verdicts: Iterable[VerdictLike], exercises: Iterable[str]) -> str:
    vs, ex = list(verdicts), set(exercises)
    statuses = {v.status for v in vs}
    for s in FINDINGS:
        if s in statuses:
            return s
    if any(v.status == "PASS" and (targeted(v, ex) or not ex) for v in vs):
        return "PASS"
    return "NOT-APPLICABLE" if "NOT-APPLICABLE" in statuses else "NOT-OBSERVED"
