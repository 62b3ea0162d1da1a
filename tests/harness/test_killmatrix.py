"""The kill matrix as a test: every mutant FAILed (WARNed, for a SHOULD) with its expected
requirement; the clean reference agents by none, at both revisions (all scenarios). And the matrix,
the recorded fixture histories and the registry (reference_agents/mutants/) name the same mutants."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from harness.checks import all_checks
from harness.cli import main as faultline
from harness.killmatrix import EXPECTED, UNCAUGHT, concurrent_rows
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


# The live matrix in SHARDS tests (one per xdist worker of `nox -s tests` on 2 cores), each running its rows JOBS at
# a time: a row is mostly waiting (its spawned server starting, a hanging mutant's scaled deadline), and every row
# has its own server, store and proxy. Shard 0 starts with the clean agents (every scenario, the longest row).
SHARDS, JOBS = 2, 4
ROWS: list[str | None] = [None, *EXPECTED]


def test_the_shards_cover_the_clean_agents_and_every_mutant_once():
    shards = [ROWS[k::SHARDS] for k in range(SHARDS)]
    assert sorted(m for s in shards for m in s if m) == sorted(EXPECTED) and shards[0][0] is None
    assert len(EXPECTED) >= 44


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_mutant_is_killed_and_the_clean_agents_are_not(shard):
    rows = anyio.run(lambda: concurrent_rows(ROWS[shard::SHARDS], jobs=JOBS, quick=True, time_scale=0.25))
    clean = [r for r in rows if r.mutant == "(clean)"]
    assert all(r.fired == [] for r in clean), f"clean agents: {clean[0].fired}"
    missed = [(r.mutant, r.expected, r.fired) for r in rows if r.mutant != "(clean)" and not r.killed]
    assert not missed, missed
    assert len(rows) == len(ROWS[shard::SHARDS])
