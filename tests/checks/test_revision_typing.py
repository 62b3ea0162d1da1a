"""Checks take a `Revision`, never a string: the recorded revision is parsed once, an unknown one handled."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from harness.checks import run_checks
from harness.checks.model import Derived
from harness.history import History, Meta
from harness.revisions import Revision

GOOD = Path(__file__).parent.parent / "fixtures" / "histories" / "good"


def _with_revision(name: str, revision: str) -> History:
    records = [copy.deepcopy(r) for r in History.load(GOOD / f"{name}.jsonl").records]
    for r in records:
        if isinstance(r, Meta):
            r.revision = revision
    return History(records)


def test_derived_revision_is_the_enum_and_its_traits():
    d = Derived(History.load(GOOD / "resume-mid-event@2025-11-25.jsonl"))
    assert d.revision is Revision.R2025 and d.traits is Revision.R2025.traits


def test_an_unknown_revision_makes_every_check_not_applicable_and_nothing_raise():
    verdicts = run_checks(_with_revision("resume-mid-event@2025-11-25", "1999-01-01"))
    assert verdicts and {v.status for v in verdicts} == {"NOT-APPLICABLE"}
    assert all("'1999-01-01' is not one Faultline knows" in v.message for v in verdicts)
    assert {v.revision for v in verdicts} == {"1999-01-01"}  # the verdict keeps the label recorded


def test_a_history_without_a_known_revision_is_still_read_but_names_no_revision():
    d = Derived(_with_revision("resume-mid-event@2025-11-25", "1999-01-01"))  # the client's follow reads such
    assert d.calls
    with pytest.raises(ValueError, match="not one Faultline knows"):
        _ = d.revision
