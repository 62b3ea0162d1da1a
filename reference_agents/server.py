"""The reference agents' server: MCPServer + the fixed Streamable HTTP transport, over uvicorn.

`faultline agents [--host 127.0.0.1] [--port 0] [--step-delay S] [--store memory|sqlite:PATH]
[--retry-ms N (default 500)] [--mutant NAME]` prints `listening on http://HOST:PORT/mcp` first (flushed);
SIGTERM/SIGINT stop it cleanly. In-process: `running_agents(...)` yields the same URL.
Both protocol revisions are served at once (the SDK routes per request on MCP-Protocol-Version).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib.metadata
import json
import logging
import os
import signal
import socket
import sys
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import anyio
import uvicorn
from mcp import MCPDeprecationWarning
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.subscriptions import InMemorySubscriptionBus
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from reference_agents import (
    catalogue,
    conformance_fixtures,
    long_running,
    research,
    resources,
    task_bodies,
    travel,
)
from reference_agents.behaviour import ELICITATION_TIMEOUT
from reference_agents.event_store import EventHub, Hooks
from reference_agents.mutants import MUTANTS, behaviour_for, check_mutant
from reference_agents.resources import AgentsMCP, ResourceEvents, uri_of
from reference_agents.rounds import round_guard
from reference_agents.runtime import AgentRuntime
from reference_agents.storage import Storage, open_storage
from reference_agents.task_protocol import TasksExtension, declare_tasks
from reference_agents.tasks import TaskEngine
from reference_agents.transport import AgentsSessionManager, jsonrpc_error_response

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# The SSE `retry` hint sent on every stream (priming events, resumed streams): how long a client waits
# before reconnecting after the server closes a stream (2025-11-25: the server SHOULD send it before a
# close, the client MUST wait it). Every event is stored, so an early reconnect loses nothing; half a
# second keeps an outage or a polling close from becoming a reconnect storm without slowing a client.
DEFAULT_RETRY_MS = 500


@dataclass
class AgentsConfig:
    host: str = "127.0.0.1"
    port: int = 0
    step_delay: float = 0.0
    store: str = "memory"
    retry_ms: int | None = DEFAULT_RETRY_MS
    mutant: str | None = None
    hooks: Hooks = field(default_factory=Hooks)
    conformance_fixtures: bool = False  # also the official conformance suite's fixture tools
    elicitation_timeout: float | None = ELICITATION_TIMEOUT  # travel_agent's wait for an answer (None: for ever)


def build_mcp(rt: AgentRuntime, engine: TaskEngine | None = None) -> MCPServer:
    bus = InMemorySubscriptionBus()
    engine = engine or TaskEngine(rt)
    task_bodies.install(engine)
    mcp = AgentsMCP("faultline-reference-agents", behaviour=rt.behaviour, version=rt.behaviour.server_version(_version()),
                    instructions="Travel, research and long-running reference agents.",
                    log_level="WARNING", subscriptions=bus, extensions=[tasks := TasksExtension(engine)])
    mcp._lowlevel_server.middleware.append(round_guard(rt.behaviour))
    mcp._lowlevel_server.middleware.append(tasks.legacy_task_call)
    mcp.task_tools = frozenset(engine.bodies)
    declare_tasks(mcp._lowlevel_server)
    mcp.records = lambda: [(kind, rec) for kind in ("booking", "report") for rec in rt.storage.list_records(kind)]
    rt.events = ResourceEvents(bus, rt.behaviour)
    resources.install(mcp, rt.events)
    travel.register(mcp, rt)
    research.register(mcp, rt)
    long_running.register(mcp, rt)
    catalogue.register(mcp, rt)
    long_running.register_burst(mcp)

    def read(kind: str, id: str) -> str:
        rec = rt.storage.get_record(kind, id)
        if rt.events is not None:
            rt.events.read_done(uri_of(kind, id))
        if rec is None:
            raise ResourceNotFoundError(f"no {kind} {id!r}")
        return json.dumps({"id": rec.id, "status": rec.status, "version": rec.version, **rec.data})

    @mcp.resource("travel://bookings/{booking_id}", mime_type="application/json", description="A booking")
    def booking(booking_id: str) -> str:
        return read("booking", booking_id)

    @mcp.resource("research://reports/{report_id}", mime_type="application/json", description="A research report")
    def report(report_id: str) -> str:
        return read("report", report_id)

    return mcp


def _version() -> str:
    try:
        return importlib.metadata.version("faultline")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


class OriginGuard:
    """Refuse (403 + JSON-RPC error) any request whose Origin is not a loopback origin (DNS rebinding)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            origin = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"origin"), None)
            if origin is not None and not _local_origin(origin):
                await jsonrpc_error_response(403, -32600, f"Origin {origin!r} is not allowed")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _local_origin(origin: str) -> bool:
    try:
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.hostname in LOCAL_HOSTS
    except ValueError:
        return False


