"""Task checks for 2026-07-28, the `io.modelcontextprotocol/tasks` extension (SEP-2663): negotiation per
request, the shape of tasks/get, empty acknowledgements, durable creation, terminal stability and the
result against a synchronous call. What they derive from a history is in task_model.py."""

from __future__ import annotations

import json

from harness.checks.model import Derived
from harness.checks.registry import Outcome, check
from harness.checks.task_model import (
    T26,
    creations,
    differs,
    is_iso,
    no_twin,
    observations,
    plain,
    refused_invalid,
    result_of,
    sync_outcome,
    terminal_moves,
    unknown_id_probes,
)
from harness.history import Fault, Verdict
from harness.revisions import Revision, declares_tasks


@check("task-ext-terminal-stable", requirement="tasks.ext.state.terminal", revisions=(Revision.R2026,),
       level="implied (SHOULD NOT)",
       spec=f"{T26} § Task Status, § Task Polling: completed, failed and cancelled are terminal (clients poll "
            "until one); a terminal task's status, result or error should not change")
def task_ext_terminal_stable(d: Derived, out: Outcome) -> Verdict:
    return terminal_moves(d, out, compare_payload=True)


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
        sync = sync_outcome(d, created)
        if final is None or sync is None:
            continue
        compared += 1
        if final.status == "completed":
            got, want = plain(final.task.get("result")), plain(sync.get("result"))
        else:
            got, want = (final.task.get("error") or {}).get("code"), (sync.get("error") or {}).get("code")
        if got != want:
            return out.fail(f"task {task_id} ended {final.status} with something else than the synchronous call "
                            f"gave: {differs(got, want)}", [created.request.seq, final.seq])
    if not compared:
        return out.unseen(no_twin(d, made, "finished task"))
    return out.ok(f"{compared} task result(s) equal to the synchronous call's")


@check("task-needs-extension", requirement="tasks.ext.requires-capability", revisions=(Revision.R2026,),
       level="MUST NOT", spec=f"{T26} § Capability Negotiation: a server MUST NOT return CreateTaskResult to a client "
                              "that did not include the extension capability on its request")
def task_needs_extension(d: Derived, out: Outcome) -> Verdict:
    seen = 0
    for call in d.tool_calls():
        if declares_tasks(call.params):
            continue
        got = result_of(d, call)
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


@check("task-ext-unknown-id", requirement="tasks.ext.errors.unknown-id", revisions=(Revision.R2026,), level="MUST",
       spec=f"{T26} § Protocol Errors: an unknown task id gets -32602; servers MUST return this error for tasks/get")
def task_ext_unknown_id(d: Derived, out: Outcome) -> Verdict:
    return refused_invalid(d, out, unknown_id_probes(d, ("tasks/get",)))


@check("task-ext-get-shape", requirement="tasks.ext.get.shape", revisions=(Revision.R2026,), level="MUST",
       spec=f"{T26} § Task Polling: input_required MUST carry inputRequests, completed a result, failed the error; "
            "every task has createdAt, lastUpdatedAt and ttlMs")
def task_ext_get_shape(d: Derived, out: Outcome) -> Verdict:
    gets = [o for obs in observations(d).values() for o in obs if o.source == "get"]
    if not gets:
        return out.unseen("no tasks/get answer")
    need = {"input_required": "inputRequests", "completed": "result", "failed": "error"}
    for o in gets:
        key = need.get(o.status)
        if key is not None and not isinstance(o.task.get(key), dict):
            return out.fail(f"tasks/get of task {o.task.get('taskId')}: {o.status} without `{key}`", [o.seq])
        if o.status == "input_required" and not o.task.get("inputRequests"):
            return out.fail(f"tasks/get of task {o.task.get('taskId')}: input_required with no request", [o.seq])
        ttl = o.task.get("ttlMs", "missing")
        if not (is_iso(o.task.get("createdAt")) and is_iso(o.task.get("lastUpdatedAt"))
                and (ttl is None or (isinstance(ttl, int) and not isinstance(ttl, bool)))):
            return out.fail(f"tasks/get of task {o.task.get('taskId')}: createdAt/lastUpdatedAt/ttlMs malformed "
                            f"({o.task.get('createdAt')!r}, {o.task.get('lastUpdatedAt')!r}, {ttl!r})", [o.seq])
    return out.ok(f"{len(gets)} tasks/get answer(s) shaped for their status")


@check("task-ext-ack", requirement="tasks.ext.ack-empty", revisions=(Revision.R2026,), level="MUST",
       spec=f"{T26} § Task Update Requests, § Task Cancellation: on success the server MUST acknowledge with an "
            "empty result (resultType \"complete\")")
def task_ext_ack(d: Derived, out: Outcome) -> Verdict:
    acks = [c for c in d.calls if c.method in ("tasks/update", "tasks/cancel") and result_of(d, c) is not None]
    if not acks:
        return out.unseen("no tasks/update or tasks/cancel was acknowledged")
    for c in acks:
        seq, res = result_of(d, c) or (0, {})
        extra = sorted(k for k in res if k not in ("resultType", "_meta"))
        if res.get("resultType") != "complete" or extra:
            return out.fail(f"{c.method} acknowledged with {json.dumps(res)[:160]}: not an empty result "
                            "(resultType complete)", [c.request.seq, seq])
    return out.ok(f"{len(acks)} empty acknowledgement(s)")


@check("task-ext-durable-create", requirement="tasks.ext.durable-create", revisions=(Revision.R2026,),
       level="MUST NOT", spec=f"{T26} § Task Creation: a server MUST NOT return CreateTaskResult until the task is "
                              "durably created, that is, until a tasks/get for the returned taskId would resolve")
def task_ext_durable_create(d: Derived, out: Outcome) -> Verdict:
    made = creations(d)
    polls = [c for c in d.calls if c.method == "tasks/get" and c.params.get("taskId") in made
             and d.response_of(c) is not None]
    if not polls:
        return out.unseen("no tasks/get of a task this history created")
    for c in polls:
        msg = d.response_of(c) or {}
        if (msg.get("error") or {}).get("code") == -32602:
            created = made[c.params["taskId"]]
            restarts = [f.seq for f in d.h.of(Fault) if f.action == "restart" and created.request.seq < f.seq
                        < c.request.seq]
            why = " after a server restart (the task did not survive it)" if restarts else ""
            return out.fail(f"tasks/get of task {c.params['taskId']}, created by an answer already received, "
                            f"found no such task{why}",
                            [created.request.seq, d.response_seq(created) or 0, *restarts, c.request.seq])
    return out.ok(f"{len(polls)} tasks/get of created tasks, each found its task")
