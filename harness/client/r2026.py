"""The 2026-07-28 client: no session, every request in its `_meta` envelope, InputRequiredResult rounds, no
resumption (a closed response stream is a cancellation: a cut call is re-issued), subscriptions/listen streams,
tasks as the `io.modelcontextprotocol/tasks` extension declared per request (polled, answered by tasks/update)."""

from __future__ import annotations

from typing import Any

from anyio.abc import TaskGroup

from harness.client import tasks
from harness.client.session import CLIENT_INFO, CallOutcome
from harness.client.verbs import JSON, RevisionClient
from harness.history import Answer, History
from harness.revisions import META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_PROTOCOL_VERSION, Revision
from scenarios.api import Outcome

MAX_ROUNDS = 10  # InputRequiredResult rounds of one tools/call


class StatelessClient(RevisionClient):
    def __init__(self, url: str, history: History, *, revision: Revision, tasks: bool = False,
                 capabilities: dict[str, Any] | None = None, **kw: Any) -> None:
        if tasks:  # the extension is declared in every request's capabilities
            capabilities = _with_tasks(capabilities)  # (`tasks` the flag shadows the module here)
        super().__init__(url, history, revision=revision, capabilities=capabilities, **kw)

    async def __aenter__(self) -> StatelessClient:
        await super().__aenter__()
        return self

    # -- what goes around every request ----------------------------------------------------------------
    def _stamp_headers(self, h: dict[str, str], body: Any, *, with_session: bool) -> None:
        """The version on every request; a POST's Mcp-Method and Mcp-Name for routing."""
        h["mcp-protocol-version"] = self.revision.value
        if isinstance(body, dict) and isinstance(body.get("method"), str):
            h["mcp-method"] = body["method"]
            params = body.get("params") or {}
            name = params.get("name") or params.get("uri")
            if isinstance(name, str):
                h["mcp-name"] = name

    def _stamp_meta(self, meta: dict[str, Any]) -> None:
        """The envelope: version, capabilities and identity in every request's `_meta`."""
        meta[META_PROTOCOL_VERSION] = self.revision.value
        meta[META_CLIENT_CAPABILITIES] = self.capabilities
        meta[META_CLIENT_INFO] = CLIENT_INFO

    async def open(self) -> JSON:
        """server/discover (no session to open)."""
        out = await self.call("server/discover", {}, purpose="discover")
        return out.result or {}

    async def call_tool(self, name: str, arguments: dict[str, Any], *, tamper_request_state: bool = False,
                        **kw: Any) -> CallOutcome:
        """tools/call and its InputRequiredResult rounds: each round's inputRequests answered from the script
        (recorded as Answer records) and the call retried with inputResponses and the requestState."""
        out = await self.call("tools/call", {"name": name, "arguments": arguments}, **kw)
        exchanges = list(out.exchanges)
        kw.pop("request_id", None)
        for _ in range(MAX_ROUNDS):
            result = out.result or {}
            if result.get("resultType") != "input_required":
                break
            responses: dict[str, Any] = {}
            refused = False
            for key, req in (result.get("inputRequests") or {}).items():
                method = (req or {}).get("method", "")
                if self.answers.before is not None:
                    await self.answers.before(method, (req or {}).get("params") or {})
                kind, obj, script = self.answers.answer(method, (req or {}).get("params") or {})
                self.history.append(Answer(client=self.name, x=None, request_id=key, method=method,
                                           reply={kind: obj}, script=script))
                if kind == "error":
                    refused = True
                responses[key] = obj
            if refused:
                break  # an input the client cannot provide: it does not retry
            state = result.get("requestState")
            if tamper_request_state and isinstance(state, str) and state:
                state = state[:-1] + ("A" if state[-1] != "A" else "B")
                self.history.note("tampered requestState on the retry", tampered=True)
                tamper_request_state = False
            params: dict[str, Any] = {"name": name, "arguments": arguments, "inputResponses": responses}
            if state is not None:
                params["requestState"] = state
            out = await self.call("tools/call", params, **kw)
            exchanges += out.exchanges
        out.exchanges = exchanges
        out.tool = (name, arguments)
        return out

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
