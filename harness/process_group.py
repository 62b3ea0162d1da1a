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


class ForkedProcess:
    """A child of the fork server (harness/forkserver.py) as a spawned leader is seen: `pid` (its group),
    `stdout` (its stdout and stderr), `exited` and `returncode` (from the zygote's status pipe)."""

    def __init__(self, pid: int, stdout: asyncio.StreamReader, out: asyncio.ReadTransport, status_fd: int,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.pid, self.stdout = pid, stdout
        self.returncode: int | None = None
        self.exited = asyncio.Event()
        self.transport = self  # what end_group closes
        self._out, self._status_fd, self._loop, self._said = out, status_fd, loop, b""
        loop.add_reader(status_fd, self._status)

    def _status(self) -> None:
        try:
            data = os.read(self._status_fd, 64)
        except OSError:
            data = b""
        self._said += data
        if data and not self._said.endswith(b"\n"):
            return
        text = self._said.decode("ascii", "replace").strip()
        # no code said: the zygote itself died (then the kernel SIGKILLed its children)
        self.returncode = int(text) if text.lstrip("-").isdigit() else -signal.SIGKILL
        self._close_status()
        self.exited.set()

    def _close_status(self) -> None:
        if self._status_fd >= 0:
            self._loop.remove_reader(self._status_fd)
            os.close(self._status_fd)
            self._status_fd = -1

    def close(self) -> None:
        self._out.close()
        if not self.exited.is_set():  # closed before its end was heard: the group is gone by now
            self._close_status()


Spawned = GroupProcess | ForkedProcess


async def _forked(args: list[str], env: dict[str, str]) -> ForkedProcess:
    from harness.forkserver import Zygote
    loop = asyncio.get_running_loop()
    zygote = await asyncio.to_thread(Zygote.get, env)  # its start, once per harness process, off the loop
    out_r, out_w = os.pipe()
    status_r, status_w = os.pipe()
    try:
        pid = zygote.fork(args, env, out_w, status_w)  # milliseconds; on the loop, so a cancel cannot lose it
    except BaseException:
        os.close(out_r)
        os.close(status_r)
        raise
    finally:
        os.close(out_w)
        os.close(status_w)
    LIVE_GROUPS.add(pid)
    reader = asyncio.StreamReader(limit=1 << 20, loop=loop)
    out, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop),
                                          os.fdopen(out_r, "rb", buffering=0))
    return ForkedProcess(pid, reader, out, status_r, loop)


async def spawn(argv: list[str], env: dict[str, str]) -> Spawned:
    """Start argv as the leader of a new session; stdout and stderr are one pipe, stdin is empty. A command of
    this Faultline installation is forked from the fork server (harness/forkserver.py), when there is one."""
    from harness import forkserver
    args = forkserver.own_args(argv) if forkserver.enabled() else None
    if args is not None:
        with contextlib.suppress(OSError):  # no fork server to be had: exec'd as any command
            return await _forked(args, env)
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.subprocess_exec(
        lambda: _Protocol(1 << 20, loop), *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL, start_new_session=True, env=env)
    proc = GroupProcess(transport, protocol, loop)
    LIVE_GROUPS.add(proc.pid)  # a session leader's pid is its process group id
    return proc


async def wait_exited(proc: Spawned, within: float) -> bool:
    """Wait (at most `within` seconds) for the leader to exit; whether it did."""
    if not proc.exited.is_set() and within > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.exited.wait(), within)
    return proc.exited.is_set()


async def _gone(proc: Spawned, within: float) -> bool:
    """Wait until the leader has exited and no process of its group runs; False at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    exited = await wait_exited(proc, within)
    while group_alive(proc.pid):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(POLL)
    return exited


async def end_group(proc: Spawned, *, kill: bool = False, grace: float = 5.0) -> None:
    """End the whole group: SIGTERM (SIGKILL at once with `kill`), then SIGKILL after `grace` seconds.
    The signal is sent before the first await, so a stop that is itself cut short has still sent it."""
    signal_group(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
    if not await _gone(proc, grace):
        signal_group(proc.pid, signal.SIGKILL)
        await _gone(proc, 5.0)
    if not group_alive(proc.pid):
        LIVE_GROUPS.discard(proc.pid)
    proc.transport.close()  # its pipes, now, on a loop still running (not in __del__, maybe after the loop closed)
