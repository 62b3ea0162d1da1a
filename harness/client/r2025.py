"""The 2025-11-25 client: a session (initialize, Mcp-Session-Id), resumable SSE streams (GET + Last-Event-ID),
the standalone GET stream for what the server sends outside a call, tasks as the core utility (`params.task`,
`tasks/result` carrying the task's questions)."""

from __future__ import annotations

from typing import Any

import anyio
from anyio.abc import TaskGroup

from harness.client import tasks
from harness.client.session import CLIENT_INFO, CallOutcome
from harness.client.verbs import JSON, RevisionClient
from scenarios.api import Outcome

MAX_RESUMES = 12
UPDATED = "notifications/resources/updated"


class SessionClient(RevisionClient):
    async def __aenter__(self) -> SessionClient:
        await super().__aenter__()
        return self

    # -- what goes around every request ----------------------------------------------------------------
    def _stamp_headers(self, h: dict[str, str], body: Any, *, with_session: bool) -> None:
        """Once initialized: the negotiated version and (unless a probe leaves it out) the session id."""
        if self.session_id is not None:
            h["mcp-protocol-version"] = self.protocol_version
            if with_session:
                h["mcp-session-id"] = self.session_id

    def _stamp_meta(self, meta: dict[str, Any]) -> None:
        """Nothing: the session carries the state."""

    async def open(self) -> JSON:
        """initialize, then notifications/initialized."""
        params = {"protocolVersion": self.revision.value, "capabilities": self.capabilities, "clientInfo": CLIENT_INFO}
        out = await self.call("initialize", params, purpose="initialize")
        self.protocol_version = str((out.result or {}).get("protocolVersion") or self.revision.value)
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        await self._exchange("POST", note, purpose="initialized", stream=None)
        return out.result or {}

    async def connect(self) -> None:
        await self.open()

    # -- a call to its end ------------------------------------------------------------------------------
    async def finish(self, outcome: Outcome, *, first_cut: int | None = None, honour_retry: bool = True) -> Outcome:
        """Resume a cut POST stream by GET + Last-Event-ID until its response arrives, honouring the server's
        `retry` (capped by the time scale) before each reconnect, as a client must."""
        stream = outcome.stream
        last_id = outcome.last_event_id
        retry_ms = outcome.retry_ms if honour_retry else None
        cut = first_cut
        for _ in range(MAX_RESUMES):
            if outcome.response is not None or not last_id or stream is None:
                return outcome
            if retry_ms:
                await anyio.sleep(min(retry_ms / 1000.0, self.scaled(1.0)))
            outcome = await self.resume(stream, last_id, cut_after=cut, deadline=self.scaled(15.0))
            cut = None
            if outcome.status is not None and outcome.status >= 400:
                return outcome
            if outcome.ended == "timeout" and outcome.last_event_id is None:
                self.history.note("the resume delivered no event before its deadline: not resuming again", stuck=True)
                return outcome
            last_id = outcome.last_event_id or last_id
            if honour_retry:
                retry_ms = outcome.retry_ms or retry_ms
        return outcome

    async def recover(self, outcome: Outcome, *, progress_token: Any = None, first_cut: int | None = None,
                      honour_retry: bool = True) -> Outcome:
        return await self.finish(outcome, first_cut=first_cut, honour_retry=honour_retry)

    async def reconnect(self, outcome: Outcome | None, *, deadline: float) -> CallOutcome | None:
        if outcome is None or not outcome.stream or not outcome.last_event_id:
            return None
        return await self.resume(outcome.stream, outcome.last_event_id, deadline=deadline)

    # -- streams outside a call ---------------------------------------------------------------------------
    async def open_standalone_stream(self, tg: TaskGroup, *, deadline: float, wait: float | None = None) -> bool:
        mark = self.mark()
        tg.start_soon(lambda: self.open_get_stream(deadline=deadline))
        return await self._first_on("get", wait, mark) if wait is not None else False

    async def watch_resources(self, tg: TaskGroup, *, cut_after: int | None = None) -> CallOutcome | None:
        if cut_after is not None:
            return await self.open_get_stream(cut_after=cut_after, deadline=self.scaled(5))
        await self.open_standalone_stream(tg, deadline=self.scaled(60), wait=self.scaled(5))
        return None

    async def subscribe(self, uri: str, tg: TaskGroup, *, lose_stream: bool = False) -> None:
        await self.call("resources/subscribe", {"uri": uri}, deadline=self.scaled(5))

    async def recover_updates(self, lost: Outcome | None, uri: str, tg: TaskGroup, *, since: int) -> None:
        if lost is None or not lost.last_event_id:
            return
        last_id = lost.last_event_id
        tg.start_soon(lambda: self.resume("get", last_id, deadline=self.scaled(30)))
        await self.notified(UPDATED, self.scaled(5), since=since, where=lambda p: p.get("uri") == uri)

    # -- tasks ----------------------------------------------------------------------------------------------
    async def finish_task(self, task_id: str) -> JSON | None:
        await tasks.result(self, task_id, deadline=self.scaled(30))
        return await tasks.poll(self, task_id, tasks.terminal, self.scaled(10))

    async def task_result(self, task_id: str, *, cut_after: int | None = None,
                          deadline: float | None = None) -> CallOutcome | None:
        return await tasks.result(self, task_id, cut_after=cut_after, deadline=deadline)

    async def untasked_call(self, name: str, arguments: JSON, *, deadline: float | None = None) -> CallOutcome | None:
        """A tool declaring `execution.taskSupport: "required"` MUST be invoked as a task: it has no
        synchronous twin, and the client does not make one."""
        if await self._task_support(name) == "required":
            self.history.note(f"no synchronous twin: {name} declares execution.taskSupport \"required\"", tool=name)
            return None
        return await self.call_tool(name, arguments, deadline=deadline)

    async def _task_support(self, tool: str, pages: int = 10) -> str | None:
        """The tool's `execution.taskSupport` as tools/list declares it (None: not listed, or no answer)."""
        cursor = None
        for _ in range(pages):
            out = await self.call("tools/list", {"cursor": cursor} if cursor else {}, deadline=self.scaled(5),
                                  purpose="list")
            listed = out.result or {}
            for entry in listed.get("tools") or []:
                if isinstance(entry, dict) and entry.get("name") == tool:
                    execution = entry.get("execution")
                    return str(execution.get("taskSupport") or "forbidden") if isinstance(execution, dict) \
                        else "forbidden"
            cursor = listed.get("nextCursor")
            if not isinstance(cursor, str) or not cursor:
                return None
        return None
