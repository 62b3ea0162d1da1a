"""The hostile matrix as a test: every behaviour × {resume, elicitation, progress, transport probe}
on 2025-11-25 (and elicitation on 2026-07-28) ends FAIL or ERROR within its scaled deadline, with a reason naming what it saw;
the runner never raises. A control row (`/mcp/ok`) shows the same assertions can see a PASS."""

from __future__ import annotations

import anyio
import pytest

from hostile.matrix import SEEN, Row, bound, cell_bound, configs, names_behaviour, reasons, run_matrix, table
from hostile.server import HOSTILE


@pytest.fixture(scope="module")
def matrix() -> dict[str, Row]:
    rows = anyio.run(lambda: run_matrix(HOSTILE + ["ok"]))
    print("\n" + table(rows))
    return rows


def test_every_behaviour_has_a_reason_pattern() -> None:
    assert set(SEEN) == set(HOSTILE)


@pytest.mark.parametrize("behaviour", HOSTILE)
def test_hostile_row(matrix: dict[str, Row], behaviour: str) -> None:
    row = matrix[behaviour]
    assert not row.crash, f"the harness raised against {behaviour}: {row.crash}"
    limit = bound(configs())
    assert row.wall <= limit, f"{behaviour}: row took {row.wall:.1f}s (bound {limit:.1f}s)"
    played = [r for r in row.results if r.status != "NOT-APPLICABLE"]
    assert played, f"{behaviour}: every cell NOT-APPLICABLE"
    for r in played:
        cell = f"{behaviour} × {r.scenario}@{r.revision}"
        assert r.status in ("FAIL", "ERROR"), f"{cell}: {r.status}\n{reasons(r)}"
        assert r.wall <= cell_bound(configs()[0]), f"{cell}: {r.wall:.1f}s"
        assert names_behaviour(behaviour, r), f"{cell}: no reason names {behaviour}:\n{reasons(r)}"


def test_control_row_passes(matrix: dict[str, Row]) -> None:
    """Against a correct progress tool the progress cell passes: the matrix can tell the difference."""
    row = matrix["ok"]
    assert not row.crash, row.crash
    progress = [r for r in row.results if r.scenario == "progress-latency-slicer"]
    assert progress and all(r.status == "PASS" for r in progress), [(r.revision, r.status, reasons(r))
                                                                    for r in progress]