def build_app(config: AgentsConfig, storage: Storage) -> tuple[ASGIApp, AgentsSessionManager]:
    warnings.filterwarnings("ignore", category=MCPDeprecationWarning)  # ctx.info / sampling on 2026
    behaviour = behaviour_for(config.mutant)  # the one Behaviour of this server: the clean one, or a mutant's
    behaviour.elicitation_wait = config.elicitation_timeout
    rt = AgentRuntime(behaviour.record_storage(storage), config.step_delay, behaviour, hooks=config.hooks)
    engine = TaskEngine(rt, behaviour.task_storage(storage))
    mcp = build_mcp(rt, engine)
    if config.conformance_fixtures:
        conformance_fixtures.register(mcp, rt, engine)
    hub = EventHub(storage, config.hooks, behaviour)
    hub.on_session_end = rt.events.forget if rt.events is not None else None
    hub.interrupt_open_streams()  # requests cut short by a kill end with an error on resume
    security = None  # the SDK's Host/Origin check: on for loopback binds (it answers 403 in plain text;
    # OriginGuard in front answers first, with a JSON-RPC body, and also covers non-loopback binds)
    if config.host in LOCAL_HOSTS and behaviour.checks_origin():
        security = TransportSecuritySettings(enable_dns_rebinding_protection=True,
                                             allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
                                             allowed_origins=["http://127.0.0.1:*", "http://localhost:*",
                                                              "http://[::1]:*"])
    manager = AgentsSessionManager(mcp._lowlevel_server, hub, behaviour=behaviour, retry_interval=config.retry_ms,
                                   security_settings=security)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with manager.run(), engine.running():
            yield

    app: ASGIApp = Starlette(routes=[Route("/mcp", endpoint=StreamableHTTPASGIApp(manager))], lifespan=lifespan)
    if behaviour.checks_origin():
        app = OriginGuard(app)
    return behaviour.wrap_app(app), manager


class _Uvicorn(uvicorn.Server):
    """Ends every session's streams before the graceful shutdown waits on connections; signal
    handling only when asked (the CLI), and no re-raise of the signal afterwards (exit 0)."""

    def __init__(self, config: uvicorn.Config, manager: AgentsSessionManager, signals: bool) -> None:
        super().__init__(config)
        self.manager = manager
        self.signals = signals

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if not self.signals or threading.current_thread() is not threading.main_thread():
            yield
            return
        originals = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await self.manager.terminate_all()
        await super().shutdown(sockets)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))  # port 0: the kernel picks; we read it back, no race
    sock.listen(128)
    sock.setblocking(False)
    return sock


def mcp_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/mcp" if ":" in host else f"http://{host}:{port}/mcp"


