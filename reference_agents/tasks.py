"""Durable tasks: their state, kept in the agents' store, and the engine that runs their bodies.

A task is a record of kind "task" (so SQLite keeps it across SIGKILL). Its body (task_bodies.py)
is re-entrant: after a restart the engine runs every unfinished body again, and the body picks up
from its checkpoint (steps done, answers already given), so the polled result is the one an
undisturbed run gives. Input a body needs (an elicitation, a sampling request) is kept on the task
as an outstanding request under a key, answered by `tasks/update` (2026-07-28) or by the client of
`tasks/result` (2025-11-25); an answer given is never asked again.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import anyio
from anyio.abc import TaskGroup
from mcp.shared.exceptions import MCPError
from mcp_types import ErrorData, ProgressNotification, ProgressNotificationParams
from mcp_types.methods import serialize_server_result
from pydantic import BaseModel

from mcp_wire.revisions import RELATED_TASK, Revision
from mcp_wire.revisions import TASK_TERMINAL as TERMINAL
from reference_agents.behaviour import Behaviour
from reference_agents.runtime import AgentRuntime
from reference_agents.storage import Record, Storage

R2025, R2026 = Revision.R2025, Revision.R2026
DEFAULT_TTL_MS = 600_000
MAX_TTL_MS = 3_600_000
POLL_INTERVAL_MS = 50


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class TaskState:
    id: str
    tool: str
    arguments: dict[str, Any]
    revision: str  # the protocol revision the task was created on: its wire shapes
    created_at: float
    updated_at: float
    ttl_ms: int | None = DEFAULT_TTL_MS
    status: str = "working"
    status_message: str | None = None
    progress_token: Any = None
    idempotency_key: str = ""
    can_elicit: bool = False
    can_sample: bool = False
    input_requests: dict[str, dict[str, Any]] = field(default_factory=dict)  # outstanding: key -> request
    input_responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # answered: key -> result/error
    checkpoint: dict[str, Any] = field(default_factory=dict)
    progress_sent: float = 0.0  # the last progress value sent for the task's token (across restarts)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def expired(self, now: float) -> bool:
        return self.ttl_ms is not None and now > self.created_at + self.ttl_ms / 1000

    def task_2025(self) -> dict[str, Any]:
        """The 2025-11-25 `Task` object (CreateTaskResult.task, tasks/get, tasks/list, tasks/cancel)."""
        out: dict[str, Any] = {"taskId": self.id, "status": self.status}
        if self.status_message:
            out["statusMessage"] = self.status_message
        out.update(createdAt=iso(self.created_at), lastUpdatedAt=iso(self.updated_at), ttl=self.ttl_ms,
                   pollInterval=POLL_INTERVAL_MS)
        return out

    def task_2026(self, *, detailed: bool) -> dict[str, Any]:
        """The SEP-2663 `Task` (CreateTaskResult) or `DetailedTask` (tasks/get, notifications/tasks)."""
        out: dict[str, Any] = {"taskId": self.id, "status": self.status}
        if self.status_message:
            out["statusMessage"] = self.status_message
        out.update(createdAt=iso(self.created_at), lastUpdatedAt=iso(self.updated_at), ttlMs=self.ttl_ms,
                   pollIntervalMs=POLL_INTERVAL_MS)
        if detailed:
            if self.status == "input_required":
                out["inputRequests"] = dict(self.input_requests)
            elif self.status == "completed" and self.result is not None:
                out["result"] = self.result
            elif self.status == "failed" and self.error is not None:
                out["error"] = self.error
        return out


Body = Callable[["TaskRun", dict[str, Any]], Awaitable[BaseModel | dict[str, Any]]]


class TaskRun:
    """What a task body may do: report progress (and keep a checkpoint with it), ask for input."""

    def __init__(self, engine: TaskEngine, task_id: str) -> None:
        self.engine = engine
        self.rt = engine.rt
        self.id = task_id

    @property
    def state(self) -> TaskState:
        state = self.engine.load(self.id)
        if state is None:
            raise anyio.get_cancelled_exc_class()()  # deleted under us (TTL): stop
        return state

    @property
    def checkpoint(self) -> dict[str, Any]:
        return self.state.checkpoint

    async def progress(self, value: float, total: float | None, message: str | None, **checkpoint: Any) -> None:
        """The task's statusMessage says how far it got, and `checkpoint` (stored in the same write) where a
        restarted body picks up; 2025-11-25: also a progress notification for the creating request's token, on
        its session's standalone stream, tagged with the task (never a value already sent: a restarted body
        does not repeat itself)."""
        state = self.state
        state.checkpoint.update(checkpoint)
        if message:
            state.status_message = message
        send = state.revision == R2025 and state.progress_token is not None and value > state.progress_sent
        if send:
            state.progress_sent = value
        self.engine.put(state)
        session = self.engine.sessions.get(self.id)
        if not send or session is None:
            return
        await send_progress(session, state, value, total, message)

    async def ask(self, key: str, request: BaseModel, answer_type: type[BaseModel]) -> Any:
        """The answer to `request` (an ElicitRequest, a CreateMessageRequest): given already, or asked for
        by moving the task to input_required until it comes. An error answer raises MCPError."""
        while True:
            changed = self.engine.changed(self.id)
            state = self.state
            if key in state.input_responses:
                answer = state.input_responses[key]
                if "error" in answer:
                    raise MCPError.from_error_data(ErrorData.model_validate(answer["error"]))
                return answer_type.model_validate(answer["result"])
            if key not in state.input_requests:
                wire = request.model_dump(by_alias=True, mode="json", exclude_none=True)
                if state.revision == R2025:
                    wire.setdefault("params", {}).setdefault("_meta", {})[RELATED_TASK] = {"taskId": self.id}
                state.input_requests[key] = wire
                state.status, state.status_message = "input_required", f"waiting for the client's answer ({key})"
                self.engine.put(state)
            await changed.wait()


class TaskEngine:
    """Creates, runs, answers and cancels tasks; one per server process."""

    def __init__(self, rt: AgentRuntime, store: Storage | None = None) -> None:
        self.rt = rt  # what bodies work with (records, resource events), and the behaviour
        self.store = store or rt.storage  # where tasks live
        self.bodies: dict[str, Body] = {}
        self.required_tools: set[str] = set()  # 2026: called without the tasks extension -> -32021
        self.gather_first: set[str] = set()  # 2026: an InputRequiredResult round before the task is created
        self.sessions: dict[str, Any] = {}  # task id -> the live 2025 session that created it (progress)
        self._changed: dict[str, anyio.Event] = {}
        self._scopes: dict[str, anyio.CancelScope] = {}
        self._tg: TaskGroup | None = None

    @property
    def behaviour(self) -> Behaviour:
        return self.rt.behaviour

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run task bodies for the server's lifetime; unfinished tasks from the store start again."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            for rec in self.store.list_records("task"):
                state = _from_record(rec)
                if not state.terminal and not state.expired(time.time()):
                    tg.start_soon(self.run, state.id)
            try:
                yield
            finally:
                self._tg = None
                tg.cancel_scope.cancel()

    # --- state ------------------------------------------------------------------------------------
    def load(self, task_id: str) -> TaskState | None:
        rec = self.store.get_record("task", task_id)
        if rec is None:
            return None
        state = _from_record(rec)
        return None if state.expired(time.time()) else state

    def put(self, state: TaskState, *, touch: bool = True) -> None:
        if touch:
            state.updated_at = max(state.updated_at, time.time())
        self.store.put_record(Record("task", state.id, state.status, asdict(state)))
        event = self._changed.pop(state.id, None)
        if event is not None:
            event.set()

    def changed(self, task_id: str) -> anyio.Event:
        """An event set at the task's next change (take it before reading the state)."""
        return self._changed.setdefault(task_id, anyio.Event())

    async def wait_change(self, task_id: str, timeout: float) -> None:
        with anyio.move_on_after(timeout):
            await self.changed(task_id).wait()

    def find(self, tool: str, idempotency_key: str) -> TaskState | None:
        if not idempotency_key:
            return None
        for rec in self.store.list_records("task"):
            data = rec.data
            if data.get("tool") == tool and data.get("idempotency_key") == idempotency_key:
                state = _from_record(rec)
                if not state.expired(time.time()):
                    return state
        return None

    def all(self, revision: str) -> list[TaskState]:
        now = time.time()
        states = [_from_record(rec) for rec in self.store.list_records("task")]
        return sorted((s for s in states if s.revision == revision and not s.expired(now)),
                      key=lambda s: (s.created_at, s.id))

    # --- lifecycle --------------------------------------------------------------------------------
    def create(self, tool: str, arguments: dict[str, Any], revision: str, *, ttl_ms: int | None,
               progress_token: Any = None, can_elicit: bool = False, can_sample: bool = False) -> TaskState:
        """A new task, stored (durably: a tasks/get finds it) before its body starts; a re-sent call with
        the same idempotency key gets the task it created before."""
        key = str(arguments.get("idempotency_key") or "")
        found = self.find(tool, key)
        if found is not None:
            return found
        now = time.time()
        ttl = DEFAULT_TTL_MS if ttl_ms is None else max(1, min(int(ttl_ms), MAX_TTL_MS))
        state = TaskState(uuid.uuid4().hex, tool, dict(arguments), revision, now, now, ttl, progress_token=progress_token,
                          idempotency_key=key, can_elicit=can_elicit, can_sample=can_sample,
                          status_message="The operation is now in progress.")
        if self._tg is None:
            raise MCPError(-32603, "the task engine is not running")
        self.behaviour.launch_task(self, state, self._tg)
        return state

    async def run(self, task_id: str) -> None:
        """Run a stored task's body to its end (a restarted body picks up from its checkpoint)."""
        state = self.load(task_id)
        body = self.bodies.get(state.tool) if state is not None else None
        if state is None or body is None:
            return
        outcome: dict[str, Any] | None = None
        error: dict[str, Any] | None = None
        with anyio.CancelScope() as scope:
            self._scopes[task_id] = scope
            try:
                value = await body(TaskRun(self, task_id), state.arguments)
                outcome = self.behaviour.task_outcome(
                    serialize_server_result("tools/call", state.revision, _dump(value)))
            except MCPError as exc:
                error = exc.error.model_dump(by_alias=True, mode="json", exclude_none=True)
            except Exception as exc:  # noqa: BLE001 - a broken body fails its task, not the server
                error = {"code": -32603, "message": f"task body failed: {type(exc).__name__}: {exc}"}
            finally:
                self._scopes.pop(task_id, None)
        if scope.cancelled_caught:
            return
        state = self.load(task_id)
        if state is None or state.terminal:  # cancelled meanwhile: cancelled stays cancelled
            return
        state.input_requests = {}
        if error is not None:
            state.status, state.error, state.status_message = "failed", error, error.get("message")
        else:
            state.result = outcome
            is_error = bool((outcome or {}).get("isError"))
            # 2025-11-25: an isError tool result SHOULD fail the task; SEP-2663: it MUST complete it
            state.status = "failed" if is_error and state.revision == R2025 else "completed"
            state.status_message = "The tool reported an error." if is_error else "The operation completed."
        self.put(state)
        session = self.sessions.pop(task_id, None)
        if session is not None and self._tg is not None:
            self.behaviour.task_finished(self._tg, session, state)

    def answer(self, task_id: str, responses: dict[str, Any]) -> None:
        """Answers to outstanding input requests; any other key (never asked, answered, superseded) is
        ignored. Each answer is {"result": ...} or {"error": ...}."""
        state = self.load(task_id)
        if state is None or state.terminal:
            return
        took = False
        for key, response in responses.items():
            if key in state.input_requests and isinstance(response, dict):
                del state.input_requests[key]
                state.input_responses[key] = response
                took = True
        if not took:
            return
        if not state.input_requests and state.status == "input_required":
            state.status, state.status_message = "working", "The operation is now in progress."
        self.put(state)

    def cancel(self, task_id: str) -> TaskState | None:
        """Cancel a non-terminal task: it is `cancelled` (stored) before this returns, and its body stops."""
        state = self.load(task_id)
        if state is None or state.terminal:
            return state
        state.status, state.status_message = "cancelled", "The task was cancelled by request."
        state.input_requests = {}
        self.put(state)
        scope = self._scopes.get(task_id)
        if scope is not None:
            scope.cancel()
        self.sessions.pop(task_id, None)
        return state


async def send_progress(session: Any, state: TaskState, value: float, total: float | None,
                        message: str | None) -> None:
    note = ProgressNotification(params=ProgressNotificationParams(
        progress_token=state.progress_token, progress=value, total=total, message=message,
        _meta={RELATED_TASK: {"taskId": state.id}}))  # type: ignore[call-arg]
    with anyio.move_on_after(1), contextlib.suppress(Exception):
        await session.send_notification(note)


def _dump(value: BaseModel | dict[str, Any]) -> dict[str, Any]:
    return value.model_dump(by_alias=True, mode="json", exclude_none=True) if isinstance(value, BaseModel) else value


def _from_record(rec: Record) -> TaskState:
    return TaskState(**rec.data)
