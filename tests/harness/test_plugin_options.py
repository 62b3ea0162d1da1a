"""The pytest plugin's `--faultline-strict` and `--faultline-expected-failures FILE`: the decision per
scenario (unit), then end to end against the reference agents and their mutants (one WARN, one FAIL)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.baseline import Expected
from harness.history import History, Verdict
from harness.pytest_plugin import _Settings, outcome
from harness.revisions import ALL
from harness.runner import ScenarioResult

AGENTS = f"{sys.executable} -m harness agents --port 0 --step-delay 0 --retry-ms 50"
R = "2025-11-25"


def result(*statuses: tuple[str, str]) -> ScenarioResult:
    vs = [Verdict(scenario="s", check=check, requirement=f"req.{check}", revision=R, level="MUST", status=status)
          for check, status in statuses]
    return ScenarioResult("s", R, vs, History(), 0.1)


def checks(verdicts: list[Verdict]) -> list[str]:
    return [v.check for v in verdicts]


def test_warn_fails_only_when_strict():
    r = result(("a", "PASS"), ("b", "WARN"), ("c", "FAIL"), ("d", "ERROR"))
    bad, known, stale = outcome(r, _Settings(ALL))
    assert checks(bad) == ["c", "d"] and not known and not stale
    bad, _, _ = outcome(r, _Settings(ALL, strict=True))
    assert checks(bad) == ["b", "c", "d"]


def test_listed_findings_are_expected_and_a_listed_pass_is_stale():
    baseline = [Expected("s", "b", None, "known SHOULD"), Expected("s", "c", R, "known bug"),
                Expected("s", "a", R, "fixed since")]
    bad, known, stale = outcome(result(("a", "PASS"), ("b", "WARN"), ("c", "FAIL")), _Settings(ALL, True, baseline))
    assert not bad and checks(known) == ["b", "c"] and [e.check for e in stale] == ["a"]
    other_revision = [Expected("s", "c", "2026-07-28", "elsewhere")]
    bad, known, _ = outcome(result(("c", "FAIL")), _Settings(ALL, expected=other_revision))
    assert checks(bad) == ["c"] and not known


def pytest_run(tmp_path, spawn: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--faultline-spawn", spawn,
                           "--faultline-revision", R, "--rootdir", str(tmp_path), *args, str(tmp_path)],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path)


@pytest.mark.timeout(300)
def test_strict_fails_a_warn(tmp_path):
    spawn = f"{AGENTS} --mutant notifications-on-get-stream"  # a SHOULD broken: http.post.related WARNs
    lenient = pytest_run(tmp_path, spawn, "-k", "get-stream-unrelated")
    assert lenient.returncode == 0 and "1 passed" in lenient.stdout, lenient.stdout[-3000:]
    strict = pytest_run(tmp_path, spawn, "-k", "get-stream-unrelated", "--faultline-strict")
    assert strict.returncode == 1, strict.stdout[-3000:]
    assert "WARN progress-on-request-stream [http.post.related, SHOULD]" in strict.stdout and "witness #" in strict.stdout


@pytest.mark.timeout(300)
def test_expected_failures_baseline(tmp_path):
    baseline = tmp_path / "baseline.yml"
    baseline.write_text(f"- {{scenario: origin-403, check: origin-403, revision: '{R}', reason: no Origin check}}\n")
    known = pytest_run(tmp_path, f"{AGENTS} --mutant no-origin-check", "-k", "origin-403",
                       "--faultline-expected-failures", str(baseline))
    assert known.returncode == 0 and "1 xfailed" in known.stdout, known.stdout[-3000:]
    stale = pytest_run(tmp_path, AGENTS, "-k", "origin-403", "--faultline-expected-failures", str(baseline))
    assert stale.returncode == 1, stale.stdout[-3000:]
    assert "stale expected failure (now passes): origin-403 origin-403" in stale.stdout


@pytest.mark.parametrize("content, needle", [(None, "No such file"), ("- {scenario: x}\n", "needs 'scenario' and 'check'"),
                                             ("[unclosed\n", "malformed YAML")])
def test_a_bad_baseline_is_one_usage_line(tmp_path, content, needle):
    path = tmp_path / "b.yml"
    if content is not None:
        path.write_text(content)
    r = pytest_run(tmp_path, AGENTS, "--faultline-expected-failures", str(path))
    assert r.returncode == 4, r.stdout + r.stderr
    assert f"--faultline-expected-failures {path}:" in r.stderr and needle in r.stderr and "Traceback" not in r.stderr
