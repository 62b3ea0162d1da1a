"""The kill matrix as a test: every mutant FAILed (WARNed, for a SHOULD) with its expected
requirement; the clean reference agents by none, at both revisions (all scenarios)."""

from __future__ import annotations

import anyio
import pytest

from harness.killmatrix import EXPECTED, matrix


@pytest.mark.timeout(600)
def test_every_mutant_is_killed_and_the_clean_agents_are_not():
    clean, rows = anyio.run(lambda: matrix(list(EXPECTED), quick=True, time_scale=0.25))
    assert clean.fired == [], f"clean agents: {clean.fired}"
    missed = [(r.mutant, r.expected, r.fired) for r in rows if not r.killed]
    assert not missed, missed
    assert len(rows) >= 18
