"""Official verdicts beside Faultline verdicts, per requirement area, with the disagreements named."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness.official.areas import AREA_ORDER, faultline_area, official_area
from harness.official.results import OfficialCheck, scenario_verdicts

FAULTLINE_BAD = ("FAIL", "WARN", "ERROR")

CONFLICT = "CONFLICT: official FAIL, Faultline PASS"


@dataclass
class AreaRow:
    area: str
    official: Counter[str] = field(default_factory=Counter)  # scenario verdicts: PASS/FAIL/WARN/N/A
    faultline: Counter[str] = field(default_factory=Counter)  # verdict statuses
    official_failed: list[str] = field(default_factory=list)  # scenario names
    faultline_failed: list[str] = field(default_factory=list)  # requirement ids (with status)

    @property
    def disagreement(self) -> str:
        off_fail = bool(self.official["FAIL"])
        fl_fail = any(self.faultline[s] for s in FAULTLINE_BAD)
        if off_fail and self.faultline["PASS"] and not fl_fail:
            return CONFLICT
        if off_fail and not fl_fail:
            return "official only" if self.faultline else "official only (Faultline does not look)"
        if fl_fail and not off_fail:
            return "Faultline only: " + ", ".join(self.faultline_failed)
        if fl_fail and off_fail:
            return "both fail"
        return "-"

    @property
    def conflict(self) -> bool:
        return self.disagreement == CONFLICT


def compare(official: list[OfficialCheck], faultline: list[dict[str, Any]], *,
            revision: str | None = "2025-11-25") -> list[AreaRow]:
    """One row per area either side looked at. Faultline rows of another revision are left out."""
    rows: dict[str, AreaRow] = {}

    def row(area: str) -> AreaRow:
        return rows.setdefault(area, AreaRow(area))

    for scenario, verdict in scenario_verdicts(official).items():
        r = row(official_area(scenario))
        r.official[verdict] += 1
        if verdict == "FAIL":
            r.official_failed.append(scenario)
    for v in faultline:
        if revision is not None and v.get("revision") not in (None, revision):
            continue
        requirement, status = str(v.get("requirement", "")), str(v.get("status", ""))
        r = row(faultline_area(requirement))
        r.faultline[status] += 1
        label = f"{requirement} ({status})"
        if status in FAULTLINE_BAD and label not in r.faultline_failed:
            r.faultline_failed.append(label)
    order = {a: i for i, a in enumerate(AREA_ORDER)}
    return sorted(rows.values(), key=lambda r: (order.get(r.area, len(order)), r.area))


def _counts(c: Counter[str], order: tuple[str, ...]) -> str:
    parts = [f"{k} {c[k]}" for k in order if c[k]] + [f"{k} {n}" for k, n in sorted(c.items()) if k not in order and n]
    return ", ".join(parts) or "-"


def format_table(rows: list[AreaRow]) -> str:
    head = ("area", "official (scenarios)", "Faultline (verdicts)", "disagreement")
    body = [(r.area, _counts(r.official, ("PASS", "FAIL", "WARN", "N/A")),
             _counts(r.faultline, ("PASS", "FAIL", "WARN", "ERROR", "NOT-OBSERVED", "NOT-APPLICABLE")),
             r.disagreement) for r in rows]
    widths = [max(len(x[i]) for x in (head, *body)) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(line))
             for line in (head, *body)]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * len(head[3]))
    conflicts = [r.area for r in rows if r.conflict]
    lines.append(f"conflicts (official FAIL, Faultline PASS): {', '.join(conflicts) if conflicts else 'none'}")
    return "\n".join(lines)
