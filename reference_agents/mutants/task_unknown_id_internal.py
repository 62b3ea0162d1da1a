from __future__ import annotations

from mcp.shared.exceptions import MCPError

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class TaskUnknownIdInternal(Behaviour):
    def unknown_task(self, task_id: str) -> MCPError:
        """The lookup's KeyError leaks out."""
        return MCPError(-32603, f"internal error: KeyError: {task_id!r}")


MUTANT = Mutant(
    "task-unknown-id-internal",
    "tasks/get|result|cancel of an unknown task id answer -32603 (a leaked lookup error) instead of "
    "-32602",
    hook="unknown_task", behaviour=TaskUnknownIdInternal,
    requirements=("tasks.errors", "tasks.ext.errors.unknown-id"), scenarios=("task-lifecycle",))