@contextlib.asynccontextmanager
async def serve(config: AgentsConfig, *, signals: bool = False) -> AsyncIterator[str]:
    """Start the server, yield its MCP URL once it serves, stop it on exit."""
    check_mutant(config.mutant)
    storage = open_storage(config.store)
    try:
        sock = _bind(config.host, config.port)
    except OSError as exc:
        storage.close()
        raise ValueError(f"cannot listen on {config.host}:{config.port}: {exc.strerror}") from None
    try:
        app, manager = build_app(config, storage)
        started, stopped = anyio.Event(), anyio.Event()

        async def app_with_start_signal(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "lifespan":
                async def send_wrapper(message: Any) -> None:
                    await send(message)
                    if message["type"] == "lifespan.startup.complete":
                        started.set()
                await app(scope, receive, send_wrapper)
            else:
                await app(scope, receive, send)

        uv_config = uvicorn.Config(app_with_start_signal, log_level="warning", lifespan="on",
                                   timeout_graceful_shutdown=2, access_log=False)
        server = _Uvicorn(uv_config, manager, signals)
        async with anyio.create_task_group() as tg:
            async def run_server() -> None:
                try:
                    await server.serve(sockets=[sock])
                finally:
                    started.set()  # never leave the caller waiting if startup failed
                    stopped.set()

            tg.start_soon(run_server)
            with anyio.fail_after(10):
                await started.wait()
            if not server.started and server.should_exit:
                raise RuntimeError("the agents server failed to start")
            try:
                yield mcp_url(config.host, sock.getsockname()[1])
                if signals:  # the CLI: serve until a signal stops uvicorn
                    await stopped.wait()
            finally:
                server.should_exit = True
    finally:
        sock.close()
        storage.close()


@contextlib.asynccontextmanager
async def running_agents(*, host: str = "127.0.0.1", port: int = 0, step_delay: float = 0.0, store: str = "memory",
                         retry_ms: int | None = DEFAULT_RETRY_MS, mutant: str | None = None,
                         hooks: Hooks | None = None) -> AsyncIterator[str]:
    """The agents in this process; yields `http://HOST:PORT/mcp`. `hooks`: test seams (event_store.Hooks)."""
    config = AgentsConfig(host, port, step_delay, store, retry_ms, mutant, hooks or Hooks())
    async with serve(config) as url:
        yield url


# --- faultline agents ----------------------------------------------------------------------
def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--step-delay", type=float, default=0.0, metavar="SECONDS",
                        help="simulated work per agent step (0: instantaneous)")
    scratch = os.environ.get("FAULTLINE_SCRATCH")
    parser.add_argument("--store", default=f"sqlite:{os.path.join(scratch, 'agents.sqlite')}" if scratch else "memory",
                        metavar="memory|sqlite:PATH",
                        help="where events, bookings and reports live (sqlite survives a restart); default memory, "
                             "or sqlite in $FAULTLINE_SCRATCH when Faultline spawned the agents")
    parser.add_argument("--retry-ms", type=int, default=DEFAULT_RETRY_MS, metavar="N",
                        help=f"SSE retry hint (ms) sent on every stream, before any close (default {DEFAULT_RETRY_MS})")
    parser.add_argument("--mutant", default=None, metavar="NAME",
                        help=f"serve with one known bug: {', '.join(sorted(MUTANTS))}")
    parser.add_argument("--conformance-fixtures", action="store_true",
                        help="also expose the official conformance suite's fixture tools, resources and prompts")
    parser.add_argument("--elicitation-timeout", type=float, default=ELICITATION_TIMEOUT, metavar="SECONDS",
                        help=f"how long travel_agent (2025-11-25) waits for the user's answer before it cancels "
                             f"(default {ELICITATION_TIMEOUT:g}, a scenario's scripted user; a person answering in "
                             f"`faultline call` wants minutes: 300; 0 waits for ever)")


def run(args: argparse.Namespace) -> int:
    config = AgentsConfig(args.host, args.port, args.step_delay, args.store, args.retry_ms, args.mutant,
                          conformance_fixtures=args.conformance_fixtures,
                          elicitation_timeout=args.elicitation_timeout or None)
    problem = _usage_problem(config)
    if problem:
        print(f"faultline agents: {problem}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)

    async def main() -> None:
        async with serve(config, signals=True) as url:
            print(f"listening on {url}", flush=True)

    try:
        asyncio.run(main())
    except ValueError as exc:  # cannot listen / cannot open the store
        print(f"faultline agents: {exc}", file=sys.stderr)
        return 3
    # stopped (the store closed): what is left goes with the process, so spare it the interpreter's final garbage
    # collection of the SDK's object graph (a second of CPU on 2 cores, at every stop of a spawned agents)
    gc.freeze()
    return 0


def _usage_problem(config: AgentsConfig) -> str | None:
    if config.step_delay < 0:
        return "--step-delay must be >= 0"
    if config.elicitation_timeout is not None and config.elicitation_timeout < 0:
        return "--elicitation-timeout must be >= 0 (0: wait for ever)"
    if config.retry_ms is not None and config.retry_ms < 0:
        return "--retry-ms must be >= 0"
    if not 0 <= config.port <= 65535:
        return "--port must be between 0 and 65535"
    if not (config.store == "memory" or (config.store.startswith("sqlite:") and len(config.store) > 7)):
        return f"--store must be 'memory' or 'sqlite:PATH', not {config.store!r}"
    try:
        check_mutant(config.mutant)
    except ValueError as exc:
        return str(exc)
    return None
