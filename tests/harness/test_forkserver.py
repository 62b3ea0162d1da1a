"""The fork server (harness/forkserver.py): which commands it forks, that a forked target is a spawned
target in every way the harness relies on (its own session, its output, its exit code, SIGKILL, restart),
and that nothing outlives the harness, even SIGKILLed."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from survivors import kill_all, running, wait_for, wait_gone

from harness import forkserver
from harness.errors import HarnessError
from harness.process_group import ForkedProcess, GroupProcess
from harness.targets import SpawnTarget, check_reachable

pytestmark = pytest.mark.anyio
PY = sys.executable
SCRIPT = os.path.join(os.path.dirname(PY), "faultline")
AGENTS = [PY, "-m", "harness", "agents", "--port", "0", "--step-delay", "0"]


def test_own_commands_are_recognised():
    assert forkserver.own_args([PY, "-m", "harness", "agents", "--port", "0"]) == ["agents", "--port", "0"]
    if os.path.exists(SCRIPT):
        assert forkserver.own_args([SCRIPT, "agents"]) == ["agents"]
    assert forkserver.own_args([PY, "-m", "http.server"]) is None  # this python, another program
    assert forkserver.own_args([PY, "-c", "print(1)"]) is None
    assert forkserver.own_args(["sh", "-c", "faultline agents"]) is None  # a shell: exec'd as it is
    assert forkserver.own_args(["no-such-command-here", "agents"]) is None
    assert forkserver.own_args([]) is None


def test_interpreter_env_tells_zygotes_apart():
    base = {"PATH": "/bin", "PYTHONUNBUFFERED": "1", "FAULTLINE_SCRATCH": "/tmp/a"}
    assert forkserver.interpreter_env(base) == forkserver.interpreter_env({**base, "FAULTLINE_SCRATCH": "/tmp/b"})
    assert forkserver.interpreter_env(base) != forkserver.interpreter_env({**base, "PYTHONPATH": "/elsewhere"})


async def test_a_forked_target_serves_restarts_and_dies_by_sigkill():
    target = SpawnTarget(shlex.join(AGENTS))
    await target.start()
    try:
        proc = target.proc
        assert isinstance(proc, ForkedProcess)  # forked, not exec'd (FAULTLINE_FORK unset)
        assert os.getpgid(proc.pid) == proc.pid != os.getpgrp()  # a session and group of its own
        await check_reachable(target.url)
        first = proc.pid
        await target.restart()
        assert proc.exited.is_set() and proc.returncode == -9  # the SIGKILL, as the zygote reaped it
        assert target.proc is not None and target.proc.pid != first and not running(first)
        await check_reachable(target.url)
    finally:
        await target.stop()
    assert wait_gone([first, proc.pid]) == []


async def test_a_forked_command_that_fails_says_how():
    target = SpawnTarget(shlex.join([PY, "-m", "harness", "agents", "--mutant", "no-such-mutant"]))
    with pytest.raises(HarnessError, match=r"exited with code 2 before serving; last lines: .*unknown mutant"):
        await target.start()


async def test_faultline_fork_0_execs(monkeypatch):
    monkeypatch.setenv("FAULTLINE_FORK", "0")
    target = SpawnTarget(shlex.join(AGENTS))
    await target.start()
    try:
        assert isinstance(target.proc, GroupProcess)
    finally:
        await target.stop()


def test_nothing_outlives_a_sigkilled_harness(tmp_path: Path):
    out = tmp_path / "pids"
    script = textwrap.dedent(f"""
        import anyio, os
        from harness.targets import SpawnTarget
        from harness.forkserver import Zygote
        async def main():
            t = SpawnTarget({shlex.join(AGENTS)!r})
            await t.start()
            zygotes = [z.proc.pid for z in Zygote._running.values()]
            open({str(out)!r}, "w").write(" ".join(map(str, [t.proc.pid, *zygotes])))
            await anyio.sleep(120)
        anyio.run(main)
    """)
    harness = subprocess.Popen([PY, "-c", script], start_new_session=True)
    try:
        pids = wait_for(lambda: out.exists() and out.read_text().split(), 60, "the forked target")
        pids = [int(p) for p in pids]
        assert len(pids) == 2 and all(running(p) for p in pids)
        harness.kill()
        harness.wait(10)
        assert wait_gone(pids, {pids[0]}) == []  # the zygote saw its socket end; the kernel did the rest
    finally:
        harness.kill()
        harness.wait(10)
        if out.exists():
            kill_all([int(p) for p in out.read_text().split()])

