"""The protocol revisions Faultline knows, their constants, and the one place their differences are named."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Revision(StrEnum):
    """A protocol revision a check or scenario applies to."""

    R2025 = "2025-11-25"
    R2026 = "2026-07-28"

    @property
    def has_sessions(self) -> bool:
        return self is Revision.R2025

    @property
    def resumable(self) -> bool:
        """Last-Event-ID resumption of SSE streams exists only on 2025-11-25."""
        return self is Revision.R2025

    @property
    def disconnect_cancels(self) -> bool:
        """On 2026-07-28 closing a response stream MUST be treated as cancellation."""
        return self is Revision.R2026

    @property
    def push_requests(self) -> bool:
        """Server->client elicitation/sampling requests on SSE exist only on 2025-11-25."""
        return self is Revision.R2025


ALL: tuple[Revision, ...] = (Revision.R2025, Revision.R2026)

# Older handshake revisions that behave as 2025-11-25 for our purposes.
HANDSHAKE_REVISIONS = ("2025-03-26", "2025-06-18", "2025-11-25")

META_PREFIX = "io.modelcontextprotocol/"
META_PROTOCOL_VERSION = META_PREFIX + "protocolVersion"
META_CLIENT_CAPABILITIES = META_PREFIX + "clientCapabilities"
META_CLIENT_INFO = META_PREFIX + "clientInfo"


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


def task_of(result: object, revision: Revision | str) -> dict[str, object] | None:
    """The task a tools/call result created (its CreateTaskResult), or None."""
    if not isinstance(result, dict):
        return None
    if Revision(revision) is Revision.R2025:
        task = result.get("task")
        return task if isinstance(task, dict) and isinstance(task.get("taskId"), str) else None
    return result if result.get("resultType") == "task" and isinstance(result.get("taskId"), str) else None


def declares_tasks(params: object) -> bool:
    """Does a 2026 request's `_meta` declare the tasks extension among its client capabilities?"""
    meta = params.get("_meta") if isinstance(params, Mapping) else None
    caps = meta.get(META_CLIENT_CAPABILITIES) if isinstance(meta, Mapping) else None
    extensions = caps.get("extensions") if isinstance(caps, Mapping) else None
    return isinstance(extensions, Mapping) and TASKS_EXTENSION in extensions
