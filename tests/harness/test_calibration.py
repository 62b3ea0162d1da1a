"""harness/calibration.py's bookkeeping, no server: families, the derived deadline's floor and ceiling,
which (family, revision) pairs a run calibrates, a failed family's reason, the derived read timeout, the measures in
a repro file; and one measure against a spawned mutant (a server_close call is not resumed)."""

from __future__ import annotations

import pytest

from harness.calibration import (
    CEILING,
    FACTOR,
    PER_EVENT,
    QUIET_FACTOR,
    QUIET_FLOOR,
    READ_TIMEOUT,
    SILENCE_TAG,
    TRANSPORT,
    Calibration,
    Measure,
    families,
    needed,
    scaled_deadline,
)
from harness.profiles import REFERENCE, Profile, Role
from harness.revisions import Revision
from scenarios.api import select

R25, R26 = Revision.R2025, Revision.R2026


def measure(family: str, duration: float, events: int, failure: str = "", rev: Revision = R25,
            gap: float = 0.0) -> Measure:
    return Measure(family, rev, f"role {family}'s tool `t`", duration, events, "eof", failure, gap)


def test_budget_is_factor_times_duration_plus_per_event() -> None:
    assert measure("progress", 2.0, 10).budget == pytest.approx(FACTOR * 2.0 + PER_EVENT * 10)


def test_deadline_floor_ceiling_and_time_scale() -> None:
    assert scaled_deadline(15, None, 2.0) == 30  # not calibrated: the scenario's own, scaled
    assert scaled_deadline(15, 1.0, 1.0) == 15  # floor: a fast server keeps the scenario's deadline
    assert scaled_deadline(15, 25.0, 1.0) == 25  # a slow one gets what it measured
    assert scaled_deadline(15, 500.0, 0.5) == CEILING * 0.5  # ceiling
    assert scaled_deadline(90, 500.0, 1.0) == 90  # a deadline above the ceiling is left as it is


def test_families() -> None:
    by = {s.name: s for s in select(["origin-403", "server-restart", "task-lifecycle", "resume-mid-event"])}
    assert families(by["origin-403"]) == (TRANSPORT,)
    assert set(families(by["server-restart"])) == {"elicitation", "progress"}
    assert families(by["task-lifecycle"]) == ()  # task roles are not calibrated
    assert families(by["resume-mid-event"]) == ("progress",)


def test_needed_follows_revisions_roles_and_preflight() -> None:
    chosen = select(["resume-mid-event", "elicitation-accept", "origin-403"])
    assert needed(chosen, (R25, R26), REFERENCE) == {("progress", R25), ("elicitation", R25), ("elicitation", R26),
                                                     (TRANSPORT, R25), (TRANSPORT, R26)}
    no_elicit = Profile("p", {"progress": Role("t")})
    assert ("elicitation", R25) not in needed(chosen, (R25,), no_elicit)  # NOT-APPLICABLE anyway
    skipped = needed(chosen, (R25,), REFERENCE, lambda sc, rev: sc.name != "resume-mid-event")
    assert ("progress", R25) not in skipped


def test_failure_and_budget_per_scenario() -> None:
    sc = select(["server-restart"])[0]  # roles elicitation + progress
    cal = Calibration({("progress", R25): measure("progress", 1.0, 5),
                       ("elicitation", R25): measure("elicitation", 4.0, 2)})
    assert cal.failure(sc, R25) is None
    assert cal.budget(sc, R25) == pytest.approx(FACTOR * 4.0 + PER_EVENT * 2)  # the slowest family
    assert cal.budget(sc, R26) is None
    cal.measures[("elicitation", R25)] = measure("elicitation", 20.0, 0, "calibration: ... did not finish")
    assert cal.failure(sc, R25) == "calibration: ... did not finish"
    assert "did not finish within" in cal.summary()


def test_quiet_only_for_tagged_scenarios_floor_ceiling() -> None:
    """The read timeout derives from the longest undisturbed silence only for a scenario tagged SILENCE_TAG (the
    fuzzer's undisturbed schedules); the suite's scenarios keep the client's READ_TIMEOUT."""
    import dataclasses

    plain = select(["server-restart"])[0]  # roles elicitation + progress
    tagged = dataclasses.replace(plain, tags=(SILENCE_TAG,))
    cal = Calibration({("progress", R25): measure("progress", 1.0, 5, gap=0.2),
                       ("elicitation", R25): measure("elicitation", 4.0, 2, gap=1.5)})
    assert cal.quiet(plain, R25) is None
    assert cal.quiet(tagged, R25) == pytest.approx(QUIET_FACTOR * 1.5)  # the family with the longest silence
    assert cal.quiet(tagged, R26) is None  # not measured at that revision
    cal.measures[("elicitation", R25)] = measure("elicitation", 4.0, 2, gap=0.01)
    assert cal.quiet(tagged, R25) == QUIET_FLOOR
    cal.measures[("elicitation", R25)] = measure("elicitation", 40.0, 2, gap=30.0)
    assert cal.quiet(tagged, R25) == READ_TIMEOUT
    cal.measures[("elicitation", R25)] = measure("elicitation", 20.0, 0, "calibration: ... did not finish")
    assert cal.quiet(tagged, R25) == QUIET_FLOOR  # a failed family measured nothing: the others decide


def test_measures_round_trip_through_a_repro_file() -> None:
    import json

    cal = Calibration({("progress", R25): measure("progress", 1.0, 5, gap=0.2),
                       ("sampling", R26): measure("sampling", 2.0, 3, rev=R26, gap=0.7)})
    again = Calibration.from_json(json.loads(json.dumps(cal.to_json())))
    assert again.measures == cal.measures
    assert [m["family"] for m in cal.to_json(("sampling",))] == ["sampling"]


def test_a_server_close_call_is_measured_to_its_close_not_resumed(tmp_path) -> None:
    """Calibration does not follow a stream the server closes on purpose: against a server whose resumes never end
    (the resume-never-ends mutant) the server_close role's measure has no failure (the scenarios judge the resumes;
    following, the resume's silence ERRORed every server_close scenario and fuzz example at once)."""
    import shlex
    import sys

    import anyio

    from harness.calibration import calibrate
    from harness.history import History
    from harness.targets import SpawnTarget

    cmd = shlex.join([sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0",
                      "--mutant", "resume-never-ends"])

    async def measured() -> Calibration:
        target = SpawnTarget(cmd)
        await target.start()
        try:
            return await calibrate(target.url, REFERENCE, {("server_close", R25)}, History(), time_scale=0.5)
        finally:
            await target.stop()

    m = anyio.run(measured).measures[("server_close", R25)]
    assert m.failure == "" and m.ended == "eof" and m.events >= 2, m
