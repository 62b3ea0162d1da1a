"""Processes the corpus starts: each in its own process group, which is killed at the end whatever happens."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from harness.errors import HarnessError

HEARTBEAT_S = 10.0  # the longest the corpus stays silent


class Group:
    """A command started in a new session (its own process group), its output in `log` or piped."""

    def __init__(self, argv: list[str], env: dict[str, str] | None, log: Path | None) -> None:
        self.argv = argv
        self._log: IO[str] | None = None
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
            self._log = log.open("w", encoding="utf-8")
        try:
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, start_new_session=True,
                                         stdout=self._log or subprocess.PIPE, stderr=subprocess.STDOUT,
                                         text=True, errors="replace")
        except OSError as exc:
            self._close_log()
            raise HarnessError(f"cannot start {Path(argv[0]).name}: {exc.strerror or exc}") from None

    def stop(self) -> None:
        """SIGTERM to the whole group, SIGKILL after 5 s; the group is gone when this returns
        (a Ctrl-C or SIGTERM meanwhile waits until it is)."""
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self._stop()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            if not _group_alive(self.proc.pid):
                break
            time.sleep(0.2)  # the leader is gone; give the rest of the group a moment, then SIGKILL it
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


@contextlib.contextmanager
def started(argv: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> Iterator[Group]:
    group = Group(argv, env, log)
    try:
        yield group
    finally:
        group.stop()


def free_port(ports: range | None = None) -> int:
    """A port on 127.0.0.1 nobody listens on: the first free one of `ports`, else one the OS picks."""
    for port in ports or (0,):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise HarnessError(f"no free port on 127.0.0.1 in {ports.start}-{ports.stop - 1}" if ports else "no free port")


def wait_listening(group: Group, port: int, log: Path, timeout: float = 60.0) -> None:
    """Until 127.0.0.1:port accepts a connection; HarnessError if the process exits or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        if group.proc.poll() is not None:
            raise HarnessError(f"{Path(group.argv[0]).name} exited with code {group.proc.returncode} before it "
                               f"listened on port {port}: {tail(log)}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline:
            raise HarnessError(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f} s: {tail(log)}")
        time.sleep(0.1)


def tail(log: Path) -> str:
    """The last three non-blank lines of a log, on one line."""
    try:
        lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no output"
    return " | ".join(lines[-3:]) or "no output"


def follow(group: Group, log: Path, *, timeout: float, on_line: Callable[[str], bool],
           on_quiet: Callable[[float], None]) -> int:
    """Copy the group's piped output to `log` and give each line to `on_line` (True: it was shown);
    `on_quiet(elapsed)` after HEARTBEAT_S with nothing shown. Returns the exit code. Past `timeout` s the group is stopped (HarnessError)."""
    assert group.proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def read(stream: IO[str]) -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, args=(group.proc.stdout,), daemon=True).start()
    start = last = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        while True:
            now = time.monotonic()
            if now - start > timeout:
                group.stop()
                raise HarnessError(f"{Path(group.argv[0]).name} did not finish within {timeout:.0f} s (log: {log})")
            try:
                line = lines.get(timeout=max(0.1, min(last + HEARTBEAT_S, start + timeout) - now))
            except queue.Empty:
                if time.monotonic() - last >= HEARTBEAT_S:
                    on_quiet(time.monotonic() - start)
                    last = time.monotonic()
                continue
            if line is None:
                break
            out.write(line)
            out.flush()
            if on_line(line.rstrip("\n")):
                last = time.monotonic()
    return group.proc.wait()
