"""The harness's view of the protocol revisions: `mcp_wire.revisions` (the one definition), plus the
harness's own timing policy around them."""

from __future__ import annotations

from mcp_wire.revisions import (
    ALL,
    HANDSHAKE_REVISIONS,
    META_CLIENT_CAPABILITIES,
    META_CLIENT_INFO,
    META_PREFIX,
    META_PROTOCOL_VERSION,
    RELATED_TASK,
    TASK_STATUSES,
    TASK_TERMINAL,
    TASKS_EXTENSION,
    TRAITS,
    Revision,
    Traits,
    declares_tasks,
    known,
    parse,
    task_of,
)

# seconds after a task was first seen terminal that its last progress may still be in flight (scenarios listen
# longer than this; the progress.task.stop-terminal check fails a progress later than this)
TASK_PROGRESS_GRACE = 0.5

__all__ = ["ALL", "HANDSHAKE_REVISIONS", "META_CLIENT_CAPABILITIES", "META_CLIENT_INFO", "META_PREFIX",
           "META_PROTOCOL_VERSION", "RELATED_TASK", "TASKS_EXTENSION", "TASK_PROGRESS_GRACE", "TASK_STATUSES",
           "TASK_TERMINAL", "TRAITS", "Revision", "Traits", "declares_tasks", "known", "parse", "task_of"]
