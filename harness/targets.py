"""Targets: the MCP server under test, reached by URL or spawned as a command.

A spawned target prints its URL (the first `http://` URL on a line of its stdout or stderr, e.g.
`listening on http://HOST:PORT/mcp`) or is given one with `url=` (`--url`) when it prints none; the
harness then waits until that port accepts a connection (all within the start-up timeout), and stops
the command's whole process group after, or at once when the start fails (harness/process_group.py).
A spawned target can be restarted (SIGKILL, then the same command again), which is how scenarios
test durability across a crash; its port may change, so the fault proxy is re-pointed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import signal
import tempfile
from collections import deque
from urllib.parse import urlsplit

import anyio

from harness.errors import HarnessError, UsageError
from harness.process_group import Spawned, end_group, spawn, wait_exited

_URL = re.compile(r"https?://[^\s'\"<>`]+")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # colour codes around a printed URL


class Target:
    """A server under test. `url` is its MCP endpoint; `upstream` is host:port for the proxy."""

    description = ""
    can_restart = False

    def __init__(self, url: str) -> None:
        self.url = url

    @property
    def serving(self) -> bool:
        """False: a spawned target whose process is not running (it crashed, or its restart failed)."""
        return True

    @property
    def upstream(self) -> str:
        parts = urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return f"{parts.hostname}:{port}"

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    async def start(self) -> None:
        await check_reachable(self.url)

    async def restart(self) -> None:
        raise HarnessError("this target cannot be restarted (give --spawn to allow restarts)")

    async def stop(self) -> None:
        return None


def parse_target_url(url: str, option: str = "--target") -> str:
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed [IPv6] bracket
        raise UsageError(f"{option} {url!r} is not an http(s) URL: {exc}") from None
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number or out of range
    except ValueError:
        raise UsageError(f"{option} {url!r}: the port is not a number in 0..65535") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} {url!r} is not an http(s) URL")
    return url


def url_in(line: str) -> str | None:
    """The first http(s) URL on a line of output, without colour codes or trailing punctuation."""
    m = _URL.search(_ANSI.sub("", line))
    return m.group(0).rstrip(".,;:!?)]}'\"") if m else None


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


async def check_reachable(url: str, timeout: float = 5.0) -> None:
    """A TCP connect to the target's host and port, with a deadline; HarnessError if unreachable."""
    host, port = _host_port(url)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError) as exc:
        raise HarnessError(f"target {url} is unreachable: {exc or 'timed out'}") from None
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()


class UrlTarget(Target):
    def __init__(self, url: str) -> None:
        super().__init__(parse_target_url(url))
        self.description = f"url {url}"


