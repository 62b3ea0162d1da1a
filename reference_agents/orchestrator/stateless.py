"""Revision 2026-07-28: stateless requests; a tool call becomes a task that is polled.

`tools/call` (the tasks extension declared in `_meta`) answers `resultType: "task"`; the task is
polled with `tasks/get` until it completes, fails or is cancelled; questions the task asks
(`status: input_required`, `inputRequests`) are answered once each with `tasks/update`. Every
request is simply sent again after a cut, a refused connection or a 5xx: polls are idempotent,
and a re-sent `tools/call` carries the same `idempotency_key`, so the server answers with the same
task. A server that answers without a task is served too: a plain result, or a multi-round-trip
`input_required` result (retried with `inputResponses` and `requestState`).
"""

from __future__ import annotations

import json
from typing import Any

import anyio

from mcp_wire.revisions import Revision
from reference_agents.orchestrator.calls import AgentCall, Runner
from reference_agents.orchestrator.wire import Cut, Unreachable, Wire

MAX_ROUNDS = 8  # multi-round-trip rounds of one call
MIN_POLL_S, MAX_POLL_S = 0.01, 1.0
TERMINAL = ("completed", "failed", "cancelled")


class StatelessCall(Runner):
    def __init__(self, call: AgentCall) -> None:
        self.call = call
        self.wire = Wire(call.url, Revision.R2026, timeout=call.http_timeout)
        self.token = ""
        self.answered: set[str] = set()  # inputRequests keys already answered (per task)
        self.poll_s = 0.1

    async def _run(self) -> dict[str, Any]:
        c = self.call
        extra: dict[str, Any] = {}
        for round_no in range(1, MAX_ROUNDS + 1):
            result = self._result(await self._request("tools/call", {"name": c.tool, "arguments": c.arguments,
                                                                     **extra}, label=f"round {round_no}"))
            kind = result.get("resultType", "complete")
            if kind == "task":
                return await self._follow_task(result)
            if kind != "input_required":
                return result
            requests = result.get("inputRequests") or {}
            responses = {key: await c.handle(str(req.get("method")), dict(req.get("params") or {}), key)
                         for key, req in requests.items()}
            extra = {"inputResponses": responses}
            if result.get("requestState") is not None:
                extra["requestState"] = result["requestState"]
        raise c.fail(f"no result after {MAX_ROUNDS} input rounds")

    def _result(self, response: dict[str, Any]) -> dict[str, Any]:
        if "error" in response:
            err = response["error"] or {}
            raise self.call.fail(f"error {err.get('code')}: {err.get('message')}")
        return dict(response.get("result") or {})

    async def _follow_task(self, created: dict[str, Any]) -> dict[str, Any]:
        c = self.call
        task = _task_of(created)
        task_id = str(task.get("taskId") or "")
        if not task_id:
            raise c.fail(f"a task result without a taskId: {json.dumps(created)[:160]}")
        c.log("task", f"created {task_id} ({task.get('status')})")
        seen: tuple[Any, Any] = (task.get("status"), task.get("statusMessage"))
        while True:
            done = await self._on_task(task_id, task, created)
            if done is not None:
                return done
            await anyio.sleep(self.poll_s)
            res = self._result(await self._request("tasks/get", {"taskId": task_id}))
            task = _task_of(res)
            now = (task.get("status"), task.get("statusMessage"))
            if now != seen:
                if now[0] != seen[0]:
                    c.log("task", f"{task_id} {now[0]}")
                if now[1] and now[1] != seen[1]:
                    c.log("progress", f"task: {now[1]}")
                seen = now
            created = res

    async def _on_task(self, task_id: str, task: dict[str, Any], res: dict[str, Any]) -> dict[str, Any] | None:
        """The tool's result when the task is done; answers new questions; None: poll again."""
        c = self.call
        interval = task.get("pollIntervalMs") or res.get("pollIntervalMs")
        if isinstance(interval, int | float):
            self.poll_s = min(max(interval / 1000, MIN_POLL_S), MAX_POLL_S)
        status = task.get("status")
        if status == "completed":
            result = task.get("result") if isinstance(task.get("result"), dict) else res.get("result")
            if not isinstance(result, dict):
                raise c.fail(f"task {task_id} completed without a result")
            return result
        if status == "failed":
            raise c.fail(f"task {task_id} failed: {json.dumps(task.get('error') or task.get('statusMessage'))}")
        if status == "cancelled":
            raise c.fail(f"task {task_id} was cancelled: {task.get('statusMessage') or ''}".rstrip(": "))
        if status == "input_required":
            requests = task.get("inputRequests") or res.get("inputRequests") or {}
            new = {k: v for k, v in requests.items() if f"{task_id}/{k}" not in self.answered}
            if new:
                responses = {k: await c.handle(str(v.get("method")), dict(v.get("params") or {}), k)
                             for k, v in new.items()}
                self._result(await self._request("tasks/update", {"taskId": task_id, "inputResponses": responses}))
                self.answered.update(f"{task_id}/{k}" for k in new)
        return None

    async def _request(self, method: str, params: dict[str, Any], *, label: str = "") -> dict[str, Any]:
        """Send until a JSON-RPC response arrives (cuts, refusals and 5xx are retried with backoff)."""
        c = self.call
        resend = False
        while True:
            token = None
            if method == "tools/call":
                self.token = token = c.next_token()
                if resend:
                    c.log("re-sent", f"{c.tool} {label} (same idempotency_key)")
                else:
                    c.log("called", f"{c.tool} {label} (idempotency_key "
                                    f"{str(c.arguments.get('idempotency_key', ''))[:12]}…)")
            body = self.wire.request(method, params, progress_token=token)
            what = method + (f" {params['taskId']}" if "taskId" in params else "")
            try:
                async with self.wire.post(body) as reply:
                    if reply.status >= 500 or reply.status == 429:
                        c.log("retried", f"{what}: HTTP {reply.status}")
                    elif reply.status >= 400 or reply.status == 202:
                        raise c.fail(f"{what} refused: HTTP {reply.status}: {_error_text(await reply.text())}")
                    else:
                        async for msg in reply.messages():
                            body_ = msg.body
                            if msg.is_notification and body_.get("method") == "notifications/progress":
                                p = body_.get("params") or {}
                                if token is not None and p.get("progressToken") == token:
                                    c.progress(p)
                            elif msg.answers(body["id"]):
                                c.backoff.ok()
                                return body_
                        raise Cut("the reply ended without the response")
            except Unreachable as exc:
                c.log("refused", f"{what}: {exc}")
                if method == "tools/call":
                    c.unsent()
            except Cut as exc:
                c.log("cut", f"{what}: {exc}")
                resend = True
            await c.backoff.wait(what)


def _task_of(result: dict[str, Any]) -> dict[str, Any]:
    """The task in a result: nested under `task`, or the result's own fields."""
    task = result.get("task")
    return dict(task) if isinstance(task, dict) else dict(result)


def _error_text(text: str) -> str:
    try:
        err = json.loads(text).get("error") or {}
        return f"{err.get('code')}: {err.get('message')}"
    except (ValueError, AttributeError):
        return text.strip()[:160]
