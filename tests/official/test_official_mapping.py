"""The hand-kept official check → Faultline requirement table: registered ids only, every recorded check id."""

from __future__ import annotations

import json
from pathlib import Path

from harness.checks import all_checks
from harness.official.mapping import OFFICIAL_TO_FAULTLINE, covering

# check id -> scenarios that emitted it, per suite run (recorded against the agents' fixtures, issue 17)
RECORDED = json.loads((Path(__file__).parent / "data" / "official-check-ids.json").read_text(encoding="utf-8"))


def test_every_row_names_registered_requirements() -> None:
    registered = {c.requirement for c in all_checks()}
    for check_id, requirements in OFFICIAL_TO_FAULTLINE.items():
        assert set(requirements) <= registered, (check_id, set(requirements) - registered)
        assert len(set(requirements)) == len(requirements), check_id


def test_every_recorded_check_id_is_in_the_table() -> None:
    assert set(RECORDED) == {"0.1.16@2025-11-25", "0.2.0-alpha.12@2025-11-25", "0.2.0-alpha.12@2026-07-28"}
    seen = {check_id for run in RECORDED.values() for check_id in run}
    assert len(RECORDED["0.2.0-alpha.12@2026-07-28"]) == 137 and len(RECORDED["0.2.0-alpha.12@2025-11-25"]) == 60
    assert seen - set(OFFICIAL_TO_FAULTLINE) == set(), "add a row (mapped or NOT_COVERED) for each new check id"
    assert set(OFFICIAL_TO_FAULTLINE) - seen == set(), "a row for a check id no recorded run emits"


def test_covering_keeps_only_the_revisions_requirements() -> None:
    at = {rev: {c.requirement for c in all_checks() if rev in {r.value for r in c.revisions}}
          for rev in ("2025-11-25", "2026-07-28")}
    assert covering("server-sse-priming-event", at["2025-11-25"]) == ("http.sse.priming",)
    assert covering("server-sse-priming-event", at["2026-07-28"]) == ()  # priming is a 2025-11-25 rule
    assert covering("sep-2322-reject-tampered-state", at["2026-07-28"]) == ("mrtr.state.integrity",)
    assert covering("tools-list", at["2026-07-28"]) == ()
    assert covering("a-new-official-check", at["2026-07-28"]) is None


def test_some_checks_of_each_revision_are_covered_and_some_are_not() -> None:
    for label, ids in RECORDED.items():
        rev = label.split("@")[1]
        reqs = {c.requirement for c in all_checks() if rev in {r.value for r in c.revisions}}
        mapped = [i for i in ids if covering(i, reqs)]
        assert 3 <= len(mapped) < len(ids), (label, mapped)
