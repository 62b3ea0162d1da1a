"""Looking for processes left behind, straight from /proc (independent of harness/process_group.py).

A zombie (exited, waiting for a parent or an init that may never reap it) is not a survivor: it runs
nothing and holds no port. Everything else with the pid or in the process group is.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from pathlib import Path


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, pgrp) of a process, None if there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[0], int(fields[1]), int(fields[2])


def running(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def _all() -> list[tuple[int, str, int, int]]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _stat(int(entry.name))) is not None:
            out.append((int(entry.name), *st))
    return out


def group_members(pgid: int) -> list[int]:
    """The running processes of a process group."""
    return [pid for pid, state, _, pgrp in _all() if pgrp == pgid and state not in ("Z", "X")]


def descendants(pid: int) -> list[int]:
    """Every running process below `pid` (children, their children, ...)."""
    table = _all()
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        kids = [p for p, state, ppid, _ in table if ppid == parent and state not in ("Z", "X")]
        found += kids
        frontier += kids
    return found


def groups_of(pids: list[int]) -> set[int]:
    """The process groups of the pids (never the test's own)."""
    return {st[2] for pid in pids if (st := _stat(pid)) is not None} - {os.getpgrp()}


def survivors(pids: list[int], groups: set[int] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """The given pids, and members of their process groups (and of `groups`), that still run (each with
    its command line)."""
    groups = (set(groups) | groups_of(pids)) - {os.getpgrp()}
    alive = {p for p in pids if running(p)} | {m for g in groups for m in group_members(g)}
    return [f"{p}: {cmdline(p)}" for p in sorted(alive)]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def listening(pid: int) -> bool:
    """Whether the process holds a listening TCP socket."""
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:
                return True
    return False


def wait_for(predicate, timeout: float, what: str, interval: float = 0.02):  # type: ignore[no-untyped-def]
    """Poll `predicate` until it returns something truthy; AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_gone(pids: list[int], groups: set[int] = frozenset(), timeout: float = 10.0) -> list[str]:  # type: ignore[assignment]
    """The survivors once they had `timeout` seconds to go (empty: none)."""
    deadline = time.monotonic() + timeout
    while (left := survivors(pids, groups)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def kill_all(pids: list[int]) -> None:
    """Test cleanup: SIGKILL whatever is left (so a failing test does not leave a server behind); never
    the test's own process group."""
    for p in pids:
        st = _stat(p)
        if st is None:
            continue
        with contextlib.suppress(OSError):
            if st[2] != os.getpgrp():
                os.killpg(st[2], signal.SIGKILL)
            os.kill(p, signal.SIGKILL)
