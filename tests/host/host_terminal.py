"""Helpers for the `faultline call` tests: the reference agents spawned (`faultline agents --port 0`, their process
group stopped after), a terminal driven through tmux on a private socket (send-keys, capture-pane polled with a
hard timeout, never a fixed sleep), a poll with a deadline."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAULTLINE = [sys.executable, "-m", "harness"]
TMUX = shutil.which("tmux") or "/usr/bin/tmux"
_sockets = itertools.count()


def wait_until(what: Callable[[], object], timeout: float, why: str) -> object:
    """Poll `what` until it returns something truthy, at most `timeout` seconds (then the test fails)."""
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {why}")
        time.sleep(0.05)


class Agents:
    """`faultline agents` in its own process group; `url` is the MCP endpoint it printed."""

    def __init__(self, log: Path, *args: str) -> None:
        self.log = log
        with open(log, "w") as out:
            self.proc = subprocess.Popen([*FAULTLINE, "agents", "--port", "0", *args], stdout=out,
                                         stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)

        def url() -> str | None:
            found = re.search(r"listening on (http://\S+)", log.read_text())
            if found is None and self.proc.poll() is not None:
                raise AssertionError(f"the agents exited: {log.read_text()}")
            return found.group(1) if found else None

        self.url = str(wait_until(url, 30, "the agents' URL"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


class Tmux:
    """One tmux server on a private socket, one window running `command`; the pane kept after it exits."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.socket = f"faultline-call-{os.getpid()}-{next(_sockets)}"
        # the shell outlives a Ctrl-C meant for the command (a trap with a command is reset in the child)
        line = "trap true INT; " + " ".join(_quote(c) for c in command) + '; echo "EXIT=$?"'
        self._tmux("new-session", "-d", "-x", "200", "-y", "60", "-c", str(cwd), "sh", "-c", line)
        self._tmux("set-option", "-t", "0", "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        out = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        return out.stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-J", "-S", "-200")

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-l", text)
        self._tmux("send-keys", "Enter")

    def wait_for(self, pattern: str, timeout: float = 30, *, count: int = 1) -> str:
        """The screen once `pattern` (a regex) shows `count` times."""
        def seen() -> str | None:
            text = self.screen()
            return text if len(re.findall(pattern, text)) >= count else None
        try:
            return str(wait_until(seen, timeout, f"{pattern!r} on the screen"))
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the screen:\n{self.screen()}") from None

    def exit_code(self, timeout: float = 60) -> int:
        text = self.wait_for(r"EXIT=\d+", timeout)
        return int(re.findall(r"EXIT=(\d+)", text)[-1])

    def kill(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, timeout=10)
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)  # the socket file a killed server leaves


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\"'\"'") + "'"
