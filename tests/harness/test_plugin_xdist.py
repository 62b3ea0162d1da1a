"""The pytest plugin under pytest-xdist: `pytest -n 2 --faultline-spawn CMD` spreads the scenario tests over two
workers, each with a target of its own (the command runs once per worker), passes on the clean agents and fails
on a mutant with the witness in the failure text; the restart scenarios carry the xdist_group that
`--dist loadgroup` keeps on one worker."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from harness.pytest_plugin import RESTART_GROUP, restarts_target
from scenarios.api import all_scenarios

AGENTS = f"{shlex.quote(sys.executable)} -m harness agents --port 0 --step-delay 0 --retry-ms 50"


def pytest_in(folder: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(folder),
                           *args, str(folder)], capture_output=True, text=True, timeout=timeout, cwd=folder)


def logging_spawn(log: Path, agents: str) -> str:
    """The agents command, writing the xdist worker it was started by to `log` first (one line per start)."""
    return shlex.join(["sh", "-c", f'echo "$PYTEST_XDIST_WORKER" >> {shlex.quote(str(log))}; exec {agents}'])


@pytest.mark.timeout(300)
def test_two_workers_each_spawn_a_target_pass_clean_and_fail_a_mutant_with_its_witness(tmp_path):
    log = tmp_path / "spawned-by"
    ok = pytest_in(tmp_path, "-n", "2", "-v", "--faultline-spawn", logging_spawn(log, AGENTS),
                   "--faultline-revision", "2025-11-25", "-k", "isolation or origin")
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-2000:]
    ran_on = set(re.findall(r"\[(gw\d)\] \[ *\d+%\] (?:PASSED|SKIPPED) ", ok.stdout))
    assert ran_on == {"gw0", "gw1"}, ok.stdout[-3000:]
    assert sorted(log.read_text().split()) == ["gw0", "gw1"]  # one target per worker, started once each
    bad = pytest_in(tmp_path, "-n", "2", "--faultline-spawn", f"{AGENTS} --mutant replay-cross-session",
                    "--faultline-revision", "2025-11-25", "-k", "isolation or origin")
    assert bad.returncode == 1, bad.stdout[-3000:] + bad.stderr[-2000:]
    assert re.search(r"FAILED \S*faultline::session-isolation@2025-11-25", bad.stdout), bad.stdout[-3000:]
    assert "http.resume.foreign-id" in bad.stdout and "witness #" in bad.stdout, bad.stdout[-3000:]


MARKS_CONFTEST = '''
def pytest_collection_finish(session):
    with open("marks.txt", "w") as out:
        for item in session.items:
            groups = [m.args[0] for m in item.iter_markers("xdist_group")]
            out.write(f"{item.name} {' '.join(groups) or '-'}\\n")
'''


def test_the_restart_scenarios_and_only_they_are_one_xdist_group(tmp_path):
    (tmp_path / "conftest.py").write_text(MARKS_CONFTEST)
    done = pytest_in(tmp_path, "--collect-only", "-q", "--strict-markers", "--faultline-target",
                     "http://127.0.0.1:9/mcp", timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    marks = dict(line.split(" ", 1) for line in (tmp_path / "marks.txt").read_text().splitlines())
    grouped = {name.split("::")[1].split("@")[0] for name, group in marks.items() if group == RESTART_GROUP}
    assert grouped == {s.name for s in all_scenarios() if restarts_target(s)}
    assert {"server-restart", "resource-restart", "task-restart-each-step", "task-input-restart"} <= grouped
    assert set(marks.values()) == {RESTART_GROUP, "-"}
