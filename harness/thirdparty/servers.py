"""The corpus's servers: what each is, how it is installed into the cache, and how it is started.

Installs are idempotent (an install whose version is already there is skipped) and go into
`$FAULTLINE_CACHE/thirdparty/<server>/`, never globally: a venv per fastmcp version (pip, with the
constraints in thirdparty/installs/), and `npm ci` of thirdparty/installs/server-everything/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError, UsageError
from harness.official import install as shared  # the cache, Node and npm helpers of the official suite

CORPUS = Path(__file__).resolve().parents[2] / "thirdparty"
SERVER_EVERYTHING = "@modelcontextprotocol/server-everything"
MIN_NODE_MAJOR = 20  # server-everything runs on Node 20 and 22

Say = Callable[[str], None]


@dataclass(frozen=True)
class Server:
    name: str  # also the folder under the cache and under the output folder
    kind: str  # "fastmcp" (a pip venv running thirdparty/servers/fastmcp_progress.py) | "npm"
    version: str
    profile: Path
    expectations: Path

    @property
    def label(self) -> str:
        return f"fastmcp {self.version}" if self.kind == "fastmcp" else f"npm {SERVER_EVERYTHING}@{self.version}"


def _server(name: str, kind: str, version: str, profile: str) -> Server:
    return Server(name, kind, version, CORPUS / "profiles" / profile, CORPUS / "expectations" / f"{name}.yaml")


SERVERS: dict[str, Server] = {s.name: s for s in (
    _server("fastmcp-4.2.3", "fastmcp", "4.2.3", "fastmcp.yaml"),
    _server("fastmcp-3.4.2", "fastmcp", "3.4.2", "fastmcp.yaml"),
    _server("server-everything-2026.8.31", "npm", "2026.8.31", "server-everything.yaml"),
)}


def select_servers(names: list[str] | None) -> list[Server]:
    """The servers named (exactly, or every one whose name contains the text), or all; UsageError if none."""
    if not names:
        return list(SERVERS.values())
    picked: list[Server] = []
    for name in names:
        hits = [SERVERS[name]] if name in SERVERS else [s for s in SERVERS.values() if name in s.name]
        if not hits:
            raise UsageError(f"--server {name!r}: no such server; the servers are {', '.join(SERVERS)}")
        picked += [s for s in hits if s not in picked]
    return picked


def cache_dir() -> Path:
    """`$FAULTLINE_CACHE/thirdparty`, default `.cache/faultline/thirdparty`."""
    return shared.cache_root() / "thirdparty"


def _venv_python(home: Path) -> Path:
    return home / "venv" / "bin" / "python"


def _fastmcp_version(python: Path) -> str | None:
    """The fastmcp version in that venv, if fastmcp and uvicorn are both installed there."""
    if not python.exists():
        return None
    code = "import importlib.metadata as m; m.version('uvicorn'); print(m.version('fastmcp'))"
    try:
        out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def installed(server: Server, cache: Path) -> bool:
    home = cache / server.name
    if server.kind == "fastmcp":
        return _fastmcp_version(_venv_python(home)) == server.version
    return shared.npm_package_version(home, SERVER_EVERYTHING) == server.version and _node() is not None


def _node() -> Path | None:
    """A Node >= 20 on PATH, or the Node 22 the official suite's install put into the cache."""
    return shared.find_node(shared.cache_dir(), MIN_NODE_MAJOR)


def install(server: Server, cache: Path, say: Say, *, reuse: bool = False) -> None:
    """Install `server` into `cache/<name>` unless it is there already; with `reuse`, never install."""
    home = cache / server.name
    if installed(server, cache):
        say(f"{server.name}: {server.label} already in {home}")
        return
    if reuse:
        raise UsageError(f"--reuse: {server.label} is not installed in {home} (run once without --reuse)")
    say(f"{server.name}: installing {server.label} into {home} ...")
    began = time.monotonic()

    def waiting(_: float) -> None:  # every 10 s of each step: the time since the install began
        say(f"{server.name}: still installing ({time.monotonic() - began:.0f} s)")

    if server.kind == "fastmcp":
        shutil.rmtree(home / "venv", ignore_errors=True)
        shared.run_logged([sys.executable, "-m", "venv", str(home / "venv")], home / "venv.log", on_wait=waiting)
        constraints = CORPUS / "installs" / f"{server.name}.txt"
        shared.run_logged([str(_venv_python(home)), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", "-c", str(constraints), f"fastmcp=={server.version}",
                           "uvicorn"], home / "pip.log", on_wait=waiting)
    else:
        shared.ensure_node(min_major=MIN_NODE_MAJOR)  # none on PATH: npm's node@22 into the official suite's cache
        home.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(CORPUS / "installs" / "server-everything" / name, home / name)
        shared.run_npm(["ci", "--prefix", str(home), "--omit=dev"], home / "npm.log", on_wait=waiting)
    if not installed(server, cache):
        raise HarnessError(f"{server.name}: the install finished but {server.label} is not in {home}")


def command(server: Server, cache: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """argv and environment that start `server` on 127.0.0.1:port (MCP endpoint /mcp)."""
    home = cache / server.name
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if server.kind == "fastmcp":
        env["FASTMCP_CHECK_FOR_UPDATES"] = "off"  # otherwise fastmcp asks PyPI for updates
        return [str(_venv_python(home)), str(CORPUS / "servers" / "fastmcp_progress.py"), str(port)], env
    node = _node()
    if node is None:
        raise HarnessError(f"no Node >= {MIN_NODE_MAJOR} for {server.label}: run once without --reuse")
    entry = home / "node_modules" / SERVER_EVERYTHING / "dist" / "index.js"
    env["PORT"] = str(port)
    return [str(node), "--require", str(CORPUS / "servers" / "loopback.cjs"), str(entry), "streamableHttp"], env
