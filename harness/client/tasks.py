"""Tasks through a WireClient, both revisions: create, poll, answer input, fetch the result.

2025-11-25: a `tools/call` with `params.task` answers `{"task": Task}`; `tasks/get` polls;
`tasks/result` blocks until the end and carries the task's elicitation/sampling requests on its own
stream (the WireClient answers them there, as on any stream). 2026-07-28 (SEP-2663): the client
declares the extension in its per-request capabilities (`with_tasks`); a `tools/call` may answer
`resultType: "task"`; `tasks/get` polls and shows `inputRequests`, answered with `tasks/update`.
Every exchange is recorded by the WireClient as usual; nothing here raises for what a server does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio

from harness.client.session import CallOutcome, WireClient
from harness.history import Answer
from harness.revisions import TASK_TERMINAL, TASKS_EXTENSION, Revision, task_of

EXTENSION = TASKS_EXTENSION
TERMINAL = TASK_TERMINAL
POLL_FLOOR = 0.02  # seconds between polls at least, whatever pollInterval says
POLL_CEILING = 0.5


def with_tasks(capabilities: dict[str, Any] | None = None) -> dict[str, Any]:
    """Client capabilities declaring the 2026 tasks extension (elicitation and sampling as by default)."""
    caps = dict(capabilities or {"elicitation": {"form": {}}, "sampling": {}})
    caps["extensions"] = {**(caps.get("extensions") or {}), EXTENSION: {}}
    return caps


def server_offers_tasks(opened: dict[str, Any], revision: Revision) -> bool:
    """From initialize (2025) or server/discover (2026): does the server say it runs tool calls as tasks?"""
    caps = opened.get("capabilities") or {}
    if revision.traits.tasks_extension:
        return EXTENSION in (caps.get("extensions") or {})
    return bool(((caps.get("tasks") or {}).get("requests") or {}).get("tools", {}).get("call") is not None)


async def start(client: WireClient, name: str, arguments: dict[str, Any], *, ttl: int | None = None,
                progress_token: Any = None, **kw: Any) -> tuple[CallOutcome, dict[str, Any] | None]:
    params: dict[str, Any] = {"name": name, "arguments": arguments}
    if not client.revision.traits.tasks_extension:  # the core utility: the call asks for a task in its params
        params["task"] = {client.revision.traits.ttl_field: ttl} if ttl is not None else {}
    out = await client.call("tools/call", params, progress_token=progress_token, **kw)
    return out, task_of(out.result, client.revision)


async def get(client: WireClient, task_id: str, *, deadline: float | None = None) -> CallOutcome:
    return await client.call("tasks/get", {"taskId": task_id}, deadline=deadline, purpose="poll")


async def poll(client: WireClient, task_id: str, until: Callable[[dict[str, Any]], bool], timeout: float,
               *, on_task: Callable[[dict[str, Any]], Any] | None = None) -> dict[str, Any] | None:
    """Poll `tasks/get` (honouring pollInterval within bounds) until `until(task)`; a failed poll (cut,
    refused, 5xx) is simply retried. The last task seen, or None if `until` never held before `timeout` or
    the server said the task does not exist (-32602)."""
    last: dict[str, Any] | None = None
    with anyio.move_on_after(timeout):
        while True:
            out = await get(client, task_id, deadline=min(timeout, 5.0))
            if (out.error or {}).get("code") == -32602:
                return None  # the server says there is no such task: no point asking again
            task = out.result
            if task is not None and task.get("taskId") == task_id:
                last = task
                if on_task is not None:
                    await on_task(task)
                if until(task):
                    return task
            interval = (task or {}).get(client.revision.traits.poll_interval_field)
            wait = interval / 1000 if isinstance(interval, int | float) else 0.1
            await anyio.sleep(min(max(wait, POLL_FLOOR), POLL_CEILING))  # the server's pace, not a sync point
    return None if last is None or not until(last) else last


def status_is(*statuses: str) -> Callable[[dict[str, Any]], bool]:
    return lambda task: task.get("status") in statuses


def terminal(task: dict[str, Any]) -> bool:
    return task.get("status") in TERMINAL


async def answer_inputs(client: WireClient, task: dict[str, Any], answered: set[str]) -> int:
    """2026: answer every outstanding `inputRequests` key not answered before with one `tasks/update`
    (recorded as Answer records, like MRTR rounds). Returns how many were answered."""
    responses: dict[str, Any] = {}
    for key, req in (task.get("inputRequests") or {}).items():
        if key in answered or not isinstance(req, dict):
            continue
        method = str(req.get("method", ""))
        params = req.get("params") or {}
        if client.answers.before is not None:
            await client.answers.before(method, params)
        kind, obj, script = client.answers.answer(method, params)
        client.history.append(Answer(client=client.name, x=None, request_id=key, method=method, reply={kind: obj},
                                     script=script))
        answered.add(key)
        if kind == "result":
            responses[key] = obj
    if responses:
        await client.call("tasks/update", {"taskId": task["taskId"], "inputResponses": responses}, purpose="update")
    return len(responses)


async def follow(client: WireClient, task_id: str, timeout: float) -> dict[str, Any] | None:
    """2026: poll to a terminal status, answering input requests on the way; the final task or None."""
    answered: set[str] = set()

    async def on_task(task: dict[str, Any]) -> None:
        if task.get("status") == "input_required":
            await answer_inputs(client, task, answered)

    return await poll(client, task_id, terminal, timeout, on_task=on_task)


async def result(client: WireClient, task_id: str, *, deadline: float | None = None, **kw: Any) -> CallOutcome:
    """2025: `tasks/result` (blocks until terminal; input requests arrive and are answered on its stream)."""
    return await client.call("tasks/result", {"taskId": task_id}, deadline=deadline, purpose="task-result", **kw)
