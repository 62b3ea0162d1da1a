"""`faultline discover --probe`: call each candidate tool once and record what it does.

Which tools are called: every listed tool not named by `--skip`; without `--allow-side-effects`
only those annotated `readOnlyHint: true` or `destructiveHint: false` (by the spec's defaults an
unannotated tool may be destructive). Each call runs in its own session (2025-11-25: with the
standalone GET stream open, to see which stream its notifications take), answers elicitation and
sampling from a script, follows a stream the server closes on purpose (retry, then Last-Event-ID),
and compares resources/list before and after. Task-capable tools also run as a task.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import anyio

from harness.client import tasks
from harness.client.answers import Answers
from harness.client.factory import wire_client
from harness.client.session import CallOutcome, WireClient
from harness.discovery.arguments import arguments_for, has_ask_flag, has_close_knob, mapping
from harness.discovery.roles import task_support
from harness.history import Answer, History, Request, SseEvent
from harness.revisions import Revision

URI = re.compile(r"[a-z][a-z0-9+.-]*://[^\s,;'\"]+")
STEP = re.compile(r"step (\d+)/(\d+)", re.IGNORECASE)
PROBE_ANSWERS = Answers(elicitation="accept", sampling="success")  # accept: content from the requested schema


def is_safe(tool: dict[str, Any]) -> bool:
    """Annotated read-only, or explicitly not destructive (unannotated: destructiveHint defaults to true)."""
    ann = mapping(tool, "annotations")
    return ann.get("readOnlyHint") is True or ann.get("destructiveHint") is False


@dataclass
class Observation:
    """What one probe call of a tool showed."""

    tool: str
    variant: str  # plain | close (its close-the-stream knob set) | task | task-ask (its ask-the-user flag set)
    arguments: dict[str, Any]
    revision: str
    seconds: float = 0.0
    events: int = 0  # SSE events on the call's own stream(s), priming and response included
    progress: int = 0  # notifications/progress under the call's token on its own stream
    logs: int = 0  # notifications/message on its own stream
    elsewhere: dict[str, int] = field(default_factory=dict)  # notification method -> count on the GET stream
    asked: list[str] = field(default_factory=list)  # server->client requests: "elicitation/create (form)" ...
    uris_before_question: list[str] = field(default_factory=list)  # URIs progress messages named before it asked
    resources: str = ""  # how resources changed while it ran
    closed: str = ""  # "with retry" / "without retry": the server ended the stream before the response
    follows: int = 0  # reconnects (GET + Last-Event-ID) to reach the response
    outcome: str = ""  # "result", "isError: ...", "error -32601: ...", "no response (...)"
    structured: list[str] = field(default_factory=list)  # structuredContent keys
    job_runs: int | None = None  # structuredContent.job_runs_completed
    task_statuses: list[str] = field(default_factory=list)
    task_steps: bool = False  # a statusMessage said "step k/N"
    get_primed: bool = False  # the GET stream delivered an event (priming) before the call

    @property
    def answered(self) -> bool:
        return self.outcome == "result"

    @property
    def asked_form(self) -> bool:
        return any(a.startswith("elicitation/create") and "url" not in a for a in self.asked)

    @property
    def sampled(self) -> bool:
        return any(a.startswith("sampling/createMessage") for a in self.asked)

    @property
    def notifications(self) -> int:
        return self.progress + self.logs

    def summary(self) -> str:
        parts = [f"{self.seconds:.2f}s", f"{self.events} event(s) on its stream"]
        if self.notifications:
            parts.append(f"{self.progress} progress + {self.logs} log notification(s) on its own stream")
        if self.elsewhere:
            parts.append("on the GET stream: " + ", ".join(f"{n} {m}" for m, n in sorted(self.elsewhere.items())))
        if self.asked:
            parts.append("asked " + ", ".join(self.asked))
        if self.uris_before_question:
            parts.append("named " + ", ".join(self.uris_before_question[:2]) + " before asking")
        if self.resources:
            parts.append(self.resources)
        if self.closed:
            parts.append(f"the server closed the stream before the response {self.closed}, {self.follows} "
                         "reconnect(s)")
        if self.task_statuses:
            parts.append("task " + " → ".join(self.task_statuses) + (" (statusMessage step k/N)" if self.task_steps
                                                                      else ""))
        if self.job_runs is not None:
            parts.append(f"job_runs_completed {self.job_runs}")
        parts.append(self.outcome)
        return "; ".join(parts)


def plan(tools: dict[str, dict[str, Any]], *, offers_tasks: bool) -> list[tuple[str, str, dict[str, Any]]]:
    """(tool, variant, arguments) for every call a probe of these tools makes."""
    calls: list[tuple[str, str, dict[str, Any]]] = []
    for name, tool in tools.items():
        support = task_support(tool)
        if support != "required":
            calls.append((name, "plain", arguments_for(tool)))
            if has_close_knob(tool):
                calls.append((name, "close", arguments_for(tool, close_after=True)))
        if offers_tasks and support in ("optional", "required"):
            calls.append((name, "task", arguments_for(tool)))
            if has_ask_flag(tool):
                calls.append((name, "task-ask", arguments_for(tool, ask=True)))
    return calls


def _method(ev: SseEvent) -> str:
    return str(ev.message.get("method", "")) if isinstance(ev.message, dict) else ""


def _asked(method: str, params: Any) -> str:
    if method == "elicitation/create":
        return f"{method} ({(params or {}).get('mode') or 'form'})"
    return method


def _closes(c: WireClient, out: CallOutcome, obs: Observation) -> CallOutcome:
    """How the call reached its end: the client follows a stream the server closes on purpose (after its
    retry, by Last-Event-ID: harness/client/follow.py); each follow is an exchange of the call."""
    follows = [x for x in out.exchanges[1:] if getattr(c.history.request(x), "purpose", "") == "follow"]
    if follows:
        obs.follows = len(follows)
        retried = any(e.retry is not None for e in c.history.events(out.exchanges[0]))
        obs.closed = "with retry" if retried else "without retry"
    return out


async def _resource_uris(c: WireClient, timeout: float) -> set[str] | None:
    out = await c.call("resources/list", {}, deadline=min(timeout, 10.0), purpose="probe-resources")
    listed = (out.result or {}).get("resources")
    return {str(r.get("uri")) for r in listed if isinstance(r, dict)} if isinstance(listed, list) else None


async def _run_task(c: WireClient, tool: str, args: dict[str, Any], token: str, timeout: float,
                    obs: Observation) -> CallOutcome | None:
    out, task = await tasks.start(c, tool, args, progress_token=token, deadline=timeout)
    if task is None:
        obs.outcome = _outcome(out) if out.result is None else "answered without creating a task"
        return None
    task_id = str(task["taskId"])
    answered: set[str] = set()

    async def seen(t: dict[str, Any]) -> None:
        status = str(t.get("status"))
        if not obs.task_statuses or obs.task_statuses[-1] != status:
            obs.task_statuses.append(status)
        obs.task_steps = obs.task_steps or STEP.search(str(t.get("statusMessage") or "")) is not None
        if status == "input_required" and c.revision is Revision.R2026:
            await tasks.answer_inputs(c, t, answered)

    stop = tasks.status_is("input_required", *tasks.TERMINAL) if c.revision is Revision.R2025 else tasks.terminal
    await seen(task)
    last = await tasks.poll(c, task_id, stop, timeout, on_task=seen)
    result = None
    if c.revision is Revision.R2025 and last is not None:
        result = await tasks.result(c, task_id, deadline=timeout)  # answers the task's questions on its stream
        last = await tasks.poll(c, task_id, tasks.terminal, timeout, on_task=seen)
    status = (last or {}).get("status")
    if status != "completed":
        obs.outcome = f"task {status}" if status else "the task never reached a terminal status"
    elif result is None:
        obs.outcome = "result"
    return result


def _outcome(out: CallOutcome | None) -> str:
    if out is None:
        return "no response"
    if out.error is not None:
        return f"error {out.error.get('code')}: {' '.join(str(out.error.get('message')).split())[:120]}"
    result = out.result
    if result is None:
        return f"no response ({out.ended or out.status})"
    if result.get("isError"):
        text = " ".join(str(b.get("text", "")) for b in result.get("content") or [] if isinstance(b, dict))
        return f"isError: {' '.join(text.split())[:120]}"
    return "result"


def _observe(history: History, client: str, token: str, obs: Observation) -> None:
    """Events, questions and URIs of this probe client's call streams and GET stream."""
    streams = {r.stream for r in history.of(Request) if r.client == client and r.stream
               and r.purpose in ("call", "resume", "task-result")}
    xs = {r.x for r in history.of(Request) if r.client == client}
    question_at: float | None = None
    uris: list[tuple[int, str]] = []
    for rec in history.records:
        if isinstance(rec, Answer) and rec.client == client and question_at is None:
            question_at = rec.seq
        if not isinstance(rec, SseEvent) or rec.x not in xs:
            continue
        method = _method(rec)
        if rec.stream == "get":
            if method:
                obs.elsewhere[method] = obs.elsewhere.get(method, 0) + 1
            continue
        if rec.stream not in streams:
            continue
        obs.events += 1
        params = rec.message.get("params") if isinstance(rec.message, dict) else None
        if method == "notifications/progress" and (params or {}).get("progressToken") == token:
            obs.progress += 1
            uris += [(rec.seq, m.rstrip(":.")) for m in URI.findall(str((params or {}).get("message") or ""))]
        elif method == "notifications/message":
            obs.logs += 1
        elif method and isinstance(rec.message, dict) and "id" in rec.message:
            obs.asked.append(_asked(method, params))
    for a in history.of(Answer):
        if a.client == client and a.x is None:  # 2026: an input_required round (or tasks/update)
            obs.asked.append(a.method if a.method != "elicitation/create" else "elicitation/create (form)")
    cut = question_at if question_at is not None else float("inf")
    obs.uris_before_question = list(dict.fromkeys(u for seq, u in uris if seq < cut)) if question_at else []


