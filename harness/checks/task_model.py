"""What the task checks derive from a history: every observation of each task, who created it, the
synchronous twin to compare with, and small helpers shared by the 2025 (tasks.py) and 2026 (tasks_ext.py)
checks.

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

from harness.checks.model import Call, Derived
from harness.checks.registry import Outcome
from harness.history import Verdict
from harness.revisions import RELATED_TASK, TASK_TERMINAL, task_of

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


def result_of(d: Derived, call: Call) -> tuple[int, dict[str, Any]] | None:
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
        got = result_of(d, call)
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
        elif call.method == "tasks/cancel" and not d.traits.tasks_extension:  # the core utility answers the Task
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
        got = result_of(d, call)
        task = task_of(got[1], d.revision) if got else None
        if task is not None:
            out[str(task["taskId"])] = call
    return out


def plain(result: Any) -> Any:
    """A result as the tool produced it: without `_meta` (related-task, serverInfo stamps)."""
    return {k: v for k, v in result.items() if k != "_meta"} if isinstance(result, dict) else result


# A plain call refused because the tool runs only as a task: 2025 -32601 for a tool declaring taskSupport "required",
# 2026 -32021 (Missing Required Client Capability) for a client without the tasks extension. Not a result to compare.
TASK_ONLY_REFUSALS = (-32601, -32021)


def task_only_tools(d: Derived) -> set[str]:
    """Tools a tools/list answer in the history declares `execution.taskSupport: "required"`."""
    out = set()
    for call in d.calls:
        res = (d.response_of(call) or {}).get("result") if call.method == "tools/list" else None
        for tool in (res.get("tools") or []) if isinstance(res, dict) else []:
            execution = tool.get("execution") if isinstance(tool, dict) else None
            if isinstance(execution, dict) and execution.get("taskSupport") == "required":
                out.add(str(tool.get("name")))
    return out


def sync_outcome(d: Derived, created: Call) -> dict[str, Any] | None:
    """The response of a synchronous call (no task) of the same tool and arguments, if there is one. A tool that
    runs only as a task has none: a plain call of it is refused, rightly, and that refusal is no twin."""
    if created.tool is None or created.tool[0] in task_only_tools(d):
        return None
    for call in d.tool_calls():
        if call is created or call.tool != created.tool:
            continue
        msg = d.response_of(call)
        if msg is None or task_of(msg.get("result"), d.revision) is not None:
            continue
        if isinstance(msg.get("result"), dict) and msg["result"].get("resultType") == "input_required":
            continue
        if (msg.get("error") or {}).get("code") in TASK_ONLY_REFUSALS:
            continue
        return msg
    return None


def no_twin(d: Derived, made: dict[str, Call], what: str) -> str:
    """Why no task of the history could be compared with a synchronous call (a NOT-OBSERVED reason)."""
    only = sorted({c.tool[0] for c in made.values() if c.tool is not None} & task_only_tools(d))
    if only:
        return (f"{', '.join(only)} declare(s) execution.taskSupport \"required\": a plain call of it is rightly "
                f"refused, so there is no synchronous result to compare the {what} with")
    return f"no {what} with a synchronous call of the same tool to compare with"


def differs(a: Any, b: Any) -> str:
    return f"{json.dumps(a, sort_keys=True)[:200]} vs {json.dumps(b, sort_keys=True)[:200]}"


def terminal_moves(d: Derived, out: Outcome, compare_payload: bool) -> Verdict:
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
                if key in first.task and key in o.task and plain(first.task[key]) != plain(o.task[key]):
                    return out.fail(f"task {task_id}: its {key} changed after it was {first.status}: "
                                    f"{differs(first.task[key], o.task[key])}", [first.seq, o.seq])
    return out.ok(f"{len(ended)} task(s) stayed in their terminal status")


def unknown_id_probes(d: Derived, methods: tuple[str, ...]) -> list[Call]:
    """Calls of `methods` naming a task id no task of this history ever had (the scenarios' probes)."""
    known = set(observations(d)) | set(creations(d))
    return [c for c in d.calls if c.method in methods and isinstance(c.params.get("taskId"), str)
            and c.params["taskId"] not in known and d.response_of(c) is not None]


def refused_invalid(d: Derived, out: Outcome, probes: list[Call]) -> Verdict:
    if not probes:
        return out.unseen("no request named an unknown task id")
    for c in probes:
        msg = d.response_of(c) or {}
        code = (msg.get("error") or {}).get("code")
        if code != -32602:
            what = f"error {code}" if "error" in msg else "a result"
            return out.fail(f"{c.method} of unknown task {c.params['taskId']!r} got {what}, not -32602",
                            [c.request.seq, d.response_seq(c) or 0])
    return out.ok(f"{len(probes)} request(s) for unknown tasks refused with -32602")


def is_iso(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def related_task(msg: Any) -> str | None:
    """The task a message says it belongs to (`_meta` related-task), if any."""
    params = msg.get("params") if isinstance(msg, dict) else None
    meta = params.get("_meta") if isinstance(params, dict) else None
    rel = meta.get(RELATED_TASK) if isinstance(meta, dict) else None
    return rel.get("taskId") if isinstance(rel, dict) and isinstance(rel.get("taskId"), str) else None
