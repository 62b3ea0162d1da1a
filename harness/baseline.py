"""Expected failures (a baseline of known findings), as the official suite's --expected-failures.

YAML: a list of entries `{scenario: NAME, check: NAME, revision: 2025-11-25, reason: "..."}`
(`revision` optional: any). A listed FAIL/WARN does not fail the run; a listed entry that now
PASSes does (the baseline is stale and must be updated).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.errors import UsageError
from harness.runner import ScenarioResult
from harness.yamlfile import load_yaml_file


@dataclass(frozen=True)
class Expected:
    scenario: str
    check: str
    revision: str | None
    reason: str

    def matches(self, scenario: str, check: str, revision: str) -> bool:
        return self.scenario == scenario and self.check == check and self.revision in (None, revision)


def load_expected(path: str | Path, *, option: str = "--expected-failures") -> list[Expected]:
    p = Path(path)
    data = load_yaml_file(p, option)
    if data is None:
        return []
    if not isinstance(data, list):
        raise UsageError(f"{option} {p}: expected a list of entries")
    out = []
    for i, e in enumerate(data, 1):
        if not isinstance(e, dict) or not isinstance(e.get("scenario"), str) or not isinstance(e.get("check"), str):
            raise UsageError(f"{option} {p}: entry {i} needs 'scenario' and 'check'")
        if not isinstance(e.get("reason"), str) or not e["reason"].strip():
            raise UsageError(f"{option} {p}: entry {i} needs a 'reason'")
        rev = e.get("revision")
        out.append(Expected(e["scenario"], e["check"], str(rev) if rev else None, e["reason"]))
    return out


@dataclass
class Judgement:
    new_failures: list[tuple[str, str, str, str]]  # scenario, check, revision, status
    expected_failures: list[tuple[str, str, str, str]]
    stale: list[Expected]  # listed, but now passing
    errors: list[tuple[str, str, str, str]]

    @property
    def ok(self) -> bool:
        return not (self.new_failures or self.stale or self.errors)


def judge(results: list[ScenarioResult], expected: list[Expected]) -> Judgement:
    new: list[tuple[str, str, str, str]] = []
    known: list[tuple[str, str, str, str]] = []
    errors: list[tuple[str, str, str, str]] = []
    passing: set[tuple[str, str, str]] = set()
    for r in results:
        for v in r.verdicts:
            key: tuple[str, str, str, str] = (r.scenario, v.check, r.revision, str(v.status))
            if v.status in ("FAIL", "WARN"):
                if any(e.matches(r.scenario, v.check, r.revision) for e in expected):
                    known.append(key)
                else:
                    new.append(key)
            elif v.status == "ERROR":
                errors.append(key)
            elif v.status == "PASS":
                passing.add((r.scenario, v.check, r.revision))
    stale = [e for e in expected
             if any(e.matches(s, c, rv) for (s, c, rv) in passing)
             and not any(e.matches(s, c, rv) for (s, c, rv, _) in known)]
    return Judgement(new, known, stale, errors)
