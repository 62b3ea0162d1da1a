"""The scenario API: everything a scenario may use, and the only module of Faultline a scenario imports
(tests/test_walls.py holds that wall). Scenarios never open a socket.

A scenario is an async function taking a `ScenarioContext`, registered with `@scenario(...)`
with a name, a description, the revisions it applies to, the target roles it needs and the
checks it exists to exercise. The runner (`harness/runner.py` `Context`) implements the context; the
wire clients (`harness/client/`: one per revision, chosen by a factory) implement `Client`, and the
SDK-driven client `SdkClient`. What differs by revision is a verb of the client (`finish`, `recover`,
`reconnect`, `subscribe`, `finish_task`, ...), so a scenario body never asks which revision it plays;
`revisions=` says which revisions it applies to (data, not a branch).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from anyio.abc import TaskGroup

from harness.client.answers import Answers
from harness.revisions import ALL, TASK_PROGRESS_GRACE, TASK_TERMINAL, Revision

JSON = dict[str, Any]
Task = dict[str, Any]  # a task as the server shows it (taskId, status, statusMessage, ...)

# Roles a target profile maps to tool names and arguments (harness/profiles.py; README "Target profiles").
# Each asks only what a tool of any server can give; `faultline discover` proposes a tool for each.
PROGRESS = "progress"  # sends two or more events (progress or log notifications) on its own stream, then a result
ELICIT = "elicitation"  # asks the client a form-mode elicitation, then a result
SAMPLE = "sampling"  # asks the client for a sampling/createMessage, then a result
LONG = "long_running"  # a slow tool with many events (for cuts and resumes): often the progress tool, more steps
RESOURCE = "resource"  # a tool whose resource (a URI named in its first progress message, or new in resources/list)
# changes while it runs, pausing on a form elicitation the client answers (travel_agent's booking)
EFFECT = "effect"  # a slow tool whose completed runs are counted in its result (`job_runs_completed`)
TASK = "task"  # a task-capable tool with a deterministic result, reporting "step k/N" as it goes (tasks)
TASK_INPUT = "task_input"  # a task-capable tool that needs the user's answer (a form elicitation) while it runs
SERVER_CLOSE = "server_close"  # a tool whose server closes the SSE stream mid-way (SEP-1699 polling)
ROUNDS = "rounds"  # 2026-07-28: answers with InputRequiredResult rounds (a form elicitation, a requestState)
LIST_CHANGE = "list_change"  # each call adds or removes a tool (the tool list changes) and announces it
BURST = "burst"  # a tool that sends a fast burst of notifications belonging to no request (2025: the GET stream)

# role -> what its tool must do (profile validation, `faultline discover`'s comments)
ROLES: dict[str, str] = {
    PROGRESS: "sends two or more events (progress or log notifications) on the call's own stream, then its result",
    LONG: "a slower call with more events than the progress role's (cuts and resumes mid-way): often the same "
          "tool with more steps",
    ELICIT: "asks the client a form-mode elicitation (2025: elicitation/create; 2026: an input_required round), "
            "then answers",
    SAMPLE: "asks the client's model (sampling/createMessage), then answers",
    SERVER_CLOSE: "the server closes the call's SSE stream mid-way on purpose after a `retry` field (SEP-1699 "
                  "polling); the client resumes with Last-Event-ID",
    EFFECT: "a slow call whose result counts the runs that completed (structuredContent.job_runs_completed)",
    RESOURCE: "changes a resource while it runs (its URI named in a progress message) and pauses on a form "
              "elicitation",
    TASK: "runs as a task (execution.taskSupport optional or required) to a deterministic result; a statusMessage "
          "'step k/N' lets the restart scenarios kill it at each step",
    TASK_INPUT: "runs as a task and asks the user a form elicitation while it runs (status input_required)",
    ROUNDS: "2026-07-28: answers its call with an InputRequiredResult (a form elicitation, with a requestState), "
            "asks again while an answer is missing, and completes once answered (default: the elicitation role)",
    LIST_CHANGE: "each call adds or removes a tool (tools/list changes) and announces it "
                 "(notifications/tools/list_changed to listeners)",
    BURST: "sends a fast burst of notifications that belong to no request (log messages numbered in their data: "
           "burst, seq, count) on the session's standalone GET stream, then answers",
}

class Event(Protocol):
    """One SSE event a client received."""

    @property
    def id(self) -> str | None: ...


class Outcome(Protocol):
    """What a request gave the client: its stream's events, its response, how the exchange ended."""

    @property
    def stream(self) -> str | None: ...  # the logical stream (`post:<id>`, `get`), resumable by its event ids
    @property
    def events(self) -> Sequence[Event]: ...
    @property
    def response(self) -> JSON | None: ...
    @property
    def result(self) -> JSON | None: ...
    @property
    def error(self) -> JSON | None: ...
    @property
    def status(self) -> int | None: ...
    @property
    def ended(self) -> str: ...  # eof | cut | timeout | reset | error | limit | held-open | client-close
    @property
    def last_event_id(self) -> str | None: ...
    @property
    def retry_ms(self) -> int | None: ...
    @property
    def reissued(self) -> bool: ...  # `recover` sent the call again (it was not resumable)


