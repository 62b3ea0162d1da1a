"""Official checks beside Faultline requirements at one revision, per requirement (harness/official/mapping.py).

For every official check id of the run: its status (FAILURE over WARNING over SUCCESS over INFO/SKIPPED
across the scenarios that emitted it), the Faultline requirements covering it and their verdicts, and the
disagreement. A CONFLICT is an official FAILURE whose covering requirements Faultline PASSed with no
FAIL, WARN or ERROR among them: the one thing that must never happen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.official.mapping import covering
from harness.official.results import OfficialCheck

FAULTLINE_BAD = ("FAIL", "WARN", "ERROR")
OFFICIAL_ORDER = ("FAILURE", "WARNING", "SUCCESS", "INFO", "SKIPPED")
CONFLICT = "CONFLICT: official FAIL, Faultline PASS"


def faultline_status(statuses: Counter[str]) -> str:
    """One verdict per requirement: FAIL/ERROR/WARN if any, else PASS if any, else NOT-OBSERVED, else N/A."""
    for s in ("FAIL", "ERROR", "WARN", "PASS", "NOT-OBSERVED"):
        if statuses[s]:
            return s
    return "NOT-APPLICABLE" if statuses else "NOT-RUN"


@dataclass
class CheckRow:
    check: str  # official check id
    official: str  # its status across scenarios
    scenarios: list[str]
    requirements: dict[str, str] = field(default_factory=dict)  # covering Faultline requirement -> its verdict
    unknown: bool = False  # the id is not in the mapping table

    @property
    def disagreement(self) -> str:
        if self.unknown:
            return "not in the mapping table"
        if not self.requirements:
            return "not covered"
        bad = [r for r, s in self.requirements.items() if s in FAULTLINE_BAD]
        if self.official == "FAILURE":
            if bad:
                return "both fail"
            return CONFLICT if "PASS" in self.requirements.values() else "official only (Faultline did not observe)"
        if bad:
            flagged = ", ".join(f"{r} ({self.requirements[r]})" for r in bad)
            return f"both warn: {flagged}" if self.official == "WARNING" else f"Faultline only: {flagged}"
        return "official warns only" if self.official == "WARNING" else "-"

    @property
    def conflict(self) -> bool:
        return self.disagreement == CONFLICT


@dataclass
class Comparison:
    revision: str
    rows: list[CheckRow]
    faultline_only: dict[str, str]  # Faultline requirement no official check maps to -> its verdict

    @property
    def covered(self) -> list[str]:
        return [r.check for r in self.rows if r.requirements]

    @property
    def not_covered(self) -> list[str]:
        return [r.check for r in self.rows if not r.requirements]

    @property
    def conflicts(self) -> list[str]:
        return [r.check for r in self.rows if r.conflict]

    def to_json(self) -> dict[str, Any]:
        return {"revision": self.revision, "covered": self.covered, "not_covered": self.not_covered,
                "faultline_only": self.faultline_only, "conflicts": self.conflicts,
                "checks": [{**asdict(r), "disagreement": r.disagreement} for r in self.rows]}


def compare(official: list[OfficialCheck], faultline: list[dict[str, Any]], *, revision: str,
            requirements: set[str]) -> Comparison:
    """`requirements`: the Faultline requirement ids registered at `revision`. Faultline rows of another
    revision are left out."""
    by_req: dict[str, Counter[str]] = {}
    for v in faultline:
        if v.get("revision") not in (None, revision):
            continue
        by_req.setdefault(str(v.get("requirement", "")), Counter())[str(v.get("status", ""))] += 1
    statuses: dict[str, set[str]] = {}
    scenarios: dict[str, set[str]] = {}
    for c in official:
        statuses.setdefault(c.id, set()).add(c.status)
        scenarios.setdefault(c.id, set()).add(c.scenario)
    rows, mapped = [], set()
    for check_id in sorted(statuses):
        status = next(s for s in OFFICIAL_ORDER if s in statuses[check_id])
        reqs = covering(check_id, requirements)
        row = CheckRow(check_id, status, sorted(scenarios[check_id]), unknown=reqs is None)
        for r in reqs or ():
            row.requirements[r] = faultline_status(by_req.get(r, Counter()))
            mapped.add(r)
        rows.append(row)
    only = {r: faultline_status(by_req.get(r, Counter())) for r in sorted(requirements - mapped)}
    return Comparison(revision, rows, only)


def format_comparison(cmp: Comparison) -> str:
    head = ("official check", "official", "Faultline requirements", "disagreement")
    body = [(r.check, r.official, ", ".join(f"{k} {v}" for k, v in r.requirements.items()) or "-", r.disagreement)
            for r in sorted(cmp.rows, key=lambda r: (not r.requirements, r.check))]
    widths = [max(len(x[i]) for x in (head, *body)) for i in range(3)]
    lines = [f"== {cmp.revision}: per requirement =="]
    lines += ["  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(line)) for line in (head, *body)]
    lines.insert(2, "  ".join("-" * w for w in widths) + "  " + "-" * len(head[3]))
    lines.append(f"Faultline requirements no official check covers ({len(cmp.faultline_only)}):")
    lines += [f"  {r:<40} {s}" for r, s in cmp.faultline_only.items()]
    lines.append(f"{cmp.revision}: official checks covered by Faultline {len(cmp.covered)}, not covered "
                 f"{len(cmp.not_covered)}, Faultline-only requirements {len(cmp.faultline_only)}; conflicts "
                 f"(official FAIL, Faultline PASS): {', '.join(cmp.conflicts) if cmp.conflicts else 'none'}")
    return "\n".join(lines)
