"""Unit tests of the runner's small parts: profiles, baselines, schedules, CLI usage errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from harness.baseline import Expected, judge, load_expected
from harness.cli import main
from harness.commands.fuzz import parse_duration
from harness.errors import UsageError
from harness.history import History, Verdict
from harness.profiles import REFERENCE, load_profile
from harness.revisions import Revision, parse
from harness.runner import ScenarioResult
from scenarios.api import select
from scenarios.schedules import Schedule
from scenarios.strategies import schedules


def _result(scenario: str, status: str, check: str = "c") -> ScenarioResult:
    v = Verdict(scenario=scenario, check=check, requirement="r", revision="2025-11-25", level="MUST", status=status)
    return ScenarioResult(scenario, "2025-11-25", [v], History(), 0.1)


def test_profiles_builtin_and_file(tmp_path):
    assert load_profile("reference") is REFERENCE
    p = tmp_path / "p.yaml"
    p.write_text("name: mine\nroles:\n  progress: {tool: slow, arguments: {n: 3}}\n")
    prof = load_profile(str(p))
    assert prof.name == "mine" and prof.role("progress").tool == "slow" and prof.role("sampling") is None
    bad = tmp_path / "bad.yaml"
    bad.write_text("roles: [1, 2]\n")
    with pytest.raises(UsageError, match="roles"):
        load_profile(str(bad))
    with pytest.raises(UsageError, match="unknown profile"):
        load_profile(str(tmp_path / "missing.yaml"))


def test_baseline_known_new_and_stale(tmp_path):
    f = tmp_path / "x.yml"
    f.write_text("- {scenario: a, check: c, reason: known bug}\n- {scenario: b, check: c, reason: fixed now}\n")
    expected = load_expected(f)
    assert expected[0] == Expected("a", "c", None, "known bug")
    j = judge([_result("a", "FAIL"), _result("b", "PASS"), _result("z", "FAIL")], expected)
    assert [k[0] for k in j.expected_failures] == ["a"]
    assert [k[0] for k in j.new_failures] == ["z"]
    assert [e.scenario for e in j.stale] == ["b"]
    assert not j.ok


@pytest.mark.parametrize("text,match", [("- {scenario: a}\n", "needs 'scenario' and 'check'"),
                                        ("- {scenario: a, check: c}\n", "reason"),
                                        ("{a: [\n", "malformed YAML"), ("a: 1\n", "list")])
def test_baseline_malformed(tmp_path, text, match):
    f = tmp_path / "x.yml"
    f.write_text(text)
    with pytest.raises(UsageError, match=match):
        load_expected(f)


def test_revisions_and_selection():
    assert parse("all") == (Revision.R2025, Revision.R2026)
    with pytest.raises(ValueError, match="unknown revision"):
        parse("2024-01-01")
    assert {s.name for s in select(["resume-unknown"])} == {"resume-unknown-id"}
    with pytest.raises(ValueError, match="no scenario matches"):
        select(["no-such-scenario"])


def test_durations():
    assert parse_duration("60s") == 60 and parse_duration("2m") == 120 and parse_duration("500ms") == 0.5
    with pytest.raises(UsageError):
        parse_duration("soon")


@settings(max_examples=50, deadline=None)
@given(schedules(Revision.R2025, ["progress", "elicitation"], can_restart=True))
def test_schedules_roundtrip_json(schedule):
    again = Schedule.from_json(json.loads(json.dumps(schedule.to_json())))
    assert again == schedule
    assert len(schedule.strikes) <= 3 and schedule.describe()


@pytest.mark.parametrize("argv,code,needle", [
    (["run"], 2, "one of the arguments --target --spawn is required"),
    (["run", "--target", "ftp://x"], 2, "not an http(s) URL"),
    (["run", "--target", "http://127.0.0.1:9/mcp", "-k", "nope-nope"], 2, "no scenario matches"),
    (["run", "--target", "http://127.0.0.1:9/mcp", "--revision", "1999"], 2, "unknown revision"),
    (["run", "--target", "http://127.0.0.1:9/mcp", "--expected-failures", "/nonexistent.yml"], 2, "No such file"),
    (["frobnicate"], 2, "invalid choice"),
])
def test_cli_usage_errors_are_one_line(capsys, argv, code, needle):
    assert main(argv) == code
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_unreachable_target_is_harness_error(capsys):
    assert main(["run", "--target", "http://127.0.0.1:9/mcp", "-k", "origin-403"]) == 3
    err = capsys.readouterr().err
    assert "unreachable" in err and "Traceback" not in err


def test_cli_spawn_that_dies(capsys):
    assert main(["run", "--spawn", "python3 -c 'raise SystemExit(4)'", "-k", "origin-403"]) == 3
    err = capsys.readouterr().err
    assert "exited with code 4" in err and "Traceback" not in err
