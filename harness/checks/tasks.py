"""Task checks for 2025-11-25 (the spec's tasks utility), and TTL retention on both revisions: how a task's
status moves, what tasks/result returns, cancels of finished tasks, errors, fields, task progress, the
related-task tag on a task's questions. The 2026-07-28 extension's checks are in tasks_ext.py; what both
derive from a history is in task_model.py."""

from __future__ import annotations

from typing import Any

from harness.checks.model import Call, Derived, is_progress
from harness.checks.registry import Outcome, check
from harness.checks.task_model import (
    T25,
    creations,
    differs,
    is_iso,
    no_twin,
    observations,
    plain,
    refused_invalid,
    related_task,
    sync_outcome,
    terminal_moves,
    unknown_id_probes,
)
from harness.history import Verdict
from harness.revisions import TASK_PROGRESS_GRACE, TASK_STATUSES, TASK_TERMINAL, Revision


@check("task-starts-working", requirement="tasks.state.transitions", revisions=(Revision.R2025,), level="MUST",
       spec=f"{T25} § Task Status Lifecycle: Tasks MUST begin in the `working` status when created; receivers "
            "MUST only transition tasks through the valid paths")
def task_starts_working(d: Derived, out: Outcome) -> Verdict:
    tasks = observations(d)
    if not tasks:
        return out.unseen("no task was created")
    for task_id, obs in tasks.items():
        first = min(obs, key=lambda o: o.seq)
        # a task first seen in tasks/list was created outside this history (another run on the same server): its
        # beginning was not observed
        if first.status != "working" and first.source != "list":
            return out.fail(f"task {task_id} began {first.status!r} ({first.source}), not 'working'", [first.seq])
        for o in obs:
            if o.status not in TASK_STATUSES:
                return out.fail(f"task {task_id} reported an unknown status {o.status!r} ({o.source})", [o.seq])
    return out.ok(f"{len(tasks)} task(s) began working, every status a known one")


@check("task-terminal-stable", requirement="tasks.state.terminal", revisions=(Revision.R2025,), level="MUST NOT",
       spec=f"{T25} § Task Status Lifecycle: tasks with a completed, failed, or cancelled status are in a terminal "
            "state and MUST NOT transition to any other status")
def task_terminal_stable(d: Derived, out: Outcome) -> Verdict:
    return terminal_moves(d, out, compare_payload=False)


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
            if plain(m.get("result")) != plain(first.get("result")) or m.get("error") != first.get("error"):
                return out.fail(f"task {task_id}: tasks/result answered differently twice: {differs(first, m)}",
                                [d.response_seq(first_call) or 0, d.response_seq(c) or 0])
        sync = sync_outcome(d, created)
        if sync is None:
            continue
        compared += 1
        if "error" in sync or "error" in first:
            same = (sync.get("error") or {}).get("code") == (first.get("error") or {}).get("code")
        else:
            same = plain(sync.get("result")) == plain(first.get("result"))
        if not same:
            return out.fail(f"task {task_id}: tasks/result is not what the synchronous call returned: "
                            f"{differs(plain(first.get('result') or first.get('error')), plain(sync.get('result') or sync.get('error')))}",
                            [created.request.seq, d.response_seq(first_call) or 0])
    if not compared:
        return out.unseen(no_twin(d, made, "tasks/result answer"))
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


@check("task-unknown-id", requirement="tasks.errors", revisions=(Revision.R2025,), level="MUST",
       spec=f"{T25} § Protocol Errors: invalid or nonexistent taskId in tasks/get, tasks/result, or tasks/cancel: "
            "-32602 (Invalid params)")
def task_unknown_id(d: Derived, out: Outcome) -> Verdict:
    return refused_invalid(d, out, unknown_id_probes(d, ("tasks/get", "tasks/result", "tasks/cancel")))


@check("task-fields", requirement="tasks.fields", revisions=(Revision.R2025,), level="MUST",
       spec=f"{T25} § TTL and Resource Management: receivers MUST include createdAt and lastUpdatedAt (ISO 8601) in "
            "all task responses, and the actual ttl (or null) in tasks/get responses")
def task_fields(d: Derived, out: Outcome) -> Verdict:
    tasks = observations(d)
    if not tasks:
        return out.unseen("no task was seen")
    for task_id, obs in tasks.items():
        for o in obs:
            for key in ("createdAt", "lastUpdatedAt"):
                if not is_iso(o.task.get(key)):
                    return out.fail(f"task {task_id} ({o.source}): {key} is {o.task.get(key)!r}, not an ISO 8601 "
                                    "date-time", [o.seq])
            if o.source == "get" and "ttl" not in o.task:
                return out.fail(f"task {task_id}: tasks/get without the actual `ttl`", [o.seq])
    return out.ok(f"{len(tasks)} task(s) with ISO 8601 createdAt/lastUpdatedAt, and ttl on tasks/get")


@check("task-retained", requirement="tasks.ttl.retention", revisions=(Revision.R2025, Revision.R2026),
       level="implied (SHOULD NOT)", spec=f"{T25} § TTL and Resource Management: after a task's ttl has elapsed, "
       "receivers MAY delete the task and its results (so not before); {T26} § Task Polling (ttlMs)")
def task_retained(d: Derived, out: Outcome) -> Verdict:
    made = creations(d)
    tasks = observations(d)
    # (not tasks/cancel: its -32602 also means "already terminal")
    asked = [c for c in d.calls if c.method in ("tasks/get", "tasks/result")
             and c.params.get("taskId") in made and d.response_of(c) is not None]
    if not asked:
        return out.unseen("no request about a task this history created")
    for c in asked:
        task_id = c.params["taskId"]
        if ((d.response_of(c) or {}).get("error") or {}).get("code") != -32602:
            continue
        seen = [o for o in tasks.get(task_id, []) if o.seq < c.request.seq]
        if not d.traits.tasks_extension and any(o.status == "cancelled" for o in seen):
            continue  # 2025 (the core utility): a cancelled task may be deleted at any time
        first = min(seen, key=lambda o: o.seq) if seen else None
        ttl = first.task.get(d.traits.ttl_field) if first else None
        created = made[task_id]
        age = d.h.records[c.request.seq].t - d.h.records[d.response_seq(created) or created.request.seq].t
        if isinstance(ttl, int | float) and age * 1000 > ttl:
            continue  # its TTL ran out: deleting it was allowed
        return out.fail(f"{c.method} of task {task_id} found no such task {age:.2f}s after it was created, before its "
                        f"TTL ({ttl!r} ms) ran out", [created.request.seq, c.request.seq, d.response_seq(c) or 0])
    return out.ok(f"{len(asked)} request(s) about created tasks, none lost before their TTL")
