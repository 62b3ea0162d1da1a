"""The area comparison: agreement, the flagged conflict (official FAIL, Faultline PASS), Faultline-only findings."""

from __future__ import annotations

from typing import Any

from harness.official.areas import OFFICIAL_AREAS, faultline_area, official_area
from harness.official.compare import CONFLICT, compare, format_table
from harness.official.results import OfficialCheck


def off(scenario: str, status: str, id: str | None = None) -> OfficialCheck:
    return OfficialCheck(scenario=scenario, id=id or scenario, name=scenario, status=status)


def fl(requirement: str, status: str, revision: str = "2025-11-25") -> dict[str, Any]:
    return {"scenario": "s@" + revision, "check": requirement, "requirement": requirement,
            "revision": revision, "status": status, "witness": []}


def by_area(rows: list[Any]) -> dict[str, Any]:
    return {r.area: r for r in rows}


def test_every_official_scenario_has_an_area() -> None:
    assert len(OFFICIAL_AREAS) == 32 and "other" not in OFFICIAL_AREAS.values()
    assert official_area("tools-call-with-progress") == "progress" and official_area("new-thing") == "other"
    assert faultline_area("http.resume.no-gaps") == "resumability"
    assert faultline_area("http.origin.reject-403") == "origin"
    assert faultline_area("elicit.decline.2025") == "elicitation"
    assert faultline_area("unknown.req") == "other"


def test_no_disagreement() -> None:
    rows = by_area(compare([off("tools-call-with-progress", "SUCCESS"), off("tools-list", "SUCCESS")],
                           [fl("progress.monotonic", "PASS"), fl("progress.token.active", "NOT-OBSERVED")]))
    assert rows["progress"].disagreement == "-" and not rows["progress"].conflict
    assert rows["tools"].disagreement == "-"
    assert "conflicts (official FAIL, Faultline PASS): none" in format_table(list(rows.values()))


def test_official_fail_faultline_pass_is_a_conflict() -> None:
    rows = compare([off("tools-call-with-progress", "FAILURE"), off("tools-call-with-progress", "SUCCESS", "x")],
                   [fl("progress.monotonic", "PASS")])
    row = by_area(rows)["progress"]
    assert row.conflict and row.disagreement == CONFLICT and row.official_failed == ["tools-call-with-progress"]
    table = format_table(rows)
    assert CONFLICT in table and table.endswith("conflicts (official FAIL, Faultline PASS): progress")


def test_faultline_only_findings_are_listed() -> None:
    rows = by_area(compare([off("tools-call-elicitation", "SUCCESS")],
                           [fl("elicit.decline.2025", "FAIL"), fl("elicit.form.params", "PASS"),
                            fl("http.resume.no-gaps", "FAIL"), fl("http.resume.no-gaps", "FAIL"),
                            fl("http.sse.priming", "WARN")]))
    assert rows["elicitation"].disagreement == "Faultline only: elicit.decline.2025 (FAIL)"
    assert rows["resumability"].disagreement == \
        "Faultline only: http.resume.no-gaps (FAIL), http.sse.priming (WARN)"
    assert not any(r.conflict for r in rows.values())


def test_both_fail_official_only_and_other_revision() -> None:
    rows = by_area(compare([off("dns-rebinding-protection", "FAILURE"), off("tools-call-sampling", "FAILURE")],
                           [fl("http.origin.reject-403", "FAIL"),
                            fl("sampling.rejection", "PASS", revision="2026-07-28")]))
    assert rows["origin"].disagreement == "both fail"
    assert rows["sampling"].disagreement == "official only (Faultline does not look)"  # 2026 rows left out
    assert rows["sampling"].faultline["PASS"] == 0
