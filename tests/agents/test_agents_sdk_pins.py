"""Pins on the SDK (mcp 2.3.x) that reference_agents/transport.py relies on or works around.

1. The private seams we override still exist with the signatures we call.
2. The router stores each message BEFORE delivering it (the attach-then-replay fix needs it).
3. The bugs are still there on the stock SDK path (A cross-session replay, C unknown id -> 200
   empty stream, D finished stream held open, E a raising store_event wedges the call, F duplicate
   in-flight ids cross their results); B is shown in test_agents_resume.py: when
   one of these fails after an upgrade, the workaround may be removable - revisit transport.py.
"""

from __future__ import annotations

import contextlib
import inspect
import socket
from collections.abc import AsyncIterator
from importlib.metadata import version
from typing import Any

import anyio
import pytest
import uvicorn
from agents_wire import RawClient, is_response
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.streamable_http import EventCallback, StreamableHTTPServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp_types import JSONRPCMessage

from reference_agents.event_store import EventHub, SessionEventStore
from reference_agents.storage import MemoryStorage


def test_sdk_version_is_the_one_the_workarounds_were_written_for() -> None:
    assert version("mcp").startswith("2.3."), version("mcp")


@pytest.mark.parametrize(("cls", "name", "params"), [
    (StreamableHTTPSessionManager, "_admit_session", ["self", "requestor"]),
    (StreamableHTTPSessionManager, "_handle_stateful_request", ["self", "scope", "receive", "send"]),
    (StreamableHTTPSessionManager, "_serve_opening_request", ["self", "http_transport", "scope", "receive", "send"]),
    (StreamableHTTPServerTransport, "_replay_events", ["self", "last_event_id", "request", "send"]),
    (StreamableHTTPServerTransport, "_handle_post_request", ["self", "scope", "request", "receive", "send"]),
    (StreamableHTTPServerTransport, "_create_session_message",
     ["self", "message", "request", "request_id", "protocol_version"]),
    (StreamableHTTPServerTransport, "_handle_delete_request", ["self", "request", "send"]),
])
def test_private_seams_exist(cls: type, name: str, params: list[str]) -> None:
    assert list(inspect.signature(getattr(cls, name)).parameters) == params


def test_router_stores_before_it_delivers_and_manager_shares_one_store() -> None:
    router = inspect.getsource(StreamableHTTPServerTransport.connect)
    assert router.index("store_event(request_stream_id, message)") < router.index(
        "self._request_streams[request_stream_id][0].send(")
    assert "event_store=self.event_store" in inspect.getsource(StreamableHTTPSessionManager._admit_session)
    transport = StreamableHTTPServerTransport("x", retry_interval=5)
    assert transport._retry_interval == 5 and hasattr(transport, "_server_instances") is False


class _StockStore(SessionEventStore):
    """One store for every session, as the stock SDK uses it; optionally without the D fix or raising."""

    def __init__(self, *, d_fix: bool = True, raise_on_progress: bool = False) -> None:
        super().__init__(EventHub(MemoryStorage()), "shared")
        self.d_fix, self.raise_on_progress = d_fix, raise_on_progress

    async def store_event(self, stream_id: str, message: JSONRPCMessage | None) -> str:
        if self.raise_on_progress and message is not None and getattr(message, "method", "") == "notifications/progress":
            raise RuntimeError("disk full")
        return await super().store_event(stream_id, message)

    async def replay_events_after(self, last_event_id: str, send_callback: EventCallback) -> str | None:
        found = self.lookup(last_event_id)
        result = await super().replay_events_after(last_event_id, send_callback)
        return found[1] if (found and not self.d_fix) else result


@contextlib.asynccontextmanager
async def stock_server(store: _StockStore, gate: anyio.Event | None = None) -> AsyncIterator[str]:
    mcp = MCPServer("stock", log_level="WARNING")

    @mcp.tool()
    async def hold(label: str) -> str:
        if gate is not None:
            await gate.wait()
        return label

    @mcp.tool()
    async def work(steps: int, ctx: Context) -> str:
        for i in range(1, steps + 1):
            await ctx.report_progress(i, steps)
        return "done"

    app = mcp.streamable_http_app(event_store=store)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="on"))
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve, [sock])  # the socket already listens: requests queue until it serves
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"
        server.force_exit = server.should_exit = True
    sock.close()


async def _work(c: RawClient, steps: int = 2) -> list[Any]:
    body = c.request("tools/call", {"name": "work", "arguments": {"steps": steps}}, id=5, progress_token="t")
    async with c.post(body) as s:
        return await s.read_all()


@pytest.mark.anyio
async def test_stock_sdk_bug_a_cross_session_replay_and_c_unknown_id() -> None:
    async with stock_server(_StockStore()) as url, RawClient(url) as a, RawClient(url) as b:
        await a.open()
        await b.open()
        with anyio.fail_after(5):
            evs = await _work(a)
            async with b.resume(evs[0].id) as r:  # A: b gets a's events with a's id
                stolen = await r.read_all()
            assert r.response.status_code == 200 and any(is_response(e, 5) for e in stolen)
            async with b.resume("0000000999-9-9") as r:  # C: unknown id -> 200 and an empty stream
                assert r.response.status_code == 200 and await r.read_all() == []


@pytest.mark.anyio
async def test_stock_sdk_bug_d_finished_stream_is_held_open() -> None:
    async with stock_server(_StockStore(d_fix=False)) as url, RawClient(url) as a:
        await a.open()
        with anyio.fail_after(5):
            evs = await _work(a)
        with anyio.move_on_after(0.5) as scope:
            async with a.resume(evs[-1].id) as r:
                await r.read_all()
        assert scope.cancelled_caught, "resuming a finished stream should be held open on the stock path"


@pytest.mark.anyio
async def test_stock_sdk_bug_e_raising_store_wedges_the_call() -> None:
    async with stock_server(_StockStore(raise_on_progress=True)) as url, RawClient(url) as a:
        await a.open()
        with anyio.move_on_after(0.5) as scope:
            await _work(a)
        assert scope.cancelled_caught, "a raising store_event should wedge the call on the stock path"


@pytest.mark.anyio
async def test_stock_sdk_bug_f_duplicate_in_flight_ids_cross_results() -> None:
    gate = anyio.Event()
    async with stock_server(_StockStore(), gate) as url, RawClient(url) as a:
        await a.open()
        got: dict[str, list[str]] = {"first": [], "second": []}

        primed = {"first": anyio.Event(), "second": anyio.Event()}

        async def call(label: str) -> None:
            body = a.request("tools/call", {"name": "hold", "arguments": {"label": label}}, id=9)
            async with a.post(body) as s:
                with anyio.move_on_after(1):
                    while (ev := await s.next()) is not None:
                        primed[label].set()  # the priming event: this POST is in flight
                        if is_response(ev, 9):
                            got[label].append(ev.msg["result"]["content"][0]["text"])
                            break
                primed[label].set()

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                tg.start_soon(call, "first")
                await primed["first"].wait()
                tg.start_soon(call, "second")
                await primed["second"].wait()
                gate.set()
        assert got != {"first": ["first"], "second": ["second"]}, got
