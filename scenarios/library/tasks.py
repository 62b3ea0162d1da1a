"""Durable results through tasks: create, poll, answer, cancel, across cuts, outages and restarts.

The `task` role is a task-capable tool whose result is deterministic (the reference
long_running_agent): the scenarios compare what the task delivers with a synchronous call of the
same tool and arguments. The `task_input` role needs the user's answer while it runs (travel_agent:
`input_required`). 2025-11-25: `tools/call` + `params.task`, `tasks/get`, `tasks/result` (which
carries the task's questions); 2026-07-28: the tasks extension declared per request, `tasks/get`,
`tasks/update`. The checks in harness/checks/tasks.py judge the statuses and results recorded.
"""

from __future__ import annotations

import re
from typing import Any

import anyio

from harness.client import tasks
from harness.revisions import TASK_PROGRESS_GRACE as PROGRESS_GRACE
from harness.revisions import Revision
from scenarios.api import TASK, TASK_INPUT, NotApplicable, scenario

STEP = re.compile(r"step (\d+)/(\d+)")
LIFECYCLE_CHECKS = ("tasks.state.transitions", "tasks.state.terminal", "tasks.ext.state.terminal",
                    "tasks.result.terminal", "harness.tasks.result-exact", "tasks.cancel.terminal",
                    "tasks.ext.requires-capability", "progress.task.stop-terminal", "tasks.errors",
                    "tasks.ext.errors.unknown-id", "tasks.fields", "tasks.ext.get.shape", "tasks.ext.ack-empty",
                    "tasks.ext.durable-create")
UNKNOWN_TASK = "faultline-no-such-task-0000"
DURABLE_CHECKS = ("tasks.result.terminal", "harness.tasks.result-exact", "tasks.state.terminal",
                  "tasks.ext.state.terminal", "tasks.state.transitions", "tasks.ttl.retention",
                  "tasks.ext.durable-create")


def _client(ctx: Any, name: str = "A", **kw: Any) -> Any:
    caps = tasks.with_tasks() if ctx.revision is Revision.R2026 else None
    return ctx.client(name, capabilities=caps, **kw)


async def _open(c: Any, ctx: Any) -> None:
    opened = await c.open()
    if not tasks.server_offers_tasks(opened, ctx.revision):
        raise NotApplicable("the server does not offer task-augmented tool calls")


async def _start(c: Any, ctx: Any, tool: str, args: dict[str, Any], token: str | None = None) -> str:
    out, task = await tasks.start(c, tool, args, progress_token=token, deadline=ctx.deadline(10))
    if task is None:
        if out.result is not None or out.error is not None:
            raise NotApplicable(f"{tool} answered without creating a task")
        raise RuntimeError(f"the task-augmented call of {tool} got no answer ({out.ended or out.status})")
    return str(task["taskId"])


async def _start_waiting(c: Any, ctx: Any, tool: str, args: dict[str, Any]) -> str:
    """Start the task and poll until it asks for input (NotApplicable if it never does)."""
    task_id = await _start(c, ctx, tool, args)
    waiting = await tasks.poll(c, task_id, tasks.status_is("input_required", *tasks.TERMINAL), ctx.deadline(10))
    if waiting is None or waiting.get("status") != "input_required":
        raise NotApplicable(f"{tool} did not ask for input as a task")
    return task_id


async def _sync_twin(ctx: Any, tool: str, args: dict[str, Any]) -> None:
    """The same call made synchronously, by a client that did not negotiate tasks (2026: it also sends the
    2025 `task` parameter, which a 2026 server must ignore). On 2025 a tool declaring `execution.taskSupport:
    "required"` MUST be invoked as a task: it has no synchronous twin, and the client does not make one."""
    async with ctx.client("B") as b:
        await b.open()
        if ctx.revision is Revision.R2026:
            await b.call("tools/call", {"name": tool, "arguments": args, "task": {"ttl": 60000}},
                         deadline=ctx.deadline(20))
        elif await _task_support(b, ctx, tool) == "required":
            ctx.note(f"no synchronous twin: {tool} declares execution.taskSupport \"required\"", tool=tool)
        else:
            await b.call_tool(tool, args, deadline=ctx.deadline(20))


async def _task_support(c: Any, ctx: Any, tool: str, pages: int = 10) -> str | None:
    """The tool's `execution.taskSupport` as tools/list declares it (None: not listed, or no answer)."""
    cursor = None
    for _ in range(pages):
        out = await c.call("tools/list", {"cursor": cursor} if cursor else {}, deadline=ctx.deadline(5), purpose="list")
        listed = out.result or {}
        for entry in listed.get("tools") or []:
            if isinstance(entry, dict) and entry.get("name") == tool:
                execution = entry.get("execution")
                return str(execution.get("taskSupport") or "forbidden") if isinstance(execution, dict) else "forbidden"
        cursor = listed.get("nextCursor")
        if not isinstance(cursor, str) or not cursor:
            return None
    return None


