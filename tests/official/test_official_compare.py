"""The per-requirement comparison: agreement, the flagged conflict (official FAIL, Faultline PASS), the lists."""

from __future__ import annotations

import json
from typing import Any

from harness.official.__main__ import main as official_main
from harness.official.compare import CONFLICT, compare, faultline_status, format_comparison
from harness.official.results import OfficialCheck

REQS_2026 = {"mrtr.state.integrity", "mrtr.capability", "subs.ack-first", "http.origin.reject-403"}


def off(check_id: str, status: str, scenario: str = "s") -> OfficialCheck:
    return OfficialCheck(scenario=scenario, id=check_id, name=check_id, status=status)


def fl(requirement: str, status: str, revision: str = "2026-07-28") -> dict[str, Any]:
    return {"scenario": "x", "check": requirement, "requirement": requirement, "revision": revision,
            "status": status, "witness": []}


def rows(cmp: Any) -> dict[str, Any]:
    return {r.check: r for r in cmp.rows}


def test_agreement_coverage_and_faultline_only() -> None:
    cmp = compare([off("sep-2322-reject-tampered-state", "SUCCESS"), off("tools-list", "SUCCESS")],
                  [fl("mrtr.state.integrity", "PASS"), fl("subs.ack-first", "FAIL"),
                   fl("mrtr.state.integrity", "FAIL", "2025-11-25")], revision="2026-07-28", requirements=REQS_2026)
    r = rows(cmp)
    assert r["sep-2322-reject-tampered-state"].requirements == {"mrtr.state.integrity": "PASS"}
    assert r["sep-2322-reject-tampered-state"].disagreement == "-"
    assert r["tools-list"].disagreement == "not covered"
    assert cmp.covered == ["sep-2322-reject-tampered-state"] and cmp.not_covered == ["tools-list"]
    assert cmp.faultline_only == {"http.origin.reject-403": "NOT-RUN", "mrtr.capability": "NOT-RUN",
                                  "subs.ack-first": "FAIL"}
    text = format_comparison(cmp)
    assert "conflicts (official FAIL, Faultline PASS): none" in text
    assert "covered by Faultline 1, not covered 1, Faultline-only requirements 3" in text


def test_official_fail_faultline_pass_is_a_conflict() -> None:
    checks = [off("sep-2322-reject-tampered-state", "FAILURE", "a"), off("sep-2322-reject-tampered-state", "SUCCESS")]
    cmp = compare(checks, [fl("mrtr.state.integrity", "PASS"), fl("mrtr.state.integrity", "NOT-OBSERVED")],
                  revision="2026-07-28", requirements=REQS_2026)
    row = rows(cmp)["sep-2322-reject-tampered-state"]
    assert row.official == "FAILURE" and row.conflict and row.disagreement == CONFLICT and row.scenarios == ["a", "s"]
    assert cmp.conflicts == ["sep-2322-reject-tampered-state"]
    assert format_comparison(cmp).endswith("conflicts (official FAIL, Faultline PASS): sep-2322-reject-tampered-state")


def test_both_fail_official_only_and_faultline_only() -> None:
    cmp = compare([off("sep-2322-reject-tampered-state", "FAILURE"), off("sep-2322-respect-client-capabilities",
                   "FAILURE"), off("sep-2575-server-sends-subscription-ack", "WARNING"), off("brand-new", "SUCCESS")],
                  [fl("mrtr.state.integrity", "FAIL"), fl("mrtr.state.integrity", "PASS"),
                   fl("mrtr.capability", "NOT-OBSERVED"), fl("subs.ack-first", "ERROR")],
                  revision="2026-07-28", requirements=REQS_2026)
    r = rows(cmp)
    assert r["sep-2322-reject-tampered-state"].disagreement == "both fail"
    assert r["sep-2322-respect-client-capabilities"].disagreement == "official only (Faultline did not observe)"
    assert r["sep-2575-server-sends-subscription-ack"].disagreement == "both warn: subs.ack-first (ERROR)"
    assert compare([off("sep-2322-reject-tampered-state", "SUCCESS")], [fl("mrtr.state.integrity", "WARN")],
                   revision="2026-07-28", requirements=REQS_2026).rows[0].disagreement == \
        "Faultline only: mrtr.state.integrity (WARN)"
    assert compare([off("sep-2322-reject-tampered-state", "WARNING")], [fl("mrtr.state.integrity", "PASS")],
                   revision="2026-07-28", requirements=REQS_2026).rows[0].disagreement == "official warns only"
    assert r["brand-new"].unknown and r["brand-new"].disagreement == "not in the mapping table"
    assert not cmp.conflicts and "brand-new" in cmp.not_covered
    assert json.loads(json.dumps(cmp.to_json()))["checks"][0]["disagreement"]


def test_one_verdict_per_requirement() -> None:
    from collections import Counter
    assert faultline_status(Counter({"PASS": 3, "WARN": 1})) == "WARN"
    assert faultline_status(Counter({"PASS": 1, "NOT-OBSERVED": 5})) == "PASS"
    assert faultline_status(Counter({"NOT-APPLICABLE": 2})) == "NOT-APPLICABLE"
    assert faultline_status(Counter()) == "NOT-RUN"


def test_compare_needs_a_target(capsys: Any) -> None:
    try:
        official_main(["compare"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "--target" in capsys.readouterr().err
