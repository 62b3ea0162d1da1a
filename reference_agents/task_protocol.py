"""Tasks on the wire, both revisions, as one SDK extension (`io.modelcontextprotocol/tasks`).

2025-11-25 (the spec's tasks utility, SEP-1686 as published): `tools/call` with `params.task`
answers `{"task": Task}`; `tasks/get`, `tasks/list` (paginated), `tasks/cancel`, and `tasks/result`,
which blocks until the task is terminal and meanwhile sends the task's outstanding elicitation or
sampling requests on its own stream (tagged with the related-task `_meta`), then returns exactly
the tool's result (plus that `_meta`) or its JSON-RPC error. The `tasks` capability is declared in
`initialize`; tools that can run as tasks say `execution.taskSupport: "optional"`.

2026-07-28 (SEP-2663): a `tools/call` whose request `_meta` declares the extension answers
`resultType: "task"` (the server's choice; without the declaration never a task);
`tasks/get` (a DetailedTask: inputRequests / result / error), `tasks/update` (inputResponses) and
`tasks/cancel` (empty acknowledgements); these three without the declaration: -32021.
"""

from __future__ import annotations

import base64
from typing import Any

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.shared.exceptions import MCPError
from mcp.shared.message import ServerMessageMetadata
from mcp_types import (
    CallToolRequestParams,
    CreateMessageRequest,
    CreateMessageResult,
    ElicitRequest,
    ElicitResult,
    RequestParams,
    ServerTasksCapability,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from mcp_wire.revisions import META_CLIENT_CAPABILITIES as CLIENT_CAPABILITIES
from mcp_wire.revisions import TASKS_EXTENSION as IDENTIFIER
from mcp_wire.revisions import declares_tasks
from reference_agents.tasks import R2025, R2026, RELATED_TASK, TaskEngine, TaskState

PAGE_SIZE = 20
INVALID_PARAMS, METHOD_NOT_FOUND, MISSING_CAPABILITY, HEADER_MISMATCH = -32602, -32601, -32021, -32020


class TaskIdParams(RequestParams):
    taskId: str  # noqa: N815 - the wire name


class ListParams(RequestParams):
    cursor: str | None = None


class UpdateParams(RequestParams):
    taskId: str  # noqa: N815
    inputResponses: dict[str, Any] = {}  # noqa: N815, RUF012


def _declared(ctx: ServerRequestContext[Any, Any]) -> bool:
    return declares_tasks(ctx.params or {})


def _require_declared(ctx: ServerRequestContext[Any, Any]) -> None:
    if not _declared(ctx):
        raise MCPError(MISSING_CAPABILITY, "Missing required client capability",
                       {"requiredCapabilities": {"extensions": {IDENTIFIER: {}}}})


def _require_routing(ctx: ServerRequestContext[Any, Any], task_id: str) -> None:
    """SEP-2663 routing: the Mcp-Name header of tasks/get, tasks/update and tasks/cancel names the task; one
    that disagrees with params.taskId is refused (SEP-2243: -32020 HeaderMismatch)."""
    headers = getattr(ctx.request, "headers", None)
    name = headers.get("mcp-name") if headers is not None else None
    if name is not None and name != task_id:
        raise MCPError(HEADER_MISMATCH, "Mcp-Name header does not match the request body's 'taskId' parameter")


def tasks_capability() -> ServerTasksCapability:
    return ServerTasksCapability.model_validate({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}})


