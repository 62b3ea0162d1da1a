"""End to end: `faultline run --spawn` on the clean agents and on a mutant (exit codes, JSON, JUnit,
HTML), and the pytest plugin against a running reference agent and a mutant."""

from __future__ import annotations

import subprocess
import sys

import pytest
from report_support import load_report

AGENTS = f"{sys.executable} -m harness agents --port 0 --step-delay 0 --retry-ms 50"


def faultline(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.timeout(300)
def test_run_spawn_clean_exits_0_and_mutant_exits_1(tmp_path):
    clean = faultline("run", "--spawn", AGENTS, "-k", "session-isolation", "-k", "origin", "--json",
                      str(tmp_path / "c.json"), "--junit", str(tmp_path / "c.xml"), "--html", str(tmp_path / "c.html"),
                      "--out", str(tmp_path / "c"))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    rows = load_report(tmp_path / "c.json")["verdicts"]  # validated against docs/report.schema.json
    assert rows and {"scenario", "check", "requirement", "revision", "status", "witness", "targeted"} <= set(rows[0])
    assert "<testsuites" in (tmp_path / "c.xml").read_text()
    assert "<svg" in (tmp_path / "c.html").read_text()
    bad = faultline("run", "--spawn", f"{AGENTS} --mutant replay-cross-session", "-k", "session-isolation",
                    "--json", str(tmp_path / "m.json"), "--out", str(tmp_path / "m"))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    fails = [r for r in load_report(tmp_path / "m.json")["verdicts"] if r["status"] == "FAIL"]
    assert any(r["requirement"] == "http.resume.foreign-id" and r["witness"] for r in fails)


@pytest.mark.timeout(300)
def test_pytest_plugin_passes_clean_and_fails_mutant_with_witness(tmp_path):
    def pytest_run(spawn: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--faultline-spawn",
                               spawn, "--faultline-revision", "2025-11-25", "-k", "isolation or origin",
                               "--rootdir", str(tmp_path), str(tmp_path)],
                              capture_output=True, text=True, timeout=240, cwd=tmp_path)
    ok = pytest_run(AGENTS)
    assert ok.returncode == 0, ok.stdout[-3000:]
    assert "passed" in ok.stdout
    bad = pytest_run(f"{AGENTS} --mutant replay-cross-session")
    assert bad.returncode == 1, bad.stdout[-3000:]
    assert "http.resume.foreign-id" in bad.stdout and "witness #" in bad.stdout
