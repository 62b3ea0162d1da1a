"""The protocol revisions Faultline knows, their constants, and the one place their differences are named."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Revision(StrEnum):
    """A protocol revision a check or scenario applies to."""

    R2025 = "2025-11-25"
    R2026 = "2026-07-28"

    @property
    def traits(self) -> Traits:
        """What this revision does differently: the switch to consult instead of comparing revisions."""
        return TRAITS[self]


@dataclass(frozen=True)
class Traits:
    has_sessions: bool  # initialize opens a session that every later request names (Mcp-Session-Id)
    resumable: bool  # a cut SSE stream is resumed by GET + Last-Event-ID
    disconnect_cancels: bool  # closing a response stream MUST be treated as cancellation (else: it is not)
    push_requests: bool  # the server may send elicitation/sampling requests on the call's SSE stream
    envelope_meta: bool  # every request carries the protocol version, capabilities and client info in `_meta`
    served_method: str  # a request every server must serve (2026-07-28 removed `ping`)
    tasks_extension: bool  # tasks are the `io.modelcontextprotocol/tasks` extension (else the core utility)
    ttl_field: str  # a task's time-to-live, in milliseconds
    poll_interval_field: str  # a task's suggested polling interval, in milliseconds
    resource_not_found_codes: tuple[int, ...]  # the JSON-RPC error codes a read of an unknown resource may carry


TRAITS: dict[Revision, Traits] = {
    Revision.R2025: Traits(has_sessions=True, resumable=True, disconnect_cancels=False, push_requests=True,
                           envelope_meta=False, served_method="ping", tasks_extension=False, ttl_field="ttl",
                           poll_interval_field="pollInterval", resource_not_found_codes=(-32602, -32002)),
    Revision.R2026: Traits(has_sessions=False, resumable=False, disconnect_cancels=True, push_requests=False,
                           envelope_meta=True, served_method="server/discover", tasks_extension=True,
                           ttl_field="ttlMs", poll_interval_field="pollIntervalMs", resource_not_found_codes=(-32602,)),
}

ALL: tuple[Revision, ...] = (Revision.R2025, Revision.R2026)

# Older handshake revisions that behave as 2025-11-25 for our purposes.
HANDSHAKE_REVISIONS = ("2025-03-26", "2025-06-18", "2025-11-25")

META_PREFIX = "io.modelcontextprotocol/"
META_PROTOCOL_VERSION = META_PREFIX + "protocolVersion"
META_CLIENT_CAPABILITIES = META_PREFIX + "clientCapabilities"
META_CLIENT_INFO = META_PREFIX + "clientInfo"


def known(value: object) -> Revision | None:
    """The revision a recorded string names, or None for one Faultline does not know."""
    try:
        return Revision(str(value))
    except ValueError:
        return None


def parse(value: str) -> tuple[Revision, ...]:
    """Parse a `--revision` value: one revision or `all`. Raises ValueError with a clear message."""
    if value == "all":
        return ALL
    try:
        return (Revision(value),)
    except ValueError:
        choices = ", ".join([r.value for r in ALL] + ["all"])
        raise ValueError(f"unknown revision {value!r} (choose from {choices})") from None


# Tasks: 2025-11-25 core utility (`{"task": Task}` answers a task-augmented call), 2026-07-28 the
# `io.modelcontextprotocol/tasks` extension (`resultType: "task"`, declared per request).
TASKS_EXTENSION = META_PREFIX + "tasks"
RELATED_TASK = META_PREFIX + "related-task"
TASK_TERMINAL = frozenset({"completed", "failed", "cancelled"})
TASK_STATUSES = frozenset({"working", "input_required"}) | TASK_TERMINAL


def task_of(result: object, revision: Revision) -> dict[str, object] | None:
    """The task a tools/call result created (its CreateTaskResult), or None."""
    if not isinstance(result, dict):
        return None
    if revision.traits.tasks_extension:
        return result if result.get("resultType") == "task" and isinstance(result.get("taskId"), str) else None
    task = result.get("task")
    return task if isinstance(task, dict) and isinstance(task.get("taskId"), str) else None


def declares_tasks(params: object) -> bool:
    """Does a 2026 request's `_meta` declare the tasks extension among its client capabilities?"""
    meta = params.get("_meta") if isinstance(params, Mapping) else None
    caps = meta.get(META_CLIENT_CAPABILITIES) if isinstance(meta, Mapping) else None
    extensions = caps.get("extensions") if isinstance(caps, Mapping) else None
    return isinstance(extensions, Mapping) and TASKS_EXTENSION in extensions