async def _finish(c: Any, ctx: Any, task_id: str) -> dict[str, Any] | None:
    """Drive the task to its end: 2025 `tasks/result` (then a poll), 2026 polls answering input."""
    if ctx.revision is Revision.R2025:
        await tasks.result(c, task_id, deadline=ctx.deadline(30))
        return await tasks.poll(c, task_id, tasks.terminal, ctx.deadline(10))
    return await tasks.follow(c, task_id, ctx.deadline(30))


async def _see_it_end(c: Any, ctx: Any, task_id: str, after: str = "") -> dict[str, Any] | None:
    """Drive the task to its end, then look at it a few more times (a finished task must stay finished)."""
    final = await _finish(c, ctx, task_id)
    if final is None:
        ctx.note(f"the task never reached a terminal status{after}", task=task_id)
    await _after_terminal(c, ctx, task_id)
    return final


async def _after_terminal(c: Any, ctx: Any, task_id: str, polls: int = 3) -> None:
    for _ in range(polls):
        await tasks.get(c, task_id, deadline=ctx.deadline(5))


async def _at_step(c: Any, ctx: Any, task_id: str, step: int) -> dict[str, Any] | None:
    """Poll until the task says it reached `step` (its statusMessage "step k/N") or is no longer working."""
    def reached(task: dict[str, Any]) -> bool:
        m = STEP.search(str(task.get("statusMessage") or ""))
        return task.get("status") != "working" or (m is not None and int(m.group(1)) >= step)
    return await tasks.poll(c, task_id, reached, ctx.deadline(10))


@scenario("task-lifecycle", "A task-augmented call of the task tool polled to its end: starts working, ends "
          "terminal and stays there, its result is the synchronous call's; a cancel of the finished task is "
          "refused (2025); a client that did not negotiate tasks gets a plain result (2026).",
          roles=(TASK,), checks=LIFECYCLE_CHECKS, tags=("tasks",))
async def task_lifecycle(ctx: Any) -> None:
    tool, args = ctx.role(TASK)
    async with _client(ctx) as c, anyio.create_task_group() as tg:
        await _open(c, ctx)
        if ctx.revision is Revision.R2025:  # the task's progress travels on the standalone stream
            mark = len(c.seen)
            tg.start_soon(lambda: c.open_get_stream(deadline=ctx.deadline(30)))
            await c.wait_for(lambda ev: ev.stream == "get", ctx.deadline(5), start=mark)
        task_id = await _start(c, ctx, tool, args, token="task-progress")
        final = await _finish(c, ctx, task_id)
        ended = c.history.now()
        if final is None:
            ctx.note("the task never reached a terminal status", task=task_id)
        await _after_terminal(c, ctx, task_id)
        if ctx.revision is Revision.R2025:
            await tasks.result(c, task_id, deadline=ctx.deadline(10))  # a second time: the same answer
            await c.call("tasks/cancel", {"taskId": task_id}, deadline=ctx.deadline(5), purpose="cancel")
            await c.call("tasks/list", {}, deadline=ctx.deadline(5), purpose="list")
            # keep listening a while: progress for the finished task must not come (a late one ends the wait).
            # Not scaled: the check's grace after the terminal status is a fixed PROGRESS_GRACE seconds.
            await c.wait_for(lambda ev: ev.t > ended + PROGRESS_GRACE + 0.1 and isinstance(ev.message, dict)
                             and ev.message.get("method") == "notifications/progress",
                             max(0.0, ended + PROGRESS_GRACE + 0.7 - c.history.now()))
        else:
            await c.call("tasks/cancel", {"taskId": task_id}, deadline=ctx.deadline(5), purpose="cancel")
            await _after_terminal(c, ctx, task_id, polls=1)
        for method in ("tasks/get", "tasks/result", "tasks/cancel") if ctx.revision is Revision.R2025 else \
                ("tasks/get",):  # a task id nobody was given
            await c.call(method, {"taskId": UNKNOWN_TASK}, deadline=ctx.deadline(5), purpose="unknown-task")
        tg.cancel_scope.cancel()
    await _sync_twin(ctx, tool, args)


@scenario("task-cut-poll", "The network goes down while a task runs (2025: right after tasks/result opened its "
          "stream, which is then resumed with Last-Event-ID); polls fail, the network comes back, polling goes on "
          "to the result, which is the synchronous call's.", roles=(TASK,), checks=DURABLE_CHECKS, tags=("tasks",))
