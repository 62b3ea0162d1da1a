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
from collections.abc import Callable

import anyio

from scenarios.api import (
    JSON,
    TASK,
    TASK_INPUT,
    TASK_TERMINAL,
    Client,
    NotApplicable,
    Revision,
    ScenarioContext,
    Task,
    scenario,
)
from scenarios.api import TASK_PROGRESS_GRACE as PROGRESS_GRACE

STEP = re.compile(r"step (\d+)/(\d+)")
LIFECYCLE_CHECKS = ("tasks.state.transitions", "tasks.state.terminal", "tasks.ext.state.terminal",
                    "tasks.result.terminal", "harness.tasks.result-exact", "tasks.cancel.terminal",
                    "tasks.ext.requires-capability", "progress.task.stop-terminal", "tasks.errors",
                    "tasks.ext.errors.unknown-id", "tasks.fields", "tasks.ext.get.shape", "tasks.ext.ack-empty",
                    "tasks.ext.durable-create")
UNKNOWN_TASK = "faultline-no-such-task-0000"
QUIET_PAST_GRACE = 0.4  # seconds task-lifecycle (2025) listens past the end plus PROGRESS_GRACE for a late progress
DURABLE_CHECKS = ("tasks.result.terminal", "harness.tasks.result-exact", "tasks.state.terminal",
                  "tasks.ext.state.terminal", "tasks.state.transitions", "tasks.ttl.retention",
                  "tasks.ext.durable-create")
# What task-lifecycle asks about a finished task besides polling it, per revision (data, as `revisions=`): the
# requests each revision defines for it. 2025-11-25: tasks/result a second time (the same answer), a cancel
# (refused: terminal), tasks/list, then a quiet while for a late progress notification; 2026-07-28: a cancel and
# one more poll. Then the requests taking a task id, asked about an id nobody was given.
AFTER_THE_END: dict[Revision, tuple[str, ...]] = {Revision.R2025: ("result", "cancel", "list", "quiet"),
                                                  Revision.R2026: ("cancel", "get")}
UNKNOWN_ID_REQUESTS: dict[Revision, tuple[str, ...]] = {Revision.R2025: ("tasks/get", "tasks/result", "tasks/cancel"),
                                                        Revision.R2026: ("tasks/get",)}


def _client(ctx: ScenarioContext, name: str = "A") -> Client:
    return ctx.client(name, tasks=True)


async def _open(c: Client) -> None:
    opened = await c.open()
    if not c.offers_tasks(opened):
        raise NotApplicable("the server does not offer task-augmented tool calls")


async def _start(c: Client, ctx: ScenarioContext, tool: str, args: JSON, token: str | None = None) -> str:
    out, task = await c.start_task(tool, args, progress_token=token, deadline=ctx.deadline(10))
    if task is None:
        if out.result is not None or out.error is not None:
            raise NotApplicable(f"{tool} answered without creating a task")
        raise RuntimeError(f"the task-augmented call of {tool} got no answer ({out.ended or out.status})")
    return str(task["taskId"])


def _status_is(*statuses: str) -> Callable[[Task], bool]:
    return lambda task: task.get("status") in statuses


def _terminal(task: Task) -> bool:
    return task.get("status") in TASK_TERMINAL


async def _start_waiting(c: Client, ctx: ScenarioContext, tool: str, args: JSON) -> str:
    """Start the task and poll until it asks for input (NotApplicable if it never does)."""
    task_id = await _start(c, ctx, tool, args)
    waiting = await c.poll_task(task_id, _status_is("input_required", *TASK_TERMINAL), ctx.deadline(10))
    if waiting is None or waiting.get("status") != "input_required":
        raise NotApplicable(f"{tool} did not ask for input as a task")
    return task_id


async def _sync_twin(ctx: ScenarioContext, tool: str, args: JSON) -> None:
    """The same call made synchronously, by a client that did not negotiate tasks (Client.untasked_call)."""
    async with ctx.client("B") as b:
        await b.open()
        await b.untasked_call(tool, args, deadline=ctx.deadline(20))


async def _see_it_end(c: Client, ctx: ScenarioContext, task_id: str, after: str = "") -> Task | None:
    """Drive the task to its end, then look at it a few more times (a finished task must stay finished)."""
    final = await c.finish_task(task_id)
    if final is None:
        ctx.note(f"the task never reached a terminal status{after}", task=task_id)
    await _after_terminal(c, ctx, task_id)
    return final


async def _after_terminal(c: Client, ctx: ScenarioContext, task_id: str, polls: int = 3) -> None:
    for _ in range(polls):
        await c.get_task(task_id, deadline=ctx.deadline(5))


async def _at_step(c: Client, ctx: ScenarioContext, task_id: str, step: int) -> Task | None:
    """Poll until the task says it reached `step` (its statusMessage "step k/N") or is no longer working."""
    def reached(task: Task) -> bool:
        m = STEP.search(str(task.get("statusMessage") or ""))
        return task.get("status") != "working" or (m is not None and int(m.group(1)) >= step)
    return await c.poll_task(task_id, reached, ctx.deadline(10))


async def _after_the_end(c: Client, ctx: ScenarioContext, task_id: str, ended: float) -> None:
    """AFTER_THE_END at the run's revision."""
    for step in AFTER_THE_END[ctx.revision]:
        if step == "result":
            await c.task_result(task_id, deadline=ctx.deadline(10))
        elif step == "cancel":
            await c.call("tasks/cancel", {"taskId": task_id}, deadline=ctx.deadline(5), purpose="cancel")
        elif step == "list":
            await c.call("tasks/list", {}, deadline=ctx.deadline(5), purpose="list")
        elif step == "get":
            await _after_terminal(c, ctx, task_id, polls=1)
        elif step == "quiet":
            # keep listening a while: progress for the finished task must not come (a late one ends the wait).
            # Not scaled: the check's grace after the terminal status is a fixed PROGRESS_GRACE seconds.
            await c.notified("notifications/progress", max(0.0, ended + PROGRESS_GRACE + QUIET_PAST_GRACE - ctx.now()),
                             after=ended + PROGRESS_GRACE + 0.1)


