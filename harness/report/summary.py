"""The counts every output shows (terminal totals, the JSON summary, JUnit, HTML), computed once.

Every count is over the verdicts `status.shown` keeps; the NOT-OBSERVED verdicts of checks a scenario
does not target are only counted, as `omitted`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.report.status import STATUSES, omitted, shown
from harness.runner import ScenarioResult


def zero() -> dict[str, int]:
    return dict.fromkeys(STATUSES, 0)


def _requirement_zero() -> dict[str, int]:
    return {**zero(), "omitted_not_observed": 0}


@dataclass
class Tally:
    scenarios: dict[str, int] = field(default_factory=zero)  # scenario runs per status
    verdicts: dict[str, int] = field(default_factory=zero)  # shown verdicts per status
    omitted: int = 0  # NOT-OBSERVED verdicts of untargeted checks, in no output
    per_scenario: list[dict[str, Any]] = field(default_factory=list)
    per_requirement: dict[str, dict[str, int]] = field(default_factory=dict)  # counts, and omitted

    @property
    def runs(self) -> int:
        return sum(self.scenarios.values())

    @property
    def verdict_total(self) -> int:
        return sum(self.verdicts.values())

    @property
    def nothing_applied(self) -> bool:
        """No scenario ran and was judged: every run NOT-APPLICABLE or NOT-OBSERVED (or there were none)."""
        return not any(self.scenarios[s] for s in ("PASS", "FAIL", "WARN", "ERROR"))

    def as_json(self) -> dict[str, Any]:
        return {"scenarios": {"total": self.runs, **self.scenarios},
                "verdicts": {"total": self.verdict_total, **self.verdicts},
                "omitted_not_observed": self.omitted,
                "per_scenario": self.per_scenario,
                "per_requirement": dict(sorted(self.per_requirement.items()))}


def verdict_counts(r: ScenarioResult) -> dict[str, int]:
    c = zero()
    for v in shown(r.verdicts, r.exercises):
        c[v.status] += 1
    return c


def tally(results: list[ScenarioResult]) -> Tally:
    t = Tally()
    for r in results:
        status = r.status
        t.scenarios[status] += 1
        kept = shown(r.verdicts, r.exercises)
        left_out = omitted(r.verdicts, r.exercises)
        t.omitted += len(left_out)
        counts = verdict_counts(r)
        for s, n in counts.items():
            t.verdicts[s] += n
        for v in kept:
            t.per_requirement.setdefault(v.requirement, _requirement_zero())[v.status] += 1
        for v in left_out:
            t.per_requirement.setdefault(v.requirement, _requirement_zero())["omitted_not_observed"] += 1
        t.per_scenario.append({"scenario": r.scenario, "revision": r.revision, "status": status,
                               "reason": r.reason, "seconds": round(r.wall, 3), "targets": list(r.exercises),
                               "verdicts": counts,
                               "history": str(r.history_path) if r.history_path else None})
    return t


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def status_list(counts: dict[str, int]) -> str:
    """'3 PASS, 1 FAIL' (statuses with a count only; 'none' when all are zero)."""
    return ", ".join(f"{n:,} {s}" for s, n in counts.items() if n) or "none"