async def probe_call(url: str, revision: Revision, tool: str, variant: str, args: dict[str, Any],
                     history: History, *, timeout: float, resources: bool, get_wait: float = 1.0) -> Observation:
    """One call of `tool` in a session of its own; never raises for what the server does."""
    obs = Observation(tool, variant, args, revision.value)
    client = f"probe:{tool}:{variant}"
    token = f"discover-{tool}-{variant}"
    caps = tasks.with_tasks() if variant.startswith("task") and revision is Revision.R2026 else None
    async with wire_client(url, history, revision=revision, client=client, answers=PROBE_ANSWERS,
                          capabilities=caps, timeout=timeout) as c:
        await c.open()
        before = await _resource_uris(c, timeout) if resources else None
        async with anyio.create_task_group() as tg:
            if revision is Revision.R2025 and c.session_id:
                mark = len(c.seen)
                tg.start_soon(lambda: c.open_get_stream(deadline=timeout * 3))
                primed = await c.wait_for(lambda ev: ev.stream == "get", min(timeout, get_wait), start=mark)
                obs.get_primed = primed is not None
            started = time.monotonic()
            if variant.startswith("task"):
                out = await _run_task(c, tool, args, token, timeout, obs)
            else:
                out = _closes(c, await c.call_tool(tool, args, progress_token=token, deadline=timeout), obs)
            obs.seconds = time.monotonic() - started
            after = await _resource_uris(c, timeout) if resources else None
            tg.cancel_scope.cancel()
        if c.session_id:
            await c.delete()
    if not obs.outcome:
        obs.outcome = _outcome(out)
    structured = (out.result or {}).get("structuredContent") if out is not None else None
    if isinstance(structured, dict):
        obs.structured = sorted(structured)
        runs = structured.get("job_runs_completed")
        obs.job_runs = runs if isinstance(runs, int) and not isinstance(runs, bool) else None
    _observe(history, client, token, obs)
    changes = [m for m in obs.elsewhere if m.startswith("notifications/resources/")]
    if before is not None and after is not None and after - before:
        changes.insert(0, f"resources/list gained {', '.join(sorted(after - before)[:3])}")
    obs.resources = ("changed resources: " + ", ".join(changes)) if changes else ""
    return obs