@scenario("task-lifecycle", "A task-augmented call of the task tool polled to its end: starts working, ends "
          "terminal and stays there, its result is the synchronous call's; a cancel of the finished task is "
          "refused (2025); a client that did not negotiate tasks gets a plain result (2026).",
          roles=(TASK,), checks=LIFECYCLE_CHECKS, tags=("tasks", "long"))
async def task_lifecycle(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(TASK)
    async with _client(ctx) as c, anyio.create_task_group() as tg:
        await _open(c)
        # 2025: the task's progress travels on the standalone stream (2026 has none)
        await c.open_standalone_stream(tg, deadline=ctx.deadline(30), wait=ctx.deadline(5))
        task_id = await _start(c, ctx, tool, args, token="task-progress")
        final = await c.finish_task(task_id)
        ended = ctx.now()
        if final is None:
            ctx.note("the task never reached a terminal status", task=task_id)
        await _after_terminal(c, ctx, task_id)
        await _after_the_end(c, ctx, task_id, ended)
        for method in UNKNOWN_ID_REQUESTS[ctx.revision]:  # a task id nobody was given
            await c.call(method, {"taskId": UNKNOWN_TASK}, deadline=ctx.deadline(5), purpose="unknown-task")
        tg.cancel_scope.cancel()
    await _sync_twin(ctx, tool, args)


@scenario("task-cut-poll", "The network goes down while a task runs (2025: right after tasks/result opened its "
          "stream, which is then resumed with Last-Event-ID); polls fail, the network comes back, polling goes on "
          "to the result, which is the synchronous call's.", roles=(TASK,), checks=DURABLE_CHECKS, tags=("tasks", "long"))
async def task_cut_poll(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(TASK)
    async with _client(ctx) as c:
        await _open(c)
        task_id = await _start(c, ctx, tool, args)
        await _at_step(c, ctx, task_id, 1)
        # 2025: tasks/result opens the task's stream: priming, then cut (2026 has no such stream: None)
        lost = await c.task_result(task_id, cut_after=1, deadline=ctx.deadline(10))
        await ctx.network(False)
        await c.get_task(task_id, deadline=ctx.deadline(2))  # fails: nobody is there
        await ctx.network(True)
        await c.reconnect(lost, deadline=ctx.deadline(30))
        await _see_it_end(c, ctx, task_id, " after the outage")
    await _sync_twin(ctx, tool, args)


@scenario("task-restart-each-step", "The server is killed (SIGKILL) and restarted at every step of a running "
          "task; after each restart a new client finds the task by id and it goes on; the polled result is the "
          "synchronous call's.", roles=(TASK,), checks=DURABLE_CHECKS, tags=("tasks", "restart", "long"))
async def task_restart_each_step(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(TASK)
    async with _client(ctx) as c:
        await _open(c)
        task_id = await _start(c, ctx, tool, args)
    ctx.note("kill at step 0, right after the task was created", task=task_id)
    await ctx.restart_target()
    step, total = 1, None
    while total is None or step < total:
        async with _client(ctx) as c:
            await c.connect()
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
async def task_cancel(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(TASK)
    async with _client(ctx) as c:
        await _open(c)
        task_id = await _start(c, ctx, tool, args)
        await c.call("tasks/cancel", {"taskId": task_id}, deadline=ctx.deadline(5), purpose="cancel")
        await c.poll_task(task_id, _terminal, ctx.deadline(10))
        await _after_terminal(c, ctx, task_id, polls=5)


@scenario("task-input-reconnect", "A task that needs the user's answer (input_required) is answered after a "
          "reconnect: 2025 the tasks/result stream is cut before the question arrives and resumed with "
          "Last-Event-ID, where the question waits; 2026 the network drops while the task waits, and the "
          "answer goes by tasks/update once it is back. The task then completes.",
          roles=(TASK_INPUT,), checks=("tasks.state.terminal", "tasks.ext.state.terminal", "tasks.state.transitions",
                                       "tasks.input-required.related-task"), tags=("tasks", "elicitation"))
async def task_input_reconnect(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(TASK_INPUT)
    async with _client(ctx) as c:
        await _open(c)
        task_id = await _start_waiting(c, ctx, tool, args)
        lost = await c.task_result(task_id, cut_after=1, deadline=ctx.deadline(10))  # 2025: the question's stream
        if lost is not None:
            await c.reconnect(lost, deadline=ctx.deadline(30))
        else:  # no stream carries the question (2026): the connection is lost while the task waits
            await ctx.network(False)
            await c.get_task(task_id, deadline=ctx.deadline(2))
            await ctx.network(True)
        await _see_it_end(c, ctx, task_id)


@scenario("task-input-restart", "The server is killed and restarted while a task waits for the user's answer; "
          "a new client finds the task still waiting, answers (2025: on a new tasks/result stream) and the "
          "task completes.", roles=(TASK_INPUT,), checks=("tasks.state.terminal", "tasks.ext.state.terminal",
                                                          "tasks.state.transitions", "tasks.ttl.retention"),
          tags=("tasks", "restart", "elicitation"))
async def task_input_restart(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(TASK_INPUT)
    async with _client(ctx) as c:
        await _open(c)
        task_id = await _start_waiting(c, ctx, tool, args)
    await ctx.restart_target()
    async with _client(ctx, "C") as c:
        await c.open()
        await _see_it_end(c, ctx, task_id, " after the restart")
