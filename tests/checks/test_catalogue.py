"""Every check carries a requirement id of the catalogue (../shared/notes/requirements.md) at its row's level, or
says in harness/checks/catalogue.py why not; those tables name no id a check does not carry, and no catalogue id.
tests/fixtures/catalogue-levels.tsv is the catalogue's (id, level) columns, so the test holds without ../shared; where
../shared is beside the clone (CI), the copy is held to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import harness.checks  # noqa: F401  (registers the checks)
import harness.load.checks  # noqa: F401  (the load workload's checks)
from harness.checks.catalogue import BEYOND_CATALOGUE, LEVEL_DEVIATIONS
from harness.checks.registry import registered

ROOT = Path(__file__).resolve().parents[2]
COPY = ROOT / "tests" / "fixtures" / "catalogue-levels.tsv"
SHARED = ROOT.parent / "shared" / "notes" / "requirements.md"
ROW = re.compile(r"^\| `([a-z0-9.\-]+)` \| ([^|]+?) \|")


def _levels() -> dict[str, str]:
    return dict(line.split("\t") for line in COPY.read_text().splitlines() if line)


def test_the_copy_is_the_catalogue() -> None:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is not beside the clone (CI puts it there)")
    rows = {m.group(1): m.group(2).strip() for line in SHARED.read_text().splitlines() if (m := ROW.match(line))}
    assert len(rows) == 147 and rows == _levels()


def test_every_check_carries_a_catalogue_id_at_its_level_or_says_why_not() -> None:
    levels = _levels()
    checks = registered()
    unexplained = sorted({c.requirement for c in checks if c.requirement not in levels} - set(BEYOND_CATALOGUE))
    assert not unexplained, f"requirement ids neither in the catalogue nor in BEYOND_CATALOGUE: {unexplained}"
    for c in checks:
        if c.requirement in levels and c.level != levels[c.requirement]:
            level, why = LEVEL_DEVIATIONS.get(c.requirement, ("", ""))
            assert level == c.level and why, (f"check {c.name}: level {c.level!r}, the catalogue's {c.requirement} "
                                              f"row says {levels[c.requirement]!r}, and LEVEL_DEVIATIONS has no reason")
    carried = {c.requirement for c in checks}
    assert not set(BEYOND_CATALOGUE) - carried, "BEYOND_CATALOGUE names ids no check carries"
    assert not set(BEYOND_CATALOGUE) & set(levels), "BEYOND_CATALOGUE names catalogue ids"
    assert set(LEVEL_DEVIATIONS) <= carried & set(levels)
    assert all(levels[r] != level for r, (level, _) in LEVEL_DEVIATIONS.items())
