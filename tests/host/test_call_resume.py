"""The acceptance of #19: `faultline call ... --state s.json --yes` killed with SIGKILL after its third progress
notification, then `faultline call --resume s.json --yes`, delivers the rest of the progress and the result
exactly once and exits 0 against the reference agents; against the `replay-skip-first` mutant the same exits 1
naming http.resume.no-gaps (and its `--repro` file replays the failure). The agents take 0.15 s a step (--step-delay), so the kill lands mid-call."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import pytest
from host_terminal import FAULTLINE, wait_until

STEPS = 20
PROGRESS = re.compile(r"^progress (\d+)/20\b", re.M)


def killed_then_resumed(url: str, cwd: Path, *resume_args: str) -> tuple[str, subprocess.CompletedProcess[str]]:
    first_out = cwd / "first.out"
    with open(first_out, "w") as out:
        first = subprocess.Popen([*FAULTLINE, "call", "--target", url, "long_running_agent", "--args",
                                  json.dumps({"steps": STEPS}), "--state", "s.json", "--yes"], cwd=cwd,
                                 stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            wait_until(lambda: len(PROGRESS.findall(first_out.read_text())) >= 3 or first.poll() is not None, 60,
                       "the third progress notification")
            assert first.poll() is None, f"the call ended before it was killed:\n{first_out.read_text()}"
            first.send_signal(signal.SIGKILL)
        finally:
            if first.poll() is None:
                first.kill()
            first.wait(10)
    assert first.returncode == -signal.SIGKILL
    second = subprocess.run([*FAULTLINE, "call", "--resume", "s.json", "--yes", *resume_args], cwd=cwd, capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL)
    return first_out.read_text(), second


def test_kill_9_then_resume_delivers_the_rest_exactly_once(agents, tmp_path: Path) -> None:
    server = agents("--step-delay", "0.15")
    before, after = killed_then_resumed(server.url, tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    seen = [int(n) for n in PROGRESS.findall(before)] + [int(n) for n in PROGRESS.findall(after.stdout)]
    assert seen == list(range(1, STEPS + 1)), seen  # each step once, in order, across the kill
    assert after.stdout.count("result: Completed 20 steps.") == 1
    assert "resuming long_running_agent" in after.stdout and "from event" in after.stdout
    assert re.search(r"PASS\s+replay-no-gap\s+http.resume.no-gaps", after.stdout), after.stdout
    state = json.loads((tmp_path / "s.json").read_text())
    assert state["done"] is True and state["session_id"] and state["last_event_id"]


def test_the_replay_skip_first_mutant_is_named(agents, tmp_path: Path) -> None:
    server = agents("--step-delay", "0.15", "--mutant", "replay-skip-first")
    _, after = killed_then_resumed(server.url, tmp_path, "--repro", "r.json")
    assert after.returncode == 1, after.stdout + after.stderr
    assert re.search(r"FAIL\s+replay-no-gap\s+http.resume.no-gaps", after.stdout), after.stdout
    # the call as a repro: `faultline replay` plays it again (the kill as a cut) and the gap is there again
    replay = subprocess.run([*FAULTLINE, "replay", "r.json"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL)
    assert replay.returncode == 1 and "reproduces: http.resume.no-gaps" in replay.stdout, replay.stdout + replay.stderr


def test_a_task_is_re_polled_after_a_kill_at_2026(agents, tmp_path: Path) -> None:
    server = agents()
    log = tmp_path / "first.out"
    with open(log, "w") as out:
        first = subprocess.Popen([*FAULTLINE, "call", "--target", server.url, "--revision", "2026-07-28", "--task",
                                  "long_running_agent", "--args", json.dumps({"steps": STEPS, "step_ms": 150}),
                                  "--state", "s.json", "--yes"], cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        try:
            wait_until(lambda: "runs the call as task" in log.read_text(), 60, "the task's id")
            first.send_signal(signal.SIGKILL)
        finally:
            first.kill()
            first.wait(10)
    task_id = json.loads((tmp_path / "s.json").read_text())["task_id"]
    after = subprocess.run([*FAULTLINE, "call", "--resume", "s.json", "--yes"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert after.returncode == 0, after.stdout + after.stderr
    assert f"re-polling task {task_id}" in after.stdout and f"task {task_id}: completed" in after.stdout
    assert after.stdout.count("result: Completed 20 steps.") == 1, after.stdout


@pytest.mark.parametrize("argv, message", [
    (["--resume", "missing.json"], "no such state file"),
    (["--target", "http://127.0.0.1:9/mcp", "t", "--args", "{nope"], "--args: not JSON"),
    (["--target", "http://127.0.0.1:9/mcp", "t", "--arg", "steps"], "expected NAME=VALUE"),
    (["--target", "http://127.0.0.1:9/mcp", "t", "--elicit", "maybe"], "--elicit 'maybe'"),
    (["--target", "http://127.0.0.1:9/mcp", "t", "--sampling-model", "m"], "goes with --sampling-endpoint"),
    (["t"], "give --target URL or --spawn CMD"),
])
def test_a_user_mistake_is_one_line_and_exit_2(tmp_path: Path, argv: list[str], message: str) -> None:
    out = subprocess.run([*FAULTLINE, "call", *argv, "--yes"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 2, out.stdout + out.stderr
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr


def test_unknown_tool_and_bad_arg_against_a_server_are_one_line_and_exit_2(agents, tmp_path: Path) -> None:
    server = agents()
    for argv, message in ((["no_such_tool"], "unknown tool 'no_such_tool' (the server has: "),
                          (["long_running_agent", "--arg", "steps=many"], "--arg steps=many:"),
                          (["long_running_agent"], "missing required argument(s) steps")):
        out = subprocess.run([*FAULTLINE, "call", "--target", server.url, *argv, "--yes"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert out.returncode == 2, out.stdout + out.stderr
        assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
