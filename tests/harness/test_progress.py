"""Long jobs are never silent: the kill matrix says each row as it starts and ends, with what is left, and a
heartbeat line fills any silence longer than its interval (a CI log sees a line at least every 10 s)."""

from __future__ import annotations

import io
import threading
import time

import anyio

from harness import killmatrix
from harness.heartbeat import HEARTBEAT_S, Heartbeat, duration
from harness.killmatrix import Now, estimate, matrix


def test_heartbeat_fills_silences_only():
    out = io.StringIO()
    quiet = threading.Event()
    with Heartbeat(lambda: "beat", every=0.1, stream=out) as hb:
        for _ in range(10):  # talking more often than `every`: no beat
            hb.say("work")
            time.sleep(0.02)
        talked = out.getvalue()
        quiet.wait(0.45)  # silent for ~4 intervals
    lines = out.getvalue().splitlines()
    assert "beat" not in talked
    assert 3 <= lines.count("beat") <= 5, lines
    assert HEARTBEAT_S < 10


def test_no_heartbeat_when_asked_none():
    out = io.StringIO()
    with Heartbeat(lambda: "beat", every=None, stream=out) as hb:
        hb.say("only this")
        threading.Event().wait(0.2)
    assert out.getvalue() == "only this\n"


def test_durations_read_like_a_person_says_them():
    assert [duration(s) for s in (4.4, 59.6, 65, 3725)] == ["4s", "1 min 00 s", "1 min 05 s", "1 h 02 min"]


def test_estimate_from_the_rows_so_far():
    assert estimate([10.0, 20.0], 4, None) == "4 mutants left, about 1 min 00 s"
    assert estimate([], 3, 40.0) == "3 mutants left, about 2 min 00 s"  # before any: the clean run's time
    assert estimate([], 3, None) == "3 mutants left"
    assert estimate([5.0], 0, None) == "none left"


def test_the_matrix_says_every_row_with_whats_left_and_beats_while_one_runs(monkeypatch):
    async def fake_run_against(mutant, patterns, *, time_scale=1.0, now: Now | None = None, scenarios=None):
        assert now is not None
        now.runs, now.current = 2, "slow-scenario@2025-11-25"
        await anyio.sleep(0.35 if mutant == "no-priming" else 0.05)  # a mutant that takes several beats
        now.done = 2
        return []

    monkeypatch.setattr(killmatrix, "run_against", fake_run_against)
    out = io.StringIO()
    clean, rows = anyio.run(lambda: matrix(["close-without-retry", "no-priming"], quick=True, every=0.1, out=out))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("kill matrix: the clean agents, then 2 mutant(s)")
    assert "[1/2] close-without-retry: running" in lines[lines.index("[clean] the clean agents: every scenario") + 2]
    ends = [ln for ln in lines if ln.startswith("[") and " in " in ln and "left" in ln]
    assert any(ln.startswith("[1/2] close-without-retry: NOT KILLED in 0s (nothing fired); 1 mutant left, about")
               for ln in ends), lines
    assert any(ln.startswith("[2/2] no-priming: NOT KILLED") and ln.endswith("none left") for ln in ends), lines
    beats = [ln for ln in lines if ln.startswith("  ... [2/2] no-priming:")]
    assert beats and "0/2 scenario runs done, now slow-scenario@2025-11-25" in beats[0], lines
    assert [r.mutant for r in rows] == ["close-without-retry", "no-priming"]