class Toxic(Protocol):
    async def remove(self) -> None: ...


class Client(Protocol):
    """What a scenario can do with one recording MCP client (harness/client/): an async context manager.
    Every exchange lands in the run's history; nothing raises for what a server does."""

    async def __aenter__(self) -> Client: ...
    async def __aexit__(self, *exc: object) -> None: ...

    # -- requests ---------------------------------------------------------------------------------
    async def open(self) -> JSON:
        """Start talking: 2025-11-25 initialize (a session), 2026-07-28 server/discover. The server's answer."""
        ...

    async def connect(self) -> None:
        """What a client must do before its first request, and no more: 2025-11-25 initialize (a session),
        2026-07-28 nothing (no session)."""
        ...

    async def call(self, method: str, params: JSON | None = None, *, request_id: int | str | None = None,
                   progress_token: Any = None, cut_after: int | None = None, cut_mid_event: bool = False,
                   deadline: float | None = None, purpose: str = "call") -> Outcome:
        """One JSON-RPC request; `cut_after` events the client closes the stream (mid-event with `cut_mid_event`)."""
        ...

    async def call_tool(self, name: str, arguments: JSON, *, request_id: int | str | None = None,
                        progress_token: Any = None, cut_after: int | None = None, cut_mid_event: bool = False,
                        deadline: float | None = None, tamper_request_state: bool = False,
                        read_timeout: float | None = None) -> Outcome:
        """tools/call, answering the server's questions with the client's `Answers` (2026: InputRequiredResult
        rounds; `tamper_request_state` alters the requestState of the first retry); `read_timeout`: the longest
        silence of the call's stream, instead of the client's (a scenario's patience with a server that waits)."""
        ...

    async def resume(self, stream: str, last_event_id: str, *, cut_after: int | None = None,
                     deadline: float | None = None) -> Outcome:
        """GET + Last-Event-ID on `stream` (2025-11-25)."""
        ...

    async def delete(self) -> int:
        """DELETE the session; the HTTP status."""
        ...

    async def raw(self, method: str, *, headers: dict[str, str] | None = None, body: Any = None,
                  purpose: str = "probe", with_session: bool = True, deadline: float | None = None) -> Outcome:
        """One HTTP request as given (a deliberate mistake), with the revision's usual headers."""
        ...

    async def served_request(self, purpose: str, *, headers: dict[str, str] | None = None,
                             deadline: float | None = None) -> Outcome:
        """A well-formed request every server must serve at this revision (2025: ping, 2026: server/discover),
        built as every request is, with `headers` added."""
        ...

    # -- a call to its end, whatever the revision -----------------------------------------------------
    async def finish(self, outcome: Outcome, *, first_cut: int | None = None, honour_retry: bool = True) -> Outcome:
        """Follow a call's own stream to its response: 2025-11-25 resume by GET + Last-Event-ID (honouring
        `retry`; `first_cut` cuts the first resume after that many events) until the response comes;
        2026-07-28 a closed stream is the end of the call: the outcome as it is."""
        ...

    async def recover(self, outcome: Outcome, *, progress_token: Any = None, first_cut: int | None = None,
                      honour_retry: bool = True) -> Outcome:
        """Get a cut call's result: 2025-11-25 `finish` (resume); 2026-07-28 re-issue it with a new request id
        (`progress_token` for the new one) when it has no response. The last outcome (`reissued` if sent again)."""
        ...

    async def reconnect(self, outcome: Outcome | None, *, deadline: float) -> Outcome | None:
        """One attempt to reconnect a stream: 2025-11-25 GET + Last-Event-ID from its last event id; None (and
        nothing sent) when there is nothing to resume: no outcome, no event id, or 2026-07-28."""
        ...

    # -- what the client received --------------------------------------------------------------------
    def mark(self) -> int:
        """A position in what this client received: `since=` of `received` and `notified`."""
        ...

    def received(self, method: str, *, since: int = 0) -> list[JSON]:
        """The params of every message with `method` this client's streams carried (from `since`), in order."""
        ...

    async def notified(self, method: str, timeout: float, *, since: int = 0, after: float | None = None,
                       where: Callable[[JSON], bool] | None = None) -> JSON | None:
        """The params of the first message with `method` received from `since` (and later than history time
        `after`) for which `where(params)` holds, waiting up to `timeout` seconds; None if none came."""
        ...

    async def open_standalone_stream(self, tg: TaskGroup, *, deadline: float, wait: float | None = None) -> bool:
        """2025-11-25: open the session's standalone GET stream in `tg` (open until `deadline`) and wait up to
        `wait` seconds for its first event; whether one came. 2026-07-28 has none: False, nothing sent."""
        ...

    async def watch_resources(self, tg: TaskGroup, *, cut_after: int | None = None) -> Outcome | None:
        """Open the stream resource notifications come on: 2025-11-25 the standalone GET stream (primed), or
        with `cut_after` the same stream cut after that many events (returned, to recover); 2026-07-28
        subscriptions/listen for list changes (acknowledged), or with `cut_after` nothing (a listen stream is
        per subscription: `subscribe(lose_stream=True)` loses it)."""
        ...

    async def subscribe(self, uri: str, tg: TaskGroup, *, lose_stream: bool = False) -> None:
        """Subscribe to `uri`'s updates: 2025-11-25 resources/subscribe; 2026-07-28 a listen stream for it in `tg`
        (acknowledged), or with `lose_stream` one the client loses right after its acknowledgment."""
        ...

    async def recover_updates(self, lost: Outcome | None, uri: str, tg: TaskGroup, *, since: int) -> None:
        """After the update stream was lost: 2025-11-25 resume the GET stream `lost` in `tg` and wait for `uri`'s
        update (received from `since`); 2026-07-28 listen for `uri` again."""
        ...

    # -- tasks -------------------------------------------------------------------------------------------
    def offers_tasks(self, opened: JSON) -> bool:
        """From `open()`'s answer: does the server run tool calls as tasks?"""
        ...

    async def start_task(self, name: str, arguments: JSON, *, progress_token: Any = None,
                         deadline: float | None = None) -> tuple[Outcome, Task | None]:
        """A task-augmented tools/call: the outcome and the task it created (None: no task)."""
        ...

    async def get_task(self, task_id: str, *, deadline: float | None = None) -> Outcome: ...

    async def poll_task(self, task_id: str, until: Callable[[Task], bool], timeout: float) -> Task | None:
        """Poll tasks/get until `until(task)`; the last task seen, or None."""
        ...

    async def finish_task(self, task_id: str) -> Task | None:
        """Drive a task to its end: 2025-11-25 tasks/result (its questions answered on its stream), then a poll;
        2026-07-28 polls, answering its input requests with tasks/update. The terminal task, or None."""
        ...

    async def task_result(self, task_id: str, *, cut_after: int | None = None,
                          deadline: float | None = None) -> Outcome | None:
        """2025-11-25 tasks/result (cut after `cut_after` events if given); 2026-07-28 has no such request: None."""
        ...

    async def untasked_call(self, name: str, arguments: JSON, *, deadline: float | None = None) -> Outcome | None:
        """The call made synchronously by a client that did not negotiate tasks: 2025-11-25 a plain tools/call
        (none, noted, for a tool declaring taskSupport "required"); 2026-07-28 one carrying the 2025 `task`
        parameter, which the server must ignore."""
        ...


