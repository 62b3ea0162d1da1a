"""The kill matrix as a test: every mutant FAILed (WARNed, for a SHOULD) with its expected
requirement; the clean reference agents by none, at both revisions (all scenarios). And the matrix,
the recorded fixture histories and the registry (reference_agents/mutants/) name the same mutants."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from harness.checks import all_checks
from harness.cli import main as faultline
from harness.killmatrix import BY_LOAD, EXPECTED, UNCAUGHT, CleanSlice, concurrent_rows
from harness.killmatrix import main as killmatrix
from reference_agents.mutants import REGISTRY
from scenarios.api import all_scenarios

BAD = Path(__file__).parent.parent / "fixtures" / "histories" / "bad"


def test_every_registered_mutant_is_in_the_kill_matrix():
    assert set(EXPECTED) | set(UNCAUGHT) == set(REGISTRY) and not set(EXPECTED) & set(UNCAUGHT)
    # a new uncaught mutant is a decision, not a default (issue 17: list-change-silent is now killed by the
    # list_change role's tools-list-changed scenario)
    assert set(UNCAUGHT) == {"duplicate-id-accepted"}
    requirements = {c.requirement for c in all_checks()}
    scenarios = [s.name for s in all_scenarios()]
    for name, (expected, fragments) in EXPECTED.items():
        assert expected and set(expected) <= requirements, (name, set(expected) - requirements)
        assert all(any(f in s for s in scenarios) for f in fragments), (name, fragments)


def test_every_bad_fixture_history_names_a_registered_mutant():
    named = {p.name.split("@")[0] for p in BAD.glob("*.jsonl")}
    assert named, "no recorded bad histories"
    assert named <= set(REGISTRY), named - set(REGISTRY)
    assert named == set(EXPECTED), set(EXPECTED) ^ named


@pytest.mark.parametrize("argv", [["agents", "--mutant", "no-such"], ["demo", "--mutant", "no-such"]])
def test_an_unknown_mutant_is_one_line_exit_2(argv, capsys):
    assert faultline(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown mutant 'no-such'; known: close-without-retry, " in err and "\n" not in err


def test_killmatrix_refuses_unknown_and_uncaught_mutants(capsys):
    assert killmatrix(["-m", "no-such"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("killmatrix: unknown mutant 'no-such'; known: ") and "\n" not in err
    assert killmatrix(["-m", "duplicate-id-accepted"]) == 2
    assert "not in the matrix: no check can" in capsys.readouterr().err


def test_list_mutants_prints_the_registry(capsys):
    assert faultline(["list", "mutants"]) == 0
    out = capsys.readouterr().out
    for m in REGISTRY.values():
        assert f"  {m.name:<36} hook={m.hook}\n      {m.description}\n" in out
    assert "caught by http.resume.no-gaps | http.resume.order in resume-each-boundary" in out
    assert "uncaught: no check can" in out


# The live matrix in SHARDS tests (dealt to two of the three xdist workers of `nox -s tests` on 2 cores; the hostile
# matrix, as long, goes to the third), each running its rows JOBS at
# a time: a row is mostly waiting (its spawned server starting, a hanging mutant's scaled deadline), and every row
# has its own server, store and proxy. The clean agents' row (every scenario at both revisions, 138 s of the 142 s
# shard it headed) is cut into CLEAN_SLICES parts, dealt first to the shards, so no shard waits on one long row.
SHARDS, JOBS, CLEAN_SLICES = 2, 4, 4
ROWS: list[str | CleanSlice | None] = [*(CleanSlice(k, CLEAN_SLICES) for k in range(CLEAN_SLICES)), *EXPECTED]


def test_the_shards_cover_the_clean_agents_and_every_mutant_once():
    shards = [ROWS[k::SHARDS] for k in range(SHARDS)]
    assert sorted(m for s in shards for m in s if isinstance(m, str)) == sorted(EXPECTED)
    assert len(EXPECTED) >= 44
    slices = [m for s in shards for m in s if isinstance(m, CleanSlice)]
    assert all(isinstance(s[0], CleanSlice) for s in shards) and {m.index for m in slices} == set(range(CLEAN_SLICES))
    played = [sc.name for m in slices for sc in m.scenarios()]
    assert sorted(played) == sorted(sc.name for sc in all_scenarios())  # every scenario once, against the clean agents
    assert BY_LOAD  # and slice 0 runs the clean agents under `faultline load` (concurrent_rows)


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_mutant_is_killed_and_the_clean_agents_are_not(shard):
    rows = anyio.run(lambda: concurrent_rows(ROWS[shard::SHARDS], jobs=JOBS, quick=True, time_scale=0.25))
    clean = [r for r in rows if r.mutant.startswith("(clean")]
    assert len(clean) == CLEAN_SLICES // SHARDS
    assert all(r.fired == [] for r in clean), [(r.mutant, r.fired, r.where) for r in clean if r.fired]
    missed = [(r.mutant, r.expected, r.fired) for r in rows if not r.mutant.startswith("(clean") and not r.killed]
    assert not missed, missed
    assert len(rows) == len(ROWS[shard::SHARDS])
