"""Check registration: one function per check, with its requirement id, revisions, level, spec."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.history import Verdict
from harness.revisions import Revision


@dataclass(frozen=True)
class CheckSpec:
    name: str
    requirement: str
    revisions: tuple[Revision, ...]
    level: str
    spec: str
    fn: Callable[[Any, Outcome], Verdict]

    @property
    def should(self) -> bool:
        return self.level.startswith("SHOULD") or self.level.startswith("implied (SHOULD")


_CHECKS: dict[str, CheckSpec] = {}


Check = Callable[[Any, "Outcome"], Verdict]


def check(name: str, *, requirement: str, revisions: tuple[Revision, ...], level: str,
          spec: str) -> Callable[[Check], Check]:
    """Register `fn(derived: checks.model.Derived, out: Outcome) -> Verdict` (one function per check)."""
    def register(fn: Check) -> Check:
        if name in _CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        _CHECKS[name] = CheckSpec(name, requirement, revisions, level, spec, fn)
        return fn
    return register


def registered() -> list[CheckSpec]:
    return list(_CHECKS.values())


class Outcome:
    """What a check function returns through: `ok()`, `fail(msg, seqs)`, `unseen(reason)`."""

    def __init__(self, spec: CheckSpec, revision: str) -> None:
        self.spec, self.revision = spec, revision  # the revision as recorded: the verdict's label

    def _v(self, status: str, message: str, witness: list[int] | None = None) -> Verdict:
        return Verdict(check=self.spec.name, requirement=self.spec.requirement, revision=self.revision,
                       level=self.spec.level, status=status, message=message,  # type: ignore[arg-type]
                       witness=sorted(set(witness or [])), spec=self.spec.spec)

    def ok(self, message: str = "") -> Verdict:
        return self._v("PASS", message)

    def fail(self, message: str, witness: list[int]) -> Verdict:
        return self._v("WARN" if self.spec.should else "FAIL", message, witness)

    def unseen(self, reason: str) -> Verdict:
        return self._v("NOT-OBSERVED", reason)