class SdkOutcome(Protocol):
    @property
    def result(self) -> JSON | None: ...
    @property
    def error(self) -> str | None: ...


class SdkClient(Protocol):
    """The official SDK's client (its own reconnects and MRTR loop), recorded into the same history."""

    async def __aenter__(self) -> SdkClient: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def call_tool(self, name: str, arguments: JSON, *, deadline: float | None = None) -> SdkOutcome: ...


class ScenarioContext(Protocol):
    revision: Revision  # the revision this run plays (a scenario reads it as data: tables, never a branch)
    time_scale: float

    def role(self, name: str) -> tuple[str, JSON]:
        """(tool name, arguments) for a role of the target profile; NotApplicable if it has none."""
        ...

    def client(self, name: str = "A", *, answers: Answers | None = None, capabilities: JSON | None = None,
               tasks: bool = False) -> Client:
        """A recording client (async context manager) through the fault proxy, the one for the run's revision.
        `capabilities` replaces the default ones ({} declares none); `tasks` declares the tasks extension where
        the revision needs a client to (2026-07-28)."""
        ...

    def sdk_client(self, name: str = "A", *, answers: Answers | None = None,
                   timeout: float | None = None) -> SdkClient:
        """The official SDK's client, recorded into the same history."""
        ...

    async def fault(self, type: str, attributes: JSON, **kw: Any) -> Toxic:
        """Add a toxic (recorded with its type and stream); returns a handle whose `remove()` removes it (recorded).
        `stream="upstream"` (client -> server) or `"downstream"` (the default), `toxicity=` (0..1) as Toxiproxy's;
        a `faultline.*` type a real Toxiproxy lacks raises NotApplicable."""
        ...

    async def network(self, up: bool) -> None:
        """Disable or re-enable the proxy (network down / up), recorded."""
        ...

    async def restart_target(self) -> None:
        """Kill the target (SIGKILL) and start it again; NotApplicable if it cannot be restarted."""
        ...

    def note(self, text: str, **data: Any) -> None: ...

    def deadline(self, seconds: float) -> float:
        """A deadline scaled by the run's time scale."""
        ...

    def now(self) -> float:
        """The history's clock (seconds), as its records' `t`."""
        ...


