"""What every wire client adds for the scenarios (scenarios/api.py `Client`), whatever its revision: what it
received, the request every server serves, tasks through harness/client/tasks.py. The verbs that differ by
revision are the revision's client's (r2025.py, r2026.py), chosen by factory.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.client import tasks
from harness.client.session import CallOutcome, WireClient
from harness.history import History, SseEvent
from harness.revisions import Revision
from scenarios.api import Client

JSON = dict[str, Any]


def _method(ev: SseEvent) -> str:
    return str(ev.message.get("method", "")) if isinstance(ev.message, dict) else ""


def _params(ev: SseEvent) -> JSON:
    params = ev.message.get("params") if isinstance(ev.message, dict) else None
    return params if isinstance(params, dict) else {}


class RevisionClient(WireClient, Client):
    """A WireClient with the scenario verbs every revision shares; `time_scale` scales the deadlines the verbs
    choose themselves (as the scenario context's `deadline`). It declares scenarios/api.py `Client`, so mypy
    holds every revision's client to the whole protocol (a verb a revision's client lacks leaves it abstract)."""

    def __init__(self, url: str, history: History, *, revision: Revision, time_scale: float = 1.0,
                 tasks: bool = False, **kw: Any) -> None:
        super().__init__(url, history, revision=revision, **kw)
        self.time_scale = time_scale

    def scaled(self, seconds: float) -> float:
        return seconds * self.time_scale

    async def __aenter__(self) -> RevisionClient:
        await super().__aenter__()
        return self

    async def call_tool(self, name: str, arguments: dict[str, Any], *, tamper_request_state: bool = False,
                        **kw: Any) -> CallOutcome:
        out = await super().call_tool(name, arguments, tamper_request_state=tamper_request_state, **kw)
        out.tool = (name, arguments)
        return out

    async def served_request(self, purpose: str, *, headers: dict[str, str] | None = None,
                             deadline: float | None = None) -> CallOutcome:
        saved = dict(self.extra_headers)
        self.extra_headers.update(headers or {})
        try:
            return await self.call(self.revision.traits.served_method, {}, purpose=purpose, deadline=deadline)
        finally:
            self.extra_headers = saved

    # -- what the client received ------------------------------------------------------------------
    def mark(self) -> int:
        return len(self.seen)

    def received(self, method: str, *, since: int = 0) -> list[JSON]:
        return [_params(ev) for ev in self.seen[since:] if _method(ev) == method]

    async def notified(self, method: str, timeout: float, *, since: int = 0, after: float | None = None,
                       where: Callable[[JSON], bool] | None = None) -> JSON | None:
        def match(ev: SseEvent) -> bool:
            return _method(ev) == method and (after is None or ev.t > after) and (where is None or where(_params(ev)))

        ev = await self.wait_for(match, timeout, start=since)
        return None if ev is None else _params(ev)

    async def _first_on(self, stream: str, timeout: float, since: int) -> bool:
        """Did an event arrive on `stream` (from `since`) within `timeout` seconds?"""
        return await self.wait_for(lambda ev: ev.stream == stream, timeout, start=since) is not None

    # -- tasks ----------------------------------------------------------------------------------------
    def offers_tasks(self, opened: JSON) -> bool:
        return tasks.server_offers_tasks(opened, self.revision)

    async def start_task(self, name: str, arguments: JSON, *, progress_token: Any = None,
                         deadline: float | None = None) -> tuple[CallOutcome, JSON | None]:
        return await tasks.start(self, name, arguments, progress_token=progress_token, deadline=deadline)

    async def get_task(self, task_id: str, *, deadline: float | None = None) -> CallOutcome:
        return await tasks.get(self, task_id, deadline=deadline)

    async def poll_task(self, task_id: str, until: Callable[[JSON], bool], timeout: float) -> JSON | None:
        return await tasks.poll(self, task_id, until, timeout)
