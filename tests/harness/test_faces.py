"""Every face of Faultline, run as a user runs it: no traceback at exit, ever (no "Traceback", no
asyncio "Exception in callback" or "Task was destroyed" on stderr), and a run ended by Ctrl-C (SIGINT)
or SIGTERM mid-run unwinds: exit 130 / 143, one line, and no process it started is left behind."""

from __future__ import annotations

import http.client
import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from survivors import descendants, groups_of, kill_all, listening, wait_for, wait_gone

from harness.cli import COMMANDS

PY = sys.executable
AGENTS = f"{shlex.quote(PY)} -m harness agents --port 0 --step-delay 0 --retry-ms 50"
NOISE = ("Traceback", "Exception in callback", "Task was destroyed", "Exception ignored", "was never awaited",
         "unclosed")


def clean(stderr: str) -> None:
    found = [n for n in NOISE if n in stderr]
    assert not found, f"{found} on stderr:\n{stderr[-4000:]}"


def faultline(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PY, "-m", "harness", *args], capture_output=True, text=True, timeout=timeout)


def as_from_a_terminal() -> None:
    """In the child before exec: SIGINT at its default, as a shell's foreground job has it. A test run started in
    the background (`pytest &`, a CI runner, an xdist worker of one) inherits SIGINT ignored, and Python then
    installs no KeyboardInterrupt handler: the Ctrl-C a user gives would not be what the face gets."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Running:
    """A face started in the background, its stdout and stderr going to files (read while it runs), with the
    signals a terminal's foreground job has."""

    def __init__(self, argv: list[str], tmp: Path, env: dict[str, str] | None = None) -> None:
        self.out, self.err = tmp / "stdout", tmp / "stderr"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         start_new_session=True, env={**os.environ, **(env or {})},
                                         preexec_fn=as_from_a_terminal)
        self.seen: list[int] = []  # every process seen below it
        self.groups: set[int] = set()  # and their process groups (each spawned server leads one)

    def stdout(self) -> str:
        return self.out.read_text(errors="replace")

    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def serving(self) -> list[int]:
        """The spawned servers below it that listen (each leads a session of its own); remembers every
        descendant seen, to look for afterwards."""
        below = descendants(self.proc.pid)
        self.seen = sorted(set(self.seen) | set(below))
        self.groups |= groups_of(below)
        return [p for p in below if p in self.groups and listening(p)]

    def end(self, sig: int, timeout: float = 60) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def cleanup(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        kill_all(self.seen)  # (a group whose leader is gone is found by its members' pids)


# -- no traceback at exit, for every face ------------------------------------------------------

@pytest.fixture(scope="module")
def a_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    done = faultline("run", "--spawn", AGENTS, "-k", "origin-403", "--out", str(out))
    return done, out


def test_run(a_run):
    done, out = a_run
    assert done.returncode == 0, done.stdout + done.stderr
    clean(done.stderr)


def test_check(a_run):
    _, out = a_run
    history = sorted((out / "histories").glob("*.jsonl"))[0]
    done = faultline("check", str(history))
    assert done.returncode == 0, done.stdout + done.stderr
    clean(done.stderr)


@pytest.mark.parametrize("argv", [["list"], ["list", "checks"], ["--help"], ["run", "--help"], [],
                                  ["run", "--target", "http://127.0.0.1:9/mcp", "-k", "origin-403"],
                                  ["run", "--spawn", "sh -c 'exit 4'"], ["fuzz", "--spawn", "nonexistent-xyz"]])
def test_quick_faces(argv):
    done = faultline(*argv, timeout=60)
    assert done.returncode in (0, 2, 3), done.stdout + done.stderr
    clean(done.stderr)
    if done.returncode == 3:
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_demo_one_scenario(tmp_path):
    done = faultline("demo", "-k", "origin-403", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    clean(done.stderr)


def test_fuzz_tiny_budget_then_replay(tmp_path):
    done = faultline("fuzz", "--spawn", AGENTS, "--time-budget", "3s", "--max-examples", "3", "--seed", "0",
                     "--out", str(tmp_path / "repros"))
    assert done.returncode == 0, done.stdout + done.stderr
    clean(done.stderr)
    repro = tmp_path / "repro.json"
    repro.write_text(json.dumps({"faultline_repro": 1, "spawn": AGENTS, "revision": "2025-11-25",
                                 "schedule": {"role": "progress"}, "failing": ["nothing"]}))
    again = faultline("replay", str(repro))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "does not reproduce" in again.stdout
    clean(again.stderr)


def test_orchestrate_demo():
    done = faultline("orchestrate", "--demo", "--step-delay", "0")
    assert done.returncode == 0, done.stdout + done.stderr
    clean(done.stderr)


@pytest.mark.skipif("discover" not in COMMANDS, reason="no `faultline discover` yet")
def test_discover():
    done = faultline("discover", "--spawn", AGENTS)
    assert done.returncode == 0, done.stdout + done.stderr
    clean(done.stderr)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_agents_briefly(tmp_path, sig):
    face = Running([PY, "-m", "harness", "agents", "--port", "0"], tmp_path)
    try:
        wait_for(lambda: "listening on http://" in face.stdout(), 20, "the agents' URL line")
        code = face.end(sig)
        assert code in (0, -sig, 128 + sig), face.stderr()
        clean(face.stderr())
    finally:
        face.cleanup()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_proxy_briefly_with_a_keep_alive_connection(tmp_path, sig):
    face = Running([PY, "-m", "harness", "proxy", "--port", "0"], tmp_path)
    try:
        line = wait_for(lambda: "Toxiproxy API on http://" in face.stdout() and face.stdout(), 20, "the API line")
        port = int(line.strip().rsplit(":", 1)[1])
        api = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # held open while the proxy stops
        api.request("POST", "/proxies", json.dumps({"name": "p", "upstream": "127.0.0.1:9"}))
        created = api.getresponse()
        assert created.status == 201 and created.read()
        api.request("GET", "/version")
        assert b"version" in api.getresponse().read()
        code = face.end(sig)
        assert code == 0, face.stderr()
        clean(face.stderr())
        api.close()
    finally:
        face.cleanup()


# -- ended by a signal mid-run: exit code, one line, nothing left ---------------------------------

FORKING_AGENTS = shlex.join(["sh", "-c", f"sleep 300 & exec {AGENTS}"])  # a server with a child in its group


def _face(name: str, tmp: Path) -> tuple[list[str], str, dict[str, str]]:
    """argv, the stderr text that says the run is under way, extra environment."""
    fl = [PY, "-m", "harness"]
    if name == "run":
        return fl + ["run", "--spawn", FORKING_AGENTS, "--out", str(tmp / "out")], "[1/", {}
    if name == "fuzz":
        return fl + ["fuzz", "--spawn", FORKING_AGENTS, "--time-budget", "300s", "--out", str(tmp / "r")], \
            "examples 1 ", {}
    if name == "demo":
        return fl + ["demo", "--out", str(tmp / "out")], "[1/", {}
    if name == "killmatrix":
        return [PY, "-m", "harness.killmatrix", "--quick", "-m", "replay-skip-first", "--json",
                str(tmp / "km.json")], "", {}
    return [PY, "-m", "benchmarks", "suite"], "", {}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("name", ["run", "fuzz", "demo", "bench", "killmatrix"])
def test_ended_by_a_signal_mid_run_leaves_nothing(tmp_path, name, sig):
    argv, under_way, env = _face(name, tmp_path)
    face = Running(argv, tmp_path, env)
    try:
        wait_for(face.serving, 60, "a spawned server listening")
        wait_for(lambda: under_way in face.stderr(), 60, f"{under_way!r} on stderr")
        face.serving()  # every descendant by now (the forked child too)
        assert face.seen
        code = face.end(sig)
        err = face.stderr()
        prog = {"bench": "benchmarks", "killmatrix": "killmatrix"}.get(name, "faultline")
        how = "interrupted" if sig == signal.SIGINT else "terminated"
        assert code == 128 + sig, err[-3000:]
        assert err.strip().splitlines()[-1] == f"{prog}: {how} ({signal.Signals(sig).name})", err[-3000:]
        clean(err)
        assert "You can reproduce" not in face.stdout()
        assert wait_gone(face.seen, face.groups) == []
    finally:
        face.cleanup()
