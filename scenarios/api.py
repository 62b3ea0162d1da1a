"""The scenario API: what a scenario may ask of the runner. Scenarios never open a socket.

A scenario is an async function taking a `ScenarioContext`, registered with `@scenario(...)`
with a name, a description, the revisions it applies to, the target roles it needs and the
checks it exists to exercise. The runner (`harness/runner.py`) implements the context.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.revisions import ALL, Revision

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
}

class Client(Protocol):
    """What a scenario can do with one MCP client (see harness/client/session.py)."""

    session_id: str | None

    async def open(self) -> dict[str, Any]: ...
    async def call(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Any: ...
    async def call_tool(self, name: str, arguments: dict[str, Any], **kw: Any) -> Any: ...
    async def resume(self, stream: str, last_event_id: str, **kw: Any) -> Any: ...
    async def delete(self) -> int: ...
    async def raw(self, method: str, **kw: Any) -> Any: ...


class ScenarioContext(Protocol):
    revision: Revision
    time_scale: float

    def role(self, name: str) -> tuple[str, dict[str, Any]]:
        """(tool name, arguments) for a role of the target profile."""
        ...

    def client(self, name: str = "A", **kw: Any) -> Any:
        """A recording client (async context manager) through the fault proxy."""
        ...

    def sdk_client(self, name: str = "A", **kw: Any) -> Any:
        """The official SDK's client (its own reconnects and MRTR loop), recorded into the same history."""
        ...

    async def fault(self, type: str, attributes: dict[str, Any], **kw: Any) -> Any:
        """Add a toxic (recorded); returns a handle whose `remove()` removes it (recorded)."""
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


class NotApplicable(Exception):
    """Raised by a scenario (or the context) when the target cannot play it; the reason is reported."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    revisions: tuple[Revision, ...]
    roles: tuple[str, ...]
    checks: tuple[str, ...]  # requirement ids this scenario exists to exercise
    run: Callable[[Any], Awaitable[None]] = field(compare=False)
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
) -> Callable[[Callable[[Any], Awaitable[None]]], Callable[[Any], Awaitable[None]]]:
    def register(fn: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
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
