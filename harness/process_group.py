"""A spawned command's process group: started in a session of its own, ended as a whole.

A spawned server may fork (a shell, `npm`, a reloader, workers); killing the one process the harness
started would leave the rest running. So every spawn leads a new session and process group, and
ending it means: SIGTERM to the group, wait (with a deadline) until no process of the group runs,
SIGKILL to the group, wait again. Every group still alive is also listed in `LIVE_GROUPS`, which an
`atexit` hook SIGKILLs: whatever way the interpreter leaves (an exception, a loop torn down mid-stop),
no spawned process outlives it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import signal
from pathlib import Path

LIVE_GROUPS: set[int] = set()  # the process group ids spawned and not yet seen gone
POLL = 0.02  # seconds between two looks at a group that is ending


@atexit.register
def kill_leftovers() -> None:
    """SIGKILL every spawned group still alive (the last line of defence; stop() normally got there first)."""
    for pgid in list(LIVE_GROUPS):
        signal_group(pgid, signal.SIGKILL)
        LIVE_GROUPS.discard(pgid)


def signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs. A zombie (exited, not yet reaped by its parent, which
    may be an init that never reaps) does not run, so it does not count."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()  # after "pid (comm)": state ppid pgrp ...
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


class _Protocol(asyncio.subprocess.SubprocessStreamProtocol):
    """asyncio's, plus an event set the moment the leader exits: `Process.wait()` also waits until every
    pipe is closed, which a forked child still holding stdout delays for as long as it lives."""

    def __init__(self, limit: int, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=limit, loop=loop)
        self.exited = asyncio.Event()

    def process_exited(self) -> None:
        super().process_exited()
        self.exited.set()


class GroupProcess(asyncio.subprocess.Process):
    """A spawned session leader; `exited` is set when it exits (its `returncode` is then known)."""

    def __init__(self, transport: asyncio.SubprocessTransport, protocol: _Protocol,
                 loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(transport, protocol, loop)
        self.exited = protocol.exited
        self.transport = transport


async def spawn(argv: list[str], env: dict[str, str]) -> GroupProcess:
    """Start argv as the leader of a new session; stdout and stderr are one pipe, stdin is empty."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.subprocess_exec(
        lambda: _Protocol(1 << 20, loop), *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL, start_new_session=True, env=env)
    proc = GroupProcess(transport, protocol, loop)
    LIVE_GROUPS.add(proc.pid)  # a session leader's pid is its process group id
    return proc


async def wait_exited(proc: GroupProcess, within: float) -> bool:
    """Wait (at most `within` seconds) for the leader to exit; whether it did."""
    if not proc.exited.is_set() and within > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.exited.wait(), within)
    return proc.exited.is_set()


async def _gone(proc: GroupProcess, within: float) -> bool:
    """Wait until the leader has exited and no process of its group runs; False at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    exited = await wait_exited(proc, within)
    while group_alive(proc.pid):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(POLL)
    return exited


async def end_group(proc: GroupProcess, *, kill: bool = False, grace: float = 5.0) -> None:
    """End the whole group: SIGTERM (SIGKILL at once with `kill`), then SIGKILL after `grace` seconds.
    The signal is sent before the first await, so a stop that is itself cut short has still sent it."""
    signal_group(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
    if not await _gone(proc, grace):
        signal_group(proc.pid, signal.SIGKILL)
        await _gone(proc, 5.0)
    if not group_alive(proc.pid):
        LIVE_GROUPS.discard(proc.pid)
    proc.transport.close()  # its pipes, now, on a loop still running (not in __del__, maybe after the loop closed)