class SpawnTarget(Target):
    """A command the harness starts, waits for (URL printed or given, then its port accepting a
    connection), and stops with its whole process group."""

    can_restart = True

    def __init__(self, command: str, *, url: str | None = None, startup_timeout: float = 30.0) -> None:
        super().__init__(url or "")
        try:
            self.argv = shlex.split(command)
        except ValueError as exc:
            raise UsageError(f"--spawn {command!r}: {exc}") from None
        if not self.argv:
            raise UsageError("--spawn needs a command")
        self.command = command
        self.fixed_url = parse_target_url(url, "--url") if url else None
        self.startup_timeout = startup_timeout
        self.description = f"spawn {command}"
        self.proc: Spawned | None = None
        self._drain: asyncio.Task[None] | None = None
        self.output: deque[str] = deque(maxlen=200)  # the last lines it printed (stdout and stderr)
        self._printed_url: str | None = None
        self.url_printed = asyncio.Event()  # set when a line of its output held a URL (this start)
        # A folder that lives as long as the target, across its restarts: the spawned command finds it in
        # $FAULTLINE_SCRATCH (the reference agents keep their default store there, so a restart is a crash
        # of the same installation, not a new one).
        self.scratch: str | None = None
        self._restarting = False

    async def start(self) -> None:
        if self.scratch is None:
            self.scratch = tempfile.mkdtemp(prefix="faultline-target-")
        self.output.clear()
        self._printed_url, self.url_printed = None, asyncio.Event()  # (an Event of this start's event loop)
        try:
            self.proc = await spawn(self.argv, {**os.environ, "PYTHONUNBUFFERED": "1",
                                                "FAULTLINE_SCRATCH": self.scratch})
        except OSError as exc:
            await self.stop()
            raise HarnessError(f"cannot spawn {self.command!r}: {exc.strerror or exc}") from None
        self._drain = asyncio.create_task(self._drain_output(self.proc))
        deadline = asyncio.get_running_loop().time() + self.startup_timeout
        try:
            url = self.fixed_url or await self._wait_url(self.proc, deadline)
            await self._wait_listening(self.proc, url, deadline)
        except BaseException:  # a failed start, or the run cancelled while it starts: nothing stays behind
            await self.stop(kill=True)
            raise
        self.url = url

    async def _drain_output(self, proc: Spawned) -> None:
        assert proc.stdout is not None
        while True:
            try:
                line = await proc.stdout.readline()
            except ValueError:  # a line over the pipe's limit: skipped
                self.output.append("[a line too long to show]")
                continue
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip()
            self.output.append(text)
            if self._printed_url is None and (found := url_in(text)):
                self._printed_url = found
                self.url_printed.set()

    def _tail(self) -> str:
        lines = [ln.strip()[:200] for ln in self.output if ln.strip()][-3:]
        return f"last lines: {' | '.join(lines)}" if lines else "printed nothing"

    async def _exited(self, proc: Spawned) -> HarnessError:
        """The error for a command that ended before serving (its last output read first, briefly:
        a forked child may hold the pipe open)."""
        if self._drain is not None:
            await asyncio.wait([self._drain], timeout=0.5)
        code = proc.returncode
        how = f"was killed by {signal.Signals(-code).name}" if code is not None and code < 0 else \
            f"exited with code {code}"
        return HarnessError(f"spawned {self.command!r} {how} before serving; {self._tail()}")

    async def _wait_url(self, proc: Spawned, deadline: float) -> str:
        loop = asyncio.get_running_loop()
        seen = asyncio.ensure_future(self.url_printed.wait())
        exited = asyncio.ensure_future(proc.exited.wait())
        try:
            await asyncio.wait([seen, exited], timeout=max(0.0, deadline - loop.time()),
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (seen, exited):
                task.cancel()
            await asyncio.gather(seen, exited, return_exceptions=True)
        if self._printed_url is not None:
            return self._printed_url
        if proc.exited.is_set():
            raise await self._exited(proc)
        raise HarnessError(f"spawned {self.command!r} printed no URL within {self.startup_timeout:g}s "
                           f"(for a server that prints none, give its URL with --url); {self._tail()}")

    async def _wait_listening(self, proc: Spawned, url: str, deadline: float) -> None:
        """Poll a TCP connect to the URL's port until it is accepted, the command exits, or the deadline."""
        loop = asyncio.get_running_loop()
        host, port = _host_port(url)
        while True:
            if proc.exited.is_set():
                raise await self._exited(proc)
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), min(2.0, remaining))
            except (OSError, TimeoutError):  # not listening yet: look again soon, or as soon as it exits
                await wait_exited(proc, min(0.05, deadline - loop.time()))
                continue
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            return
        given = " (--url)" if self.fixed_url else f" (it printed {url})"
        raise HarnessError(f"spawned {self.command!r} accepted no connection on {host}:{port}{given} within "
                           f"{self.startup_timeout:g}s; {self._tail()}")

    @property
    def serving(self) -> bool:
        return self.proc is not None and not self.proc.exited.is_set()

    async def restart(self) -> None:
        self._restarting = True
        try:
            await self.stop(kill=True)
        finally:
            self._restarting = False
        await self.start()

    async def stop(self, *, kill: bool = False) -> None:
        """End the process group (SIGTERM, SIGKILL after a grace period; SIGKILL at once with `kill`).
        Shielded: a run being cancelled still waits for its server to be gone."""
        proc, self.proc = self.proc, None
        with anyio.CancelScope(shield=True):
            if proc is not None:
                await end_group(proc, kill=kill)
            if self._drain is not None:
                await asyncio.wait([self._drain], timeout=1.0)  # EOF once the group is gone
                self._drain.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._drain
                self._drain = None
        if not self._restarting and self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
