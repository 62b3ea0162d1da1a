"""Tasks: how a task's status moves, what its result is, who may get one (both revisions).

Every place a task shows itself is an observation: the CreateTaskResult, each `tasks/get`,
`tasks/list` entry, 2025 `tasks/cancel` result, and status notifications on any stream. A task's
observations are ordered by `lastUpdatedAt`, then by arrival (the catalogue's rule, so an
eventually-consistent read that is older than one already seen is not a move back).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from harness.checks.model import Call, Derived, is_progress
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import (
    RELATED_TASK,
    TASK_PROGRESS_GRACE,
    TASK_STATUSES,
    TASK_TERMINAL,
    Revision,
    declares_tasks,
    task_of,
)

T25 = "2025-11-25_basic_utilities_tasks.mdx"
T26 = "sep-2663-tasks-extension.md"
NOTIFICATIONS = ("notifications/tasks/status", "notifications/tasks")


@dataclass(frozen=True)
class Observation:
    seq: int
    t: float
    status: str
    source: str  # create | get | list | cancel | notification
    task: dict[str, Any]

    @property
    def updated(self) -> float:
        try:
            return datetime.fromisoformat(str(self.task.get("lastUpdatedAt")).replace("Z", "+00:00")).timestamp()
        except ValueError:
            return float("-inf")


def _result(d: Derived, call: Call) -> tuple[int, dict[str, Any]] | None:
    msg = d.response_of(call)
    seq = d.response_seq(call)
    res = (msg or {}).get("result")
    return (seq, res) if isinstance(res, dict) and seq is not None else None


def observations(d: Derived) -> dict[str, list[Observation]]:
    """Task id -> its observations, ordered by lastUpdatedAt then arrival."""
    out: dict[str, list[Observation]] = {}

    def add(seq: int, source: str, task: Any) -> None:
        if isinstance(task, dict) and isinstance(task.get("taskId"), str):
            t = d.h.records[seq].t if 0 <= seq < len(d.h.records) else 0.0
            out.setdefault(task["taskId"], []).append(Observation(seq, t, str(task.get("status")), source, task))

    for call in d.calls:
        got = _result(d, call)
        if got is None:
            continue
        seq, res = got
        if call.method == "tools/call":
            add(seq, "create", task_of(res, d.revision))
        elif call.method == "tasks/get":
            add(seq, "get", res)
        elif call.method == "tasks/list":
            for task in res.get("tasks") or []:
                add(seq, "list", task)
        elif call.method == "tasks/cancel" and d.revision == Revision.R2025.value:
            add(seq, "cancel", res)
    for evs in d.events.values():
        for e in evs:
            if isinstance(e.message, dict) and e.message.get("method") in NOTIFICATIONS:
                add(e.seq, "notification", e.message.get("params"))
    for obs in out.values():
        obs.sort(key=lambda o: (o.updated, o.seq))
    return out


def creations(d: Derived) -> dict[str, Call]:
    """Task id -> the tools/call that created it."""
    out = {}
    for call in d.tool_calls():
        got = _result(d, call)
        task = task_of(got[1], d.revision) if got else None
        if task is not None:
            out[str(task["taskId"])] = call
    return out


def _plain(result: Any) -> Any:
    """A result as the tool produced it: without `_meta` (related-task, serverInfo stamps)."""
    return {k: v for k, v in result.items() if k != "_meta"} if isinstance(result, dict) else result


def _sync_outcome(d: Derived, created: Call) -> dict[str, Any] | None:
    """The response of a synchronous call (no task) of the same tool and arguments, if there is one."""
    for call in d.tool_calls():
        if call is created or call.tool != created.tool:
            continue
        msg = d.response_of(call)
        if msg is None or task_of(msg.get("result"), d.revision) is not None:
            continue
        if isinstance(msg.get("result"), dict) and msg["result"].get("resultType") == "input_required":
            continue
        return msg
    return None


def _differs(a: Any, b: Any) -> str:
    return f"{json.dumps(a, sort_keys=True)[:200]} vs {json.dumps(b, sort_keys=True)[:200]}"


@check("task-starts-working", requirement="tasks.state.transitions", revisions=(Revision.R2025,), level="MUST",
       spec=f"{T25} § Task Status Lifecycle: Tasks MUST begin in the `working` status when created; receivers "
            "MUST only transition tasks through the valid paths")
def task_starts_working(d: Derived, out: Outcome) -> Verdict:
    tasks = observations(d)
    if not tasks:
        return out.unseen("no task was created")
    for task_id, obs in tasks.items():
        first = min(obs, key=lambda o: o.seq)
        if first.status != "working":
            return out.fail(f"task {task_id} began {first.status!r} ({first.source}), not 'working'", [first.seq])
        for o in obs:
            if o.status not in TASK_STATUSES:
                return out.fail(f"task {task_id} reported an unknown status {o.status!r} ({o.source})", [o.seq])
    return out.ok(f"{len(tasks)} task(s) began working, every status a known one")


def _terminal_moves(d: Derived, out: Outcome, compare_payload: bool) -> Verdict:
    tasks = observations(d)
    ended = {tid: obs for tid, obs in tasks.items() if any(o.status in TASK_TERMINAL for o in obs)}
    if not ended:
        return out.unseen("no task was seen in a terminal status")
    for task_id, obs in ended.items():
        first = next(o for o in obs if o.status in TASK_TERMINAL)
        for o in obs[obs.index(first) + 1:]:
            if o.status != first.status:
                return out.fail(f"task {task_id} was {first.status} ({first.source}), later {o.status} "
                                f"({o.source})", [first.seq, o.seq])
            for key in ("result", "error") if compare_payload else ():
                if key in first.task and key in o.task and _plain(first.task[key]) != _plain(o.task[key]):
                    return out.fail(f"task {task_id}: its {key} changed after it was {first.status}: "
                                    f"{_differs(first.task[key], o.task[key])}", [first.seq, o.seq])
    return out.ok(f"{len(ended)} task(s) stayed in their terminal status")


@check("task-terminal-stable", requirement="tasks.state.terminal", revisions=(Revision.R2025,), level="MUST NOT",
       spec=f"{T25} § Task Status Lifecycle: tasks with a completed, failed, or cancelled status are in a terminal "
            "state and MUST NOT transition to any other status")
def task_terminal_stable(d: Derived, out: Outcome) -> Verdict:
    return _terminal_moves(d, out, compare_payload=False)


@check("task-ext-terminal-stable", requirement="tasks.ext.state.terminal", revisions=(Revision.R2026,),
       level="implied (SHOULD NOT)",
       spec=f"{T26} § Task Status, § Task Polling: completed, failed and cancelled are terminal (clients poll "
            "until one); a terminal task's status, result or error should not change")
def task_ext_terminal_stable(d: Derived, out: Outcome) -> Verdict:
    return _terminal_moves(d, out, compare_payload=True)


@check("task-result-exact", requirement="tasks.result.terminal", revisions=(Revision.R2025,), level="MUST",
       spec=f"{T25} § Result Retrieval: for tasks in a terminal status, receivers MUST return from tasks/result "
            "exactly what the underlying request would have returned")
def task_result_exact(d: Derived, out: Outcome) -> Verdict:
    made = creations(d)
    compared = 0
    for task_id, created in made.items():
        answers: list[tuple[Call, dict[str, Any]]] = [
            (c, m) for c in d.calls if c.method == "tasks/result" and c.params.get("taskId") == task_id
            and (m := d.response_of(c)) is not None]
        if not answers:
            continue
        first_call, first = answers[0]
        for c, m in answers[1:]:
            if _plain(m.get("result")) != _plain(first.get("result")) or m.get("error") != first.get("error"):
                return out.fail(f"task {task_id}: tasks/result answered differently twice: {_differs(first, m)}",
                                [d.response_seq(first_call) or 0, d.response_seq(c) or 0])
        sync = _sync_outcome(d, created)
        if sync is None:
            continue
        compared += 1
        if "error" in sync or "error" in first:
            same = (sync.get("error") or {}).get("code") == (first.get("error") or {}).get("code")
        else:
            same = _plain(sync.get("result")) == _plain(first.get("result"))
        if not same:
            return out.fail(f"task {task_id}: tasks/result is not what the synchronous call returned: "
                            f"{_differs(_plain(first.get('result') or first.get('error')), _plain(sync.get('result') or sync.get('error')))}",
                            [created.request.seq, d.response_seq(first_call) or 0])
    if not compared:
        return out.unseen("no tasks/result answer with a synchronous call of the same tool to compare with")
    return out.ok(f"{compared} task result(s) equal to the synchronous call's")


@check("task-ext-result-exact", requirement="harness.tasks.result-exact", revisions=(Revision.R2026,), level="MUST",
       spec=f"{T26} § Tasks (CompletedTask.result: the final result of the task, the result type of the original "
            "request), § Task Execution Errors (failed: the JSON-RPC error); Faultline: equal to an undisturbed "
            "synchronous call's")
def task_ext_result_exact(d: Derived, out: Outcome) -> Verdict:
    made = creations(d)
    tasks = observations(d)
    compared = 0
    for task_id, created in made.items():
        final = next((o for o in tasks.get(task_id, []) if o.status in ("completed", "failed")), None)
        sync = _sync_outcome(d, created)
        if final is None or sync is None:
            continue
        compared += 1
        if final.status == "completed":
            got, want = _plain(final.task.get("result")), _plain(sync.get("result"))
        else:
            got, want = (final.task.get("error") or {}).get("code"), (sync.get("error") or {}).get("code")
        if got != want:
            return out.fail(f"task {task_id} ended {final.status} with something else than the synchronous call "
                            f"gave: {_differs(got, want)}", [created.request.seq, final.seq])
    if not compared:
        return out.unseen("no finished task with a synchronous call of the same tool to compare with")
    return out.ok(f"{compared} task result(s) equal to the synchronous call's")


@check("task-cancel-terminal", requirement="tasks.cancel.terminal", revisions=(Revision.R2025,), level="MUST",
       spec=f"{T25} § Task Cancellation: receivers MUST reject cancellation requests for tasks already in a "
            "terminal status with error code -32602")
def task_cancel_terminal(d: Derived, out: Outcome) -> Verdict:
    tasks = observations(d)
    seen = 0
    for call in d.calls:
        if call.method != "tasks/cancel":
            continue
        task_id = call.params.get("taskId")
        before = [o for o in tasks.get(str(task_id), []) if o.seq < call.request.seq]
        if not before or before[-1].status not in TASK_TERMINAL:
            continue
        msg = d.response_of(call)
        if msg is None:
            continue
        seen += 1
        code = (msg.get("error") or {}).get("code")
        if code != -32602:
            what = f"error {code}" if "error" in msg else "a result"
            return out.fail(f"tasks/cancel of task {task_id}, already {before[-1].status}, got {what}, not -32602",
                            [before[-1].seq, call.request.seq, d.response_seq(call) or 0])
    if not seen:
        return out.unseen("no tasks/cancel of a task already seen terminal")
    return out.ok(f"{seen} cancel(s) of finished tasks refused with -32602")


@check("task-needs-extension", requirement="tasks.ext.requires-capability", revisions=(Revision.R2026,),
       level="MUST NOT", spec=f"{T26} § Capability Negotiation: a server MUST NOT return CreateTaskResult to a client "
                              "that did not include the extension capability on its request")
def task_needs_extension(d: Derived, out: Outcome) -> Verdict:
    seen = 0
    for call in d.tool_calls():
        if declares_tasks(call.params):
            continue
        got = _result(d, call)
        if got is None:
            continue
        seen += 1
        res = got[1]
        if res.get("resultType") == "task" or ("taskId" in res and "status" in res):
            return out.fail(f"tools/call {call.params.get('name')!r} without the tasks extension was answered with a "
                            "task", [call.request.seq, got[0]])
    if not seen:
        return out.unseen("no tool call without the tasks extension got a result")
    return out.ok(f"{seen} call(s) without the tasks extension, none answered with a task")


@check("task-progress-stops", requirement="progress.task.stop-terminal", revisions=(Revision.R2025,), level="MUST",
       spec="2025-11-25_basic_utilities_progress.mdx § Behavior Requirements: progress notifications for tasks MUST "
            "stop after the task reaches a terminal status")
def task_progress_stops(d: Derived, out: Outcome) -> Verdict:
    tasks = observations(d)
    judged = 0
    for task_id, created in creations(d).items():
        token = created.token
        ended = [o for o in tasks.get(task_id, []) if o.status in TASK_TERMINAL]
        if token is None or not ended:
            continue
        judged += 1
        end = min(ended, key=lambda o: o.seq)
        for evs in d.events.values():
            for e in evs:
                if (is_progress(e.message) and (e.message.get("params") or {}).get("progressToken") == token
                        and e.t > end.t + TASK_PROGRESS_GRACE):
                    return out.fail(f"progress for task {task_id} (token {token!r}) {e.t - end.t:.2f}s after it was "
                                    f"seen {end.status}", [end.seq, e.seq])
    if not judged:
        return out.unseen("no task with a progress token was seen terminal")
    return out.ok(f"{judged} task(s): no progress after their terminal status")


@check("task-input-related", requirement="tasks.input-required.related-task", revisions=(Revision.R2025,),
       level="MUST", spec=f"{T25} § Input Required Status: the receiver MUST include the "
                          "io.modelcontextprotocol/related-task metadata in the request to associate it with the task")
def task_input_related(d: Derived, out: Outcome) -> Verdict:
    asked = 0
    for call in d.calls:
        if call.method != "tasks/result":
            continue
        for e in call.stream:
            msg = e.message
            if not (isinstance(msg, dict) and "id" in msg and msg.get("method") in ("elicitation/create",
                                                                                   "sampling/createMessage")):
                continue
            asked += 1
            if related_task(msg) != call.params.get("taskId"):
                return out.fail(f"{msg['method']} on the tasks/result stream of task {call.params.get('taskId')} "
                                f"names task {related_task(msg)!r} in its related-task _meta", [call.request.seq, e.seq])
    if not asked:
        return out.unseen("no elicitation or sampling request arrived on a tasks/result stream")
    return out.ok(f"{asked} request(s) for a task's input, each naming its task")


def related_task(msg: Any) -> str | None:
    """The task a message says it belongs to (`_meta` related-task), if any."""
    params = msg.get("params") if isinstance(msg, dict) else None
    meta = params.get("_meta") if isinstance(params, dict) else None
    rel = meta.get(RELATED_TASK) if isinstance(meta, dict) else None
    return rel.get("taskId") if isinstance(rel, dict) and isinstance(rel.get("taskId"), str) else None