class TasksExtension(Extension):
    identifier = IDENTIFIER

    def __init__(self, engine: TaskEngine) -> None:
        self.engine = engine

    def methods(self) -> list[MethodBinding]:
        both, legacy, modern = frozenset({R2025, R2026}), frozenset({R2025}), frozenset({R2026})
        return [MethodBinding("tasks/get", TaskIdParams, self.get, both),
                MethodBinding("tasks/cancel", TaskIdParams, self.cancel, both),
                MethodBinding("tasks/list", ListParams, self.list, legacy),
                MethodBinding("tasks/result", TaskIdParams, self.result, legacy),
                MethodBinding("tasks/update", UpdateParams, self.update, modern)]

    # --- tools/call ---------------------------------------------------------------------------------
    async def intercept_tool_call(self, params: CallToolRequestParams, ctx: ServerRequestContext[Any, Any],
                                  call_next: CallNext) -> HandlerResult:
        version = ctx.protocol_version
        runs_as_task = params.name in self.engine.bodies
        if version in MODERN_PROTOCOL_VERSIONS:
            if params.name in self.engine.required_tools:
                _require_declared(ctx)  # SEP-2663: no CreateTaskResult possible -> -32021
            unasked = not self.engine.behaviour.runs_as_task(_declared(ctx))
            gathering = params.name in self.engine.gather_first
            retry = bool(params.input_responses or params.request_state)
            if not runs_as_task or unasked or retry != gathering:
                return await call_next(ctx)  # the 2025 `task` param is an unknown field here: ignored
            arguments = dict(params.arguments or {})
            if gathering:  # the answers of the synchronous rounds go to the task's body
                arguments["inputResponses"] = (ctx.params or {}).get("inputResponses") or {}
            caps = ((ctx.params or {}).get("_meta") or {}).get(CLIENT_CAPABILITIES) or {}
            state = self.engine.create(params.name, arguments, R2026, ttl_ms=None,
                                       can_elicit=bool(caps.get("elicitation") is not None),
                                       can_sample=bool(caps.get("sampling") is not None))
            return {"resultType": "task", **self.engine.behaviour.announced_task(state.task_2026(detailed=False))}
        return await call_next(ctx)  # 2025-11-25 tasks: `legacy_task_call`, a middleware

    async def legacy_task_call(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        """2025-11-25 task-augmented `tools/call`. A middleware, not the interceptor: the SDK sieves a legacy
        `tools/call` result as a CallToolResult, which a CreateTaskResult is not."""
        params = ctx.params or {}
        task = params.get("task") if ctx.method == "tools/call" and ctx.protocol_version == R2025 else None
        if not isinstance(task, dict):
            return await call_next(ctx)
        name = params.get("name")
        if name not in self.engine.bodies:  # execution.taskSupport absent: SHOULD be refused
            raise MCPError(METHOD_NOT_FOUND, f"tool {name!r} does not support task-augmented calls")
        ttl = task.get("ttl")
        caps = ctx.session.client_capabilities
        meta = params.get("_meta") or {}
        arguments = params.get("arguments") or {}
        state = self.engine.create(str(name), arguments if isinstance(arguments, dict) else {}, R2025,
                                   ttl_ms=ttl if isinstance(ttl, int) else None,
                                   progress_token=meta.get("progressToken") if isinstance(meta, dict) else None,
                                   can_elicit=caps is not None and caps.elicitation is not None,
                                   can_sample=caps is not None and caps.sampling is not None)
        self.engine.sessions.setdefault(state.id, ctx.session)
        return {"task": self.engine.behaviour.announced_task(state.task_2025())}

    # --- tasks/* ------------------------------------------------------------------------------------
    def _task(self, task_id: str, revision: str) -> TaskState:
        state = self.engine.load(task_id)
        if state is None or state.revision != revision:
            raise self.engine.behaviour.unknown_task(task_id)
        return state

    async def get(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> HandlerResult:
        if ctx.protocol_version == R2026:
            _require_declared(ctx)
            _require_routing(ctx, params.taskId)
            state = self.engine.behaviour.task_as_seen(self._task(params.taskId, R2026))
            return {"resultType": "complete", **self.engine.behaviour.tasks_get_2026(state.task_2026(detailed=True))}
        state = self._task(params.taskId, R2025)
        return self.engine.behaviour.tasks_get_2025(self.engine.behaviour.task_as_seen(state).task_2025(), state)

    async def list(self, ctx: ServerRequestContext[Any, Any], params: ListParams) -> HandlerResult:
        start = 0
        if params.cursor is not None:
            try:
                start = int(base64.urlsafe_b64decode(params.cursor.encode()).decode().removeprefix("tasks:"))
            except ValueError:
                raise MCPError(INVALID_PARAMS, "invalid cursor") from None
        states = self.engine.all(R2025)
        page: dict[str, Any] = {"tasks": [s.task_2025() for s in states[start:start + PAGE_SIZE]]}
        if start + PAGE_SIZE < len(states):
            page["nextCursor"] = base64.urlsafe_b64encode(f"tasks:{start + PAGE_SIZE}".encode()).decode()
        return page

    async def cancel(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> HandlerResult:
        if ctx.protocol_version == R2026:
            _require_declared(ctx)
            _require_routing(ctx, params.taskId)
            self._task(params.taskId, R2026)
            cancelled = self.engine.cancel(params.taskId)  # a finished task stays as it is
            return self.engine.behaviour.cancel_ack_2026(cancelled)
        state = self._task(params.taskId, R2025)
        if state.terminal:
            return self.engine.behaviour.cancel_finished_task_2025(state)
        cancelled = self.engine.cancel(params.taskId)
        assert cancelled is not None
        return cancelled.task_2025()

    async def update(self, ctx: ServerRequestContext[Any, Any], params: UpdateParams) -> HandlerResult:
        _require_declared(ctx)
        _require_routing(ctx, params.taskId)
        self._task(params.taskId, R2026)
        self.engine.answer(params.taskId, {k: {"result": v} for k, v in params.inputResponses.items()})
        return {"resultType": "complete"}

    async def result(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> HandlerResult:
        """Block until the task is terminal, asking its outstanding questions on this stream meanwhile."""
        task_id = params.taskId
        self._task(task_id, R2025)
        while True:
            changed = self.engine.changed(task_id)
            state = self._task(task_id, R2025)
            if state.terminal:
                return _final(state)
            if state.input_requests:
                await self._ask_client(ctx, task_id, state.input_requests)
                continue
            await changed.wait()

    async def _ask_client(self, ctx: ServerRequestContext[Any, Any], task_id: str,
                          requests: dict[str, dict[str, Any]]) -> None:
        async def one(key: str, wire: dict[str, Any]) -> None:
            wire = self.engine.behaviour.input_request(wire)
            if wire.get("method") == "elicitation/create":
                request: Any = ElicitRequest.model_validate(wire)
                answer_type: Any = ElicitResult
            else:
                request, answer_type = CreateMessageRequest.model_validate(wire), CreateMessageResult
            try:
                answer = await ctx.session.send_request(
                    request, answer_type, metadata=ServerMessageMetadata(related_request_id=ctx.request_id))
            except MCPError as exc:
                self.engine.answer(task_id, {key: {"error": exc.error.model_dump(by_alias=True, mode="json",
                                                                                   exclude_none=True)}})
                return
            self.engine.answer(task_id, {key: {"result": answer.model_dump(by_alias=True, mode="json",
                                                                            exclude_none=True)}})

        async with anyio.create_task_group() as tg:
            for key, wire in requests.items():
                tg.start_soon(one, key, wire)
            while True:  # answered another way (a later tasks/result, a restart): stop waiting here
                changed = self.engine.changed(task_id)
                state = self.engine.load(task_id)
                if state is None or state.terminal or not set(requests) & set(state.input_requests):
                    tg.cancel_scope.cancel()
                    break
                await changed.wait()


def _final(state: TaskState) -> dict[str, Any]:
    related = {RELATED_TASK: {"taskId": state.id}}
    if state.result is not None:
        return {**state.result, "_meta": {**(state.result.get("_meta") or {}), **related}}
    if state.error is not None:
        raise MCPError(int(state.error.get("code", -32603)), str(state.error.get("message", "task failed")),
                       state.error.get("data"))
    raise MCPError(-32800, "the task was cancelled before it produced a result")


def declare_tasks(server: Any) -> None:
    """Add the 2025-11-25 `tasks` capability to what `initialize` declares (the SDK derives capabilities
    from handlers and knows no tasks; 2026-07-28 `server/discover` lists the extension instead)."""
    derive = server.get_capabilities

    def get_capabilities(*args: Any, **kwargs: Any) -> Any:
        caps = derive(*args, **kwargs)
        if kwargs.get("protocol_version") not in MODERN_PROTOCOL_VERSIONS:
            caps.tasks = tasks_capability()
        return caps

    server.get_capabilities = get_capabilities
