"""The 2026-07-28 client: no session, every request in its `_meta` envelope, InputRequiredResult rounds, no
resumption (a closed response stream is a cancellation: a cut call is re-issued), subscriptions/listen streams,
tasks as the `io.modelcontextprotocol/tasks` extension declared per request (polled, answered by tasks/update)."""

from __future__ import annotations

from typing import Any

from anyio.abc import TaskGroup

from harness.client import tasks
from harness.client.session import CallOutcome
from harness.client.verbs import JSON, RevisionClient
from harness.history import History
from harness.revisions import Revision
from scenarios.api import Outcome


class StatelessClient(RevisionClient):
    def __init__(self, url: str, history: History, *, revision: Revision, tasks: bool = False,
                 capabilities: dict[str, Any] | None = None, **kw: Any) -> None:
        if tasks:  # the extension is declared in every request's capabilities
            capabilities = _with_tasks(capabilities)  # (`tasks` the flag shadows the module here)
        super().__init__(url, history, revision=revision, capabilities=capabilities, **kw)

    async def __aenter__(self) -> StatelessClient:
        await super().__aenter__()
        return self

    async def connect(self) -> None:
        """No session: nothing to do before the first request."""

    # -- a call to its end ------------------------------------------------------------------------------
    async def finish(self, outcome: Outcome, *, first_cut: int | None = None, honour_retry: bool = True) -> Outcome:
        return outcome  # a closed stream ends the call: there is nothing to resume

    async def recover(self, outcome: Outcome, *, progress_token: Any = None, first_cut: int | None = None,
                      honour_retry: bool = True) -> Outcome:
        if outcome.response is not None or not isinstance(outcome, CallOutcome) or outcome.tool is None:
            return outcome
        self.history.note("re-issue the cut call with a new request id")
        name, arguments = outcome.tool
        again = await self.call_tool(name, arguments, progress_token=progress_token, deadline=self.scaled(15))
        again.reissued = True
        return again

    async def reconnect(self, outcome: Outcome | None, *, deadline: float) -> CallOutcome | None:
        return None  # no Last-Event-ID at this revision

    # -- streams outside a call ---------------------------------------------------------------------------
    async def open_standalone_stream(self, tg: TaskGroup, *, deadline: float, wait: float | None = None) -> bool:
        return False  # no session, no standalone stream

    async def _listen(self, tg: TaskGroup, notifications: JSON) -> int:
        """Open a listen stream in `tg` and wait for its acknowledgment; returns its request id."""
        rid = self.next_id()
        mark = self.mark()
        tg.start_soon(lambda: self.call("subscriptions/listen", {"notifications": notifications}, request_id=rid,
                                        deadline=self.scaled(60), purpose="listen"))
        await self._first_on(f"post:{rid}", self.scaled(5), mark)
        return rid

    async def watch_resources(self, tg: TaskGroup, *, cut_after: int | None = None) -> CallOutcome | None:
        if cut_after is None:
            await self._listen(tg, {"resourcesListChanged": True})
        return None

    async def subscribe(self, uri: str, tg: TaskGroup, *, lose_stream: bool = False) -> None:
        if lose_stream:
            await self.call("subscriptions/listen", {"notifications": {"resourceSubscriptions": [uri]}},
                            cut_after=1, deadline=self.scaled(5), purpose="listen")
        else:
            await self._listen(tg, {"resourceSubscriptions": [uri]})

    async def recover_updates(self, lost: Outcome | None, uri: str, tg: TaskGroup, *, since: int) -> None:
        await self._listen(tg, {"resourceSubscriptions": [uri]})

    # -- tasks ----------------------------------------------------------------------------------------------
    async def finish_task(self, task_id: str) -> JSON | None:
        return await tasks.follow(self, task_id, self.scaled(30))

    async def task_result(self, task_id: str, *, cut_after: int | None = None,
                          deadline: float | None = None) -> CallOutcome | None:
        return None  # the extension has no tasks/result: the result is polled

    async def untasked_call(self, name: str, arguments: JSON, *, deadline: float | None = None) -> CallOutcome | None:
        """Also sends the 2025 `task` parameter, which a 2026 server must ignore."""
        return await self.call("tools/call", {"name": name, "arguments": arguments, "task": {"ttl": 60000}},
                               deadline=deadline)


def _with_tasks(capabilities: dict[str, Any] | None) -> dict[str, Any]:
    return tasks.with_tasks(capabilities)