async def task_cut_poll(ctx: Any) -> None:
    tool, args = ctx.role(TASK)
    async with _client(ctx) as c:
        await _open(c, ctx)
        task_id = await _start(c, ctx, tool, args)
        await _at_step(c, ctx, task_id, 1)
        stream = None
        if ctx.revision is Revision.R2025:
            out = await tasks.result(c, task_id, cut_after=1, deadline=ctx.deadline(10))  # priming, then cut
            stream = (out.stream, out.last_event_id)
        await ctx.network(False)
        await tasks.get(c, task_id, deadline=ctx.deadline(2))  # fails: nobody is there
        await ctx.network(True)
        if stream is not None and stream[0] and stream[1]:
            await c.resume(stream[0], stream[1], deadline=ctx.deadline(30))
        await _see_it_end(c, ctx, task_id, " after the outage")
    await _sync_twin(ctx, tool, args)


@scenario("task-restart-each-step", "The server is killed (SIGKILL) and restarted at every step of a running "
          "task; after each restart a new client finds the task by id and it goes on; the polled result is the "
          "synchronous call's.", roles=(TASK,), checks=DURABLE_CHECKS, tags=("tasks", "restart"))
async def task_restart_each_step(ctx: Any) -> None:
    tool, args = ctx.role(TASK)
    async with _client(ctx) as c:
        await _open(c, ctx)
        task_id = await _start(c, ctx, tool, args)
    ctx.note("kill at step 0, right after the task was created", task=task_id)
    await ctx.restart_target()
    step, total = 1, None
    while total is None or step < total:
        async with _client(ctx) as c:
            if ctx.revision is Revision.R2025:
                await c.open()
            task = await _at_step(c, ctx, task_id, step)
        m = STEP.search(str((task or {}).get("statusMessage") or ""))
        if task is None or task.get("status") != "working" or m is None:
            break  # finished (or lost, or it does not say its step) before this step: nothing left to interrupt
        total = int(m.group(2))
        ctx.note(f"kill at step {m.group(1)} of {total}", task=task_id)
        await ctx.restart_target()
        step = int(m.group(1)) + 1
    async with _client(ctx, "C") as c:
        await c.open()
        await _see_it_end(c, ctx, task_id, " after the restarts")
    await _sync_twin(ctx, tool, args)


@scenario("task-cancel", "A running task is cancelled: the cancel is acknowledged, the task ends cancelled (2025: "
          "before the answer) and stays so past the time its work would have ended.",
          roles=(TASK,), checks=("tasks.state.terminal", "tasks.ext.state.terminal", "tasks.state.transitions",
                                 "tasks.ext.ack-empty"), tags=("tasks",))
async def task_cancel(ctx: Any) -> None:
    tool, args = ctx.role(TASK)
    async with _client(ctx) as c:
        await _open(c, ctx)
        task_id = await _start(c, ctx, tool, args)
        await c.call("tasks/cancel", {"taskId": task_id}, deadline=ctx.deadline(5), purpose="cancel")
        await tasks.poll(c, task_id, tasks.terminal, ctx.deadline(10))
        await _after_terminal(c, ctx, task_id, polls=5)


@scenario("task-input-reconnect", "A task that needs the user's answer (input_required) is answered after a "
          "reconnect: 2025 the tasks/result stream is cut before the question arrives and resumed with "
          "Last-Event-ID, where the question waits; 2026 the network drops while the task waits, and the "
          "answer goes by tasks/update once it is back. The task then completes.",
          roles=(TASK_INPUT,), checks=("tasks.state.terminal", "tasks.ext.state.terminal", "tasks.state.transitions",
                                       "tasks.input-required.related-task"), tags=("tasks", "elicitation"))
async def task_input_reconnect(ctx: Any) -> None:
    tool, args = ctx.role(TASK_INPUT)
    async with _client(ctx) as c:
        await _open(c, ctx)
        task_id = await _start_waiting(c, ctx, tool, args)
        if ctx.revision is Revision.R2025:
            out = await tasks.result(c, task_id, cut_after=1, deadline=ctx.deadline(10))
            if out.stream and out.last_event_id:
                await c.resume(out.stream, out.last_event_id, deadline=ctx.deadline(30))
        else:
            await ctx.network(False)
            await tasks.get(c, task_id, deadline=ctx.deadline(2))
            await ctx.network(True)
        await _see_it_end(c, ctx, task_id)


@scenario("task-input-restart", "The server is killed and restarted while a task waits for the user's answer; "
          "a new client finds the task still waiting, answers (2025: on a new tasks/result stream) and the "
          "task completes.", roles=(TASK_INPUT,), checks=("tasks.state.terminal", "tasks.ext.state.terminal",
                                                          "tasks.state.transitions", "tasks.ttl.retention"),
          tags=("tasks", "restart", "elicitation"))
async def task_input_restart(ctx: Any) -> None:
    tool, args = ctx.role(TASK_INPUT)
    async with _client(ctx) as c:
        await _open(c, ctx)
        task_id = await _start_waiting(c, ctx, tool, args)
    await ctx.restart_target()
    async with _client(ctx, "C") as c:
        await c.open()
        await _see_it_end(c, ctx, task_id, " after the restart")
