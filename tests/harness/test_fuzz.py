"""`faultline fuzz` end to end: it finds a mutant's bug, shrinks it, writes a repro that `faultline replay`
reproduces against the mutant and not against the clean agents."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from harness.cli import main
from harness.commands.replay import load_repro, reproduces
from harness.fuzz import fuzz
from harness.fuzz_io import write_repro
from harness.profiles import REFERENCE
from harness.revisions import ALL
from harness.runner import RunConfig
from harness.targets import SpawnTarget


def _agents(tmp: Path, mutant: str | None = None) -> str:
    """The agents on their default store: the scratch folder of each spawn (each fuzz worker's own)."""
    cmd = [sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0", "--retry-ms", "20"]
    return shlex.join(cmd + (["--mutant", mutant] if mutant else []))


def test_fuzz_finds_shrinks_and_replays_a_mutant(tmp_path: Path) -> None:
    cmd = _agents(tmp_path, "no-origin-check")
    config = RunConfig(scenarios=[], revisions=ALL, profile=REFERENCE)
    failures, stats = fuzz(SpawnTarget(cmd), config, max_examples=300, time_budget=90, seed_value=0,
                           stop_at_first=True, workers=2, remember=False)
    assert stats.workers == 2
    assert failures, f"no failure in {stats.examples} examples"
    f = failures[0]
    assert "http.origin.reject-403" in f.signature
    assert "origin" in f.schedule.probes and len(f.schedule.strikes) <= 3
    path = write_repro(f, SpawnTarget(cmd), config, 0, tmp_path / "repros")
    data = load_repro(path)
    assert data["failing"] == f.signature and data["history"] and data["schedule"]["probes"]
    # the role's calibration as the run measured it (the replay uses it instead of measuring again)
    assert data["calibration"] and {m["family"] for m in data["calibration"]} == {f.schedule.role}
    assert reproduces(data, SpawnTarget(cmd))  # against the mutant: still fails
    assert not reproduces(data, SpawnTarget(_agents(tmp_path)))  # against the clean agents: fixed
    assert main(["replay", str(path), "--spawn", _agents(tmp_path)]) == 0
    assert main(["replay", str(path)]) == 1


def test_replay_of_a_broken_file_is_a_usage_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "r.json"
    bad.write_text("{}")
    assert main(["replay", str(bad)]) == 2
    assert "not a Faultline repro" in capsys.readouterr().err


def test_an_undisturbed_schedule_sees_a_hang_after_the_calibrated_silence(tmp_path: Path) -> None:
    """A server that hangs once the client fails sampling is judged after QUIET_FLOOR s of silence (its sampling
    call's calibrated longest silence is milliseconds), not the client's READ_TIMEOUT of 10 s; a schedule with a
    fault keeps READ_TIMEOUT (a stall or a toxic may hold the stream that long on purpose)."""
    from harness.calibration import QUIET_FLOOR, READ_TIMEOUT, SILENCE_TAG
    from harness.fuzz import schedule_scenario
    from harness.fuzz_io import replay_once
    from harness.history import End
    from harness.revisions import Revision
    from scenarios.schedules import Schedule, Strike

    hang = Schedule(role="sampling", sampling="error")
    assert SILENCE_TAG in schedule_scenario(hang).tags
    assert SILENCE_TAG not in schedule_scenario(Schedule(role="sampling", strikes=(Strike("cut", k=2),))).tags
    assert SILENCE_TAG not in schedule_scenario(Schedule(role="sampling", probes=("task_cancel",))).tags
    config = RunConfig(scenarios=[], revisions=ALL, profile=REFERENCE)
    result = replay_once(SpawnTarget(_agents(tmp_path, "sampling-error-hangs")), config, hang, Revision.R2025)
    assert "sampling.rejection" in {v.requirement for v in result.verdicts if v.status in ("FAIL", "WARN")}
    waited = [r.detail for r in result.history if isinstance(r, End) and r.reason == "timeout"]
    assert waited and all(f"nothing within {QUIET_FLOOR:g}s" in d for d in waited), waited
    assert QUIET_FLOOR < READ_TIMEOUT


def test_a_lost_answer_gives_the_server_the_patience_then_judges_it(tmp_path: Path) -> None:
    """A schedule that loses the elicitation answer: the clean agents stop waiting on their own (here after 0.5 s)
    and answer the call, nothing FAILs or WARNs; the mutant that waits for ever WARNs http.post.eventually-response
    once the call's stream was silent for ANSWER_PATIENCE × time scale, and the call is not resumed."""
    from harness.fuzz_io import replay_once
    from harness.history import End, Request
    from harness.revisions import Revision
    from scenarios.schedules import ANSWER_PATIENCE, Schedule

    lost = Schedule(role="elicitation", elicitation="lost")
    config = RunConfig(scenarios=[], revisions=ALL, profile=REFERENCE, time_scale=0.5)
    clean = replay_once(SpawnTarget(_agents(tmp_path) + " --elicitation-timeout 0.5"), config, lost, Revision.R2025)
    bad = {v.requirement: v.status for v in clean.verdicts if v.status in ("FAIL", "WARN", "ERROR")}
    assert not bad, bad
    assert "http.post.eventually-response" in {v.requirement for v in clean.verdicts if v.status == "PASS"}
    assert any(isinstance(r, End) and r.reason == "error" for r in clean.history)  # the answer was lost, really
    hung = replay_once(SpawnTarget(_agents(tmp_path, "elicitation-waits-forever")), config, lost, Revision.R2025)
    got = {v.requirement: v.status for v in hung.verdicts}
    assert got["http.post.eventually-response"] == "WARN", got
    patience = ANSWER_PATIENCE * config.time_scale
    assert any(isinstance(r, End) and r.reason == "timeout" and f"nothing within {patience:g}s" in r.detail
               for r in hung.history)
    assert not [r for r in hung.history if isinstance(r, Request) and r.purpose == "resume"]
