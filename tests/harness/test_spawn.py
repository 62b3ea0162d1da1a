"""`--spawn` that always works: the URL from stdout or stderr or `--url`, the port waited for, and the
spawned process group gone after a failed start, a stop and a restart (each command here forks a
child into its group, and the test looks for it by pid and by process group afterwards)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from survivors import free_port, kill_all, running, survivors

from harness.errors import HarnessError, UsageError
from harness.targets import SpawnTarget, check_reachable, url_in

pytestmark = pytest.mark.anyio
PY = shlex.quote(sys.executable)


def agents(port: int) -> str:
    return f"{PY} -m harness agents --port {port} --step-delay 0 --retry-ms 50"


def forking(script: str, pids: Path) -> str:
    """A shell that first forks a long sleep into its process group and writes both pids to `pids`."""
    return shlex.join(["sh", "-c", f"sleep 300 & echo $! > {shlex.quote(str(pids))}; "
                                   f"echo $$ >> {shlex.quote(str(pids))}; {script}"])


def pids_in(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()]


@pytest.fixture
def pidfile(tmp_path):
    path = tmp_path / "pids"
    yield path
    if path.exists():
        kill_all(pids_in(path))


def test_url_in_a_line():
    assert url_in("INFO listening on http://127.0.0.1:8000/mcp") == "http://127.0.0.1:8000/mcp"
    assert url_in("\x1b[1mhttp://127.0.0.1:8000/mcp\x1b[0m (Press CTRL+C)") == "http://127.0.0.1:8000/mcp"
    assert url_in("server at 'http://localhost:9/mcp'.") == "http://localhost:9/mcp"
    assert url_in("MCP Streamable HTTP Server listening on port 3001") is None


def test_prints_url_a_second_before_it_listens(pidfile, tmp_path):
    port = free_port()
    cmd = forking(f"echo listening on http://127.0.0.1:{port}/mcp; sleep 1; exec {agents(port)}", pidfile)
    run = subprocess.run([sys.executable, "-m", "harness", "run", "--spawn", cmd, "-k", "origin-403",
                          "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "origin-403@2025-11-25  PASS" in run.stdout
    assert survivors(pids_in(pidfile)) == []


async def test_url_on_stderr(pidfile):
    port = free_port()
    t = SpawnTarget(forking(f"exec {agents(port)} 1>&2", pidfile), startup_timeout=20)
    await t.start()
    try:
        assert t.url == f"http://127.0.0.1:{port}/mcp"
    finally:
        await t.stop()
    assert survivors(pids_in(pidfile)) == []


async def test_url_given_for_a_server_that_prints_none(pidfile):
    port = free_port()
    cmd = forking(f"echo MCP Streamable HTTP Server listening on port {port}; exec {agents(port)} >/dev/null",
                  pidfile)
    with pytest.raises(HarnessError, match="printed no URL"):  # a port number alone is not a URL
        await SpawnTarget(cmd, startup_timeout=3).start()
    assert survivors(pids_in(pidfile)) == []
    t = SpawnTarget(cmd, url=f"http://127.0.0.1:{port}/mcp", startup_timeout=20)
    await t.start()
    try:
        await check_reachable(t.url, timeout=2)
    finally:
        await t.stop()
    assert survivors(pids_in(pidfile)) == []


async def test_a_command_that_dies_is_one_line_and_leaves_nothing(pidfile):
    with pytest.raises(HarnessError) as err:
        await SpawnTarget(forking("echo starting; echo no config >&2; exit 3", pidfile), startup_timeout=20).start()
    msg = str(err.value)
    assert "exited with code 3 before serving; last lines: starting | no config" in msg and "\n" not in msg
    assert survivors(pids_in(pidfile)) == []


async def test_a_command_that_dies_silently(pidfile):
    with pytest.raises(HarnessError, match=r"exited with code 7 before serving; printed nothing$"):
        await SpawnTarget(forking("exit 7", pidfile), startup_timeout=20).start()
    assert survivors(pids_in(pidfile)) == []


async def test_a_command_that_never_listens(pidfile):
    port = free_port()
    cmd = forking(f"echo listening on http://127.0.0.1:{port}/mcp; wait", pidfile)
    with pytest.raises(HarnessError, match=f"accepted no connection on 127.0.0.1:{port}"):
        await SpawnTarget(cmd, startup_timeout=1.5).start()
    assert survivors(pids_in(pidfile)) == []


async def test_a_command_that_prints_nothing_within_the_timeout(pidfile):
    with pytest.raises(HarnessError, match=r"printed no URL within 1\.5s .*--url.*; printed nothing"):
        await SpawnTarget(forking("wait", pidfile), startup_timeout=1.5).start()
    assert survivors(pids_in(pidfile)) == []


async def test_a_start_cancelled_midway_leaves_nothing(pidfile):
    port = free_port()
    cmd = forking(f"echo listening on http://127.0.0.1:{port}/mcp; wait", pidfile)
    t = SpawnTarget(cmd, startup_timeout=60)
    async with anyio.create_task_group() as tg:
        tg.start_soon(t.start)
        await anyio.wait_all_tasks_blocked()  # the start has begun (its url_printed is this start's)
        with anyio.fail_after(20):  # until it printed its URL (after its pids): the start then polls the port
            await t.url_printed.wait()
        tg.cancel_scope.cancel()
    assert survivors(pids_in(pidfile)) == []


async def test_stop_and_restart_end_the_whole_group(tmp_path):
    port = free_port()
    first, second = tmp_path / "first", tmp_path / "second"
    marker = tmp_path / "which"
    # the first start writes to `first`, a restart (same command) to `second`
    script = (f'if [ -e {marker} ]; then f={second}; else f={first}; touch {marker}; fi; '
              f'sleep 300 & echo $! > $f; echo $$ >> $f; exec {agents(port)}')
    t = SpawnTarget(shlex.join(["sh", "-c", script]), startup_timeout=20)
    try:
        await t.start()
        old = pids_in(first)
        assert all(running(p) for p in old)
        await t.restart()
        assert survivors(old) == []
        await check_reachable(t.url, timeout=2)
        new = pids_in(second)
        await t.stop()
        assert survivors(new) == []
    finally:
        for f in (first, second):
            if f.exists():
                kill_all(pids_in(f))


def test_url_needs_spawn_and_is_checked(capsys):
    from harness.cli import main

    assert main(["run", "--target", "http://127.0.0.1:9/mcp", "--url", "http://127.0.0.1:9/mcp"]) == 2
    assert "--url goes with --spawn" in capsys.readouterr().err
    assert main(["run", "--spawn", "true", "--url", "nope"]) == 2
    assert "--url 'nope' is not an http(s) URL" in capsys.readouterr().err
    with pytest.raises(UsageError):
        SpawnTarget("true", url="ftp://x/")


@pytest.mark.timeout(180)
def test_run_and_pytest_plugin_take_url(tmp_path):
    port = free_port()
    quiet = f"sh -c {shlex.quote(f'exec {agents(port)} >/dev/null')}"
    url = f"http://127.0.0.1:{port}/mcp"
    run = subprocess.run([sys.executable, "-m", "harness", "run", "--spawn", quiet, "--url", url, "-k", "origin-403",
                          "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    plug = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--faultline-spawn", quiet,
                           "--faultline-url", url, "--faultline-revision", "2025-11-25", "-k", "origin",
                           "--rootdir", str(tmp_path), str(tmp_path)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert plug.returncode == 0, plug.stdout[-3000:]
    assert "1 passed" in plug.stdout


@pytest.mark.parametrize("face", ["run", "fuzz", "replay"])
def test_readme_lists_the_spawn_options_of_each_face(face):
    from harness.cli import build_parser

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    [line] = [ln for ln in readme.splitlines() if ln.startswith(f"| `faultline {face} ")]
    sub = build_parser(face)._subparsers._group_actions[0].choices[face]  # type: ignore[union-attr]
    options = {s for a in sub._actions for s in a.option_strings}
    for option in ("--target", "--spawn", "--url", "--startup-timeout"):
        assert option in options and option in line, (face, option)
    assert "--url URL" in readme and "--faultline-url" in readme
