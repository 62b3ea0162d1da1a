"""Targets: the MCP server under test, reached by URL or spawned as a command.

A spawned target prints its URL (`listening on http://HOST:PORT/mcp`, or any `http://` URL on a
line of its stdout) or is given one with `url=`; the harness waits for it, and stops it after.
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
import subprocess
import tempfile
from urllib.parse import urlsplit

from harness.errors import HarnessError, UsageError

_URL = re.compile(r"(https?://[^\s'\"]+)")


class Target:
    """A server under test. `url` is its MCP endpoint; `upstream` is host:port for the proxy."""

    description = ""
    can_restart = False

    def __init__(self, url: str) -> None:
        self.url = url

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


def parse_target_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--target {url!r} is not an http(s) URL")
    return url


async def check_reachable(url: str, timeout: float = 5.0) -> None:
    """A TCP connect to the target's host and port, with a deadline; HarnessError if unreachable."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, port), timeout)
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
    """A command the harness starts, reads the URL of, and stops (SIGTERM, then SIGKILL)."""

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
        self.fixed_url = url
        self.startup_timeout = startup_timeout
        self.description = f"spawn {command}"
        self.proc: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None
        self.output: list[str] = []
        # A folder that lives as long as the target, across its restarts: the spawned command finds it in
        # $FAULTLINE_SCRATCH (the reference agents keep their default store there, so a restart is a crash
        # of the same installation, not a new one).
        self.scratch: str | None = None
        self._restarting = False

    async def start(self) -> None:
        if self.scratch is None:
            self.scratch = tempfile.mkdtemp(prefix="faultline-target-")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv,
                stdout=asyncio.subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=asyncio.subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "FAULTLINE_SCRATCH": self.scratch},
            )
        except OSError as exc:
            raise HarnessError(f"cannot spawn {self.command!r}: {exc.strerror or exc}") from None
        try:
            url = await asyncio.wait_for(self._read_url(), self.startup_timeout)
        except TimeoutError:
            await self.stop()
            raise HarnessError(
                f"spawned {self.command!r} printed no URL within {self.startup_timeout:.0f}s"
            ) from None
        self.url = self.fixed_url or url
        self._drain = asyncio.create_task(self._drain_output())
        await check_reachable(self.url)

    async def _read_url(self) -> str:
        assert self.proc and self.proc.stdout
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                code = await self.proc.wait()
                tail = " | ".join(self.output[-3:])
                raise HarnessError(f"spawned {self.command!r} exited with code {code} before serving: {tail}")
            text = line.decode("utf-8", "replace").rstrip()
            self.output.append(text)
            if self.fixed_url:
                return self.fixed_url
            m = _URL.search(text)
            if m:
                return m.group(1)

    async def _drain_output(self) -> None:
        assert self.proc and self.proc.stdout
        while line := await self.proc.stdout.readline():
            self.output.append(line.decode("utf-8", "replace").rstrip())
            del self.output[:-200]

    async def restart(self) -> None:
        self._restarting = True
        try:
            await self.stop(kill=True)
        finally:
            self._restarting = False
        await self.start()

    async def stop(self, *, kill: bool = False) -> None:
        proc, self.proc = self.proc, None
        if not self._restarting and self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 5.0)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
        if self._drain:
            self._drain.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._drain
            self._drain = None

