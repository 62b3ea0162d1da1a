"""`faultline load` end to end, small: a few clients for a few seconds against the spawned reference agents
(clean: exit 0 with the figures; a concurrency mutant: exit 1 naming its requirement id; a SIGKILL in the
middle: 0 FAIL), and its usage errors as one line, exit 2. Hard timeouts on each."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from harness.cli import main as faultline

AGENTS = shlex.join([sys.executable, "-m", "harness", "agents", "--port", "0", "--step-delay", "0",
                     "--retry-ms", "50"])


def load(capsys, *extra: str, spawn: str = AGENTS, tmp_path=None) -> tuple[int, str]:
    argv = ["load", "--spawn", spawn, "--clients", "4", "--duration", "4", "--every", "60", *extra]
    if tmp_path is not None:
        argv += ["--out", str(tmp_path)]
    code = faultline(argv)
    return code, capsys.readouterr().out


@pytest.mark.timeout(120)
def test_clean_agents_pass_with_figures(capsys, tmp_path):
    code, out = load(capsys, tmp_path=tmp_path)
    assert code == 0, out
    for figure in ("calls ", "/s), resumes", "events ", "p50 ", "p99 ", "harness peak RSS", "peak open fds"):
        assert figure in out, (figure, out)
    assert "per-client checks: FAIL 0" in out and "PASS load.isolation" in out
    assert "load: no FAIL" in out


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mutant, requirement, run", [
    ("event-id-race", "http.sse.event-id-unique", ("--duration", "10", "--fail-fast")),
    ("store-drops-concurrent-append", "http.resume.no-gaps", ("--duration", "10", "--fail-fast")),
    # two sessions' effect calls must share a request id; the cache also hands a resumed stream another call's
    # events (http.resume.no-duplicates, per client), which --fail-fast would stop at before the cross-client check
    ("response-cache-by-request-id", "load.isolation", ("--duration", "4")),
])
def test_each_concurrency_mutant_is_caught(capsys, tmp_path, mutant, requirement, run):
    code, out = load(capsys, "--clients", "8", *run, "--seed", "1",
                     "--json", str(tmp_path / "load.json"), spawn=f"{AGENTS} --mutant {mutant}", tmp_path=tmp_path)
    assert code == 1, out
    assert f"FAIL {requirement}" in out
    report = json.loads((tmp_path / "load.json").read_text(encoding="utf-8"))  # what the corpus compares
    fails = [v for v in report["verdicts"] if v["status"] == "FAIL" and v["requirement"] == requirement]
    assert fails and all(v["revision"] == "2025-11-25" for v in fails)
    assert all(v["history"] is None or Path(v["history"]).is_file() for v in report["verdicts"])


@pytest.mark.timeout(180)
def test_a_sigkill_in_the_middle_loses_nothing(capsys, tmp_path):
    code, out = load(capsys, "--duration", "8", "--kill-at", "3", tmp_path=tmp_path)
    assert code == 0, out
    assert "target restarts 1" in out and "per-client checks: FAIL 0" in out


@pytest.mark.parametrize("extra, says", [
    (["--clients", "0"], "--clients is a whole number of clients (1..1000)"),
    (["--faults", "2"], "--faults is a rate between 0 and 1 (0..1)"),
    (["--revision", "2024-01-01"], "expected 2025-11-25 or 2026-07-28"),
    (["--duration", "5", "--kill-at", "9"], "must fall inside --duration"),
])
def test_usage_mistakes_are_one_line_exit_2(capsys, extra, says):
    assert faultline(["load", "--spawn", "true", *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and "\n" not in err


def test_kill_at_needs_spawn(capsys):
    assert faultline(["load", "--target", "http://127.0.0.1:9/mcp", "--kill-at", "3"]) == 2
    assert "--kill-at needs --spawn" in capsys.readouterr().err
