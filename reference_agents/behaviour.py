"""The agents' variation points: one method per place a mutant may change, the clean behaviour the default.

The server builds ONE `Behaviour` (server.build_app: `mutants.behaviour_for(name)`, the clean one without
a mutant) and hands it to what it builds: `AgentRuntime.behaviour` (the agents, the task engine, the
resource events), `EventHub`, `AgentsSessionManager` (each session's transport), `AgentsMCP`. A mutant
(reference_agents/mutants/, one module each) is a subclass overriding exactly one of these methods.

A method either returns what the clean code uses (`record_storage`, `replayed_events`, ...) or does the
correct thing itself, often by calling back the clean action it is handed (`announce_update(uri,
announce)`: clean `await announce()`); `True`/`False` methods say whether a safeguard is on.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

if TYPE_CHECKING:
    from anyio.abc import TaskGroup
    from mcp.server.mcpserver import Context
    from mcp.server.mcpserver.exceptions import ResourceNotFoundError
    from mcp.server.subscriptions import ListenHandler, SubscriptionBus
    from starlette.requests import Request
    from starlette.types import ASGIApp, Send

    from reference_agents.event_store import SessionEventStore
    from reference_agents.resources import ResourceEvents
    from reference_agents.storage import Storage, StoredEvent
    from reference_agents.tasks import TaskEngine, TaskState
    from reference_agents.transport import AgentsTransport

T = TypeVar("T")
Action = Callable[[], Awaitable[None]]


# a lost answer ends the wait: longer than a scenario's user takes on a clean server (Answers.before) and than the
# client's three POSTs of one answer, 1 s apart, when the network loses the first (harness/client/session.py
# ANSWER_ATTEMPTS: toxic-answer-network-flap's answer lands about 1.1 s in), shorter than a client's read timeout
# (10 s) on the silent stream
ELICITATION_TIMEOUT = 3.0


class Behaviour:
    """The clean reference agents. Every public method is a hook (`HOOKS`)."""

    elicitation_wait: float | None = ELICITATION_TIMEOUT  # `faultline agents --elicitation-timeout` sets it

    # --- the server (server.py) -------------------------------------------------------------------------
    def record_storage(self, storage: Storage) -> Storage:
        """Where bookings and reports live: the server's store (sqlite survives a restart)."""
        return storage

    def task_storage(self, storage: Storage) -> Storage:
        """Where tasks live: the server's store."""
        return storage

    def checks_origin(self) -> bool:
        """Refuse a non-loopback Origin with 403 (DNS rebinding)."""
        return True

    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        """The ASGI app as served (clean: as built)."""
        return app

    def server_version(self, version: str) -> str:
        """The version in serverInfo (initialize; 2026: the `_meta` of every result, server/discover's too)."""
        return version

    def checks_input_responses(self) -> bool:
        """2026: a request whose `inputResponses` is not an object (or `requestState` not a string) is a
        protocol error, -32602 (SEP-2322), never a first round."""
        return True

    # --- the transport (transport.py) -------------------------------------------------------------------
    def refuses_in_flight_ids(self) -> bool:
        """Refuse with 409 a POST whose request id is still in flight in its session (SDK bug F)."""
        return True

    def stream_left_unanswered(self, store: SessionEventStore, key: str, raw_id: str) -> None:
        """A POST stream ended before its response (the client left, 2025-11-25): the call goes on."""

    async def resume_from_unknown_id(self, transport: AgentsTransport, last_event_id: str, request: Request,
                                     send: Send, refuse: Action) -> None:
        """A Last-Event-ID this session never issued: refused (400 + JSON-RPC error, SDK bug C)."""
        await refuse()

    async def resume_stream(self, transport: AgentsTransport, last_event_id: str, request: Request, send: Send,
                            serve: Action) -> None:
        """A resume from a known id: attach, replay, then go live (SDK bug B's fix)."""
        await serve()

    async def before_replay(self) -> None:
        """A resume is about to replay what its stream missed."""

    def replayed_events(self, store: SessionEventStore, after: StoredEvent,
                        events: list[StoredEvent]) -> list[StoredEvent]:
        """What a resume replays: the stream's events after Last-Event-ID, as stored."""
        return events

    async def after_stream_response(self) -> None:
        """A resumed stream just delivered its response: it ends (SDK bug D's fix)."""

    def primes_streams(self) -> bool:
        """Open every SSE stream with a priming event (an event id and empty data)."""
        return True

    def retry_hint(self, configured: int | None) -> int | None:
        """The SSE `retry` sent with a priming event (`--retry-ms`)."""
        return configured

    async def delete_session(self, request: Request, send: Send, end: Action) -> None:
        """DELETE with the session id ends the session."""
        await end()

    # --- the event store (event_store.py) ---------------------------------------------------------------
    def store_response(self, store: SessionEventStore, key: str, message_json: str | None) -> str:
        """Store a stream's response, its last event; the event id."""
        return store.append_raw(key, message_json, terminal=True).event_id

    # --- resources (resources.py, runtime.py) -----------------------------------------------------------
    def unsubscribe(self, uris: set[str], uri: str) -> None:
        """resources/unsubscribe: the session hears no more of `uri`."""
        uris.discard(uri)

    async def announce_update(self, uri: str, announce: Action) -> None:
        """A committed change of `uri` is announced (notifications/resources/updated)."""
        await announce()

    async def announce_list_change(self, kind: str, announce: Action) -> None:
        """The tool or prompt list changed: notifications/{kind}/list_changed (2025 sessions, 2026 listen)."""
        await announce()

    async def announce_before_commit(self, events: ResourceEvents, uri: str) -> bool:
        """Whether a change of `uri` was announced already, before its commit (clean: never)."""
        return False

    def read_unknown_resource(self, error: ResourceNotFoundError) -> Iterable[Any]:
        """resources/read of an unknown URI: error -32602."""
        raise error

    def listen_handler(self, bus: SubscriptionBus) -> ListenHandler | None:
        """The 2026 subscriptions/listen handler (clean: the SDK's own)."""
        return None

    # --- the agents (long_running.py, travel.py, research.py) -------------------------------------------
    async def run_long_call(self, ctx: Context, work: Callable[[float], Awaitable[T]]) -> T:
        """long_running_agent's run; `work(notify_timeout)`. Cancelled with its call (a 2026 closed stream)."""
        return await work(math.inf)

    def progress_value(self, step: int) -> float:
        """long_running_agent's progress at `step`."""
        return step

    async def send_step_progress(self, ctx: Context, value: float, step: int, steps: int, send: Action) -> None:
        """long_running_agent's progress (and log line) for a step, on the request's own stream."""
        await send()

    async def after_booking_declined(self) -> None:
        """travel_agent: not confirmed (declined, cancelled, no `confirm`); the booking is cancelled next."""

    async def after_sampling_failed(self) -> None:
        """research_agent: the client rejected or failed sampling; the report is finished without a summary."""

    # --- tasks (tasks.py, task_protocol.py) -------------------------------------------------------------
    def launch_task(self, engine: TaskEngine, state: TaskState, tg: TaskGroup) -> None:
        """A new task: stored (tasks/get finds it) before its CreateTaskResult, then its body runs."""
        engine.put(state)
        tg.start_soon(engine.run, state.id)

    def task_outcome(self, outcome: dict[str, Any] | None) -> dict[str, Any] | None:
        """A task's result: what the synchronous call returns."""
        return outcome

    def task_finished(self, tg: TaskGroup, session: Any, state: TaskState) -> None:
        """A 2025 task reached a terminal status (its progress stops)."""

    def runs_as_task(self, declared: bool) -> bool:
        """2026: a task-capable tool answers with a task only if the request declared the tasks extension."""
        return declared

    def announced_task(self, task: dict[str, Any]) -> dict[str, Any]:
        """The task a CreateTaskResult announces (`working`)."""
        return task

    def task_as_seen(self, state: TaskState) -> TaskState:
        """A task as tasks/get shows it."""
        return state

    def tasks_get_2025(self, task: dict[str, Any], state: TaskState) -> dict[str, Any]:
        """The 2025 tasks/get answer."""
        return task

    def tasks_get_2026(self, detailed: dict[str, Any]) -> dict[str, Any]:
        """The 2026 tasks/get answer (a DetailedTask: with its result once completed)."""
        return detailed

    def unknown_task(self, task_id: str) -> MCPError:
        """The error for an unknown task id: -32602."""
        return MCPError(INVALID_PARAMS, f"unknown task {task_id!r}")

    def cancel_finished_task_2025(self, state: TaskState) -> dict[str, Any]:
        """2025 tasks/cancel of a terminal task: error -32602."""
        raise MCPError(INVALID_PARAMS, f"task {state.id!r} is already {state.status}")

    def cancel_ack_2026(self, cancelled: TaskState | None) -> dict[str, Any]:
        """The 2026 tasks/cancel acknowledgment: an empty result."""
        return {"resultType": "complete"}

    def input_request(self, wire: dict[str, Any]) -> dict[str, Any]:
        """A 2025 task's elicitation/sampling request as sent on tasks/result (with its related-task _meta)."""
        return wire

    # --- added by #18 (network faults): keep each hook small, new ones at the end ----------------------------
    def elicitation_timeout(self) -> float | None:
        """travel_agent (2025): seconds it waits for the user's answer to its elicitation/create before it gives
        up (the SDK then sends notifications/cancelled) and cancels the booking; None waits for ever."""
        return self.elicitation_wait

    # --- 2026 results (rounds.py) -----------------------------------------------------------------------
    def result_as_sent(self, method: str, params: Any, result: dict[str, Any]) -> dict[str, Any]:
        """A 2026 request's result as it goes on the wire (clean: as the handler and the SDK shaped it)."""
        return result

    # --- concurrency (event_store.py, long_running.py): what many sessions at once must not break -------
    def wire_event_id(self, store: SessionEventStore, key: str, event: StoredEvent) -> str:
        """The id a stored event goes out with: its own (the global sequence, its stream, its position)."""
        return event.event_id

    def persist_event(self, storage: Storage, event: StoredEvent) -> None:
        """Store an event, whoever else appends at the same moment."""
        storage.append(event)

    async def tool_response(self, session: str | None, request_id: str, respond: Callable[[], Awaitable[T]]) -> T:
        """long_running_agent's result: computed for this request of this session, never reused."""
        return await respond()



HOOKS: frozenset[str] = frozenset(n for n, v in vars(Behaviour).items() if callable(v) and not n.startswith("_"))