ScenarioBody = Callable[[ScenarioContext], Awaitable[None]]


class NotApplicable(Exception):
    """Raised by a scenario (or the context) when the target cannot play it; the reason is reported."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    revisions: tuple[Revision, ...]
    roles: tuple[str, ...]
    checks: tuple[str, ...]  # requirement ids this scenario exists to exercise
    run: ScenarioBody = field(compare=False)
    tags: tuple[str, ...] = ()


_REGISTRY: dict[str, Scenario] = {}


def scenario(
    name: str,
    description: str,
    *,
    revisions: tuple[Revision, ...] = ALL,
    roles: tuple[str, ...] = (),
    checks: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> Callable[[ScenarioBody], ScenarioBody]:
    def register(fn: ScenarioBody) -> ScenarioBody:
        if name in _REGISTRY:
            raise ValueError(f"scenario {name!r} registered twice")
        _REGISTRY[name] = Scenario(name, description, revisions, roles, checks, fn, tags)
        return fn

    return register


def all_scenarios() -> list[Scenario]:
    import scenarios.library  # noqa: F401 - registers the built-in scenarios

    return list(_REGISTRY.values())


def select(patterns: list[str] | None) -> list[Scenario]:
    """Scenarios whose name contains any of the patterns (all when none). Unknown → ValueError."""
    found = all_scenarios()
    if not patterns:
        return found
    chosen = [s for s in found if any(p in s.name or p in s.tags for p in patterns)]
    if not chosen:
        names = ", ".join(s.name for s in found)
        raise ValueError(f"no scenario matches {', '.join(patterns)!r} (known: {names})")
    return chosen


__all__ = ["ALL", "EFFECT", "ELICIT", "LIST_CHANGE", "LONG", "PROGRESS", "RESOURCE", "ROLES", "ROUNDS", "SAMPLE",
           "SERVER_CLOSE", "TASK", "TASK_INPUT", "TASK_PROGRESS_GRACE", "TASK_TERMINAL", "JSON", "Answers", "Client", "Event", "NotApplicable", "Outcome", "Revision", "Scenario",
           "ScenarioBody", "ScenarioContext", "SdkClient", "SdkOutcome", "Task", "Toxic", "all_scenarios",
           "scenario", "select"]
