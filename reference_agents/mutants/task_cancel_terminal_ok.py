from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.tasks import TaskState


class TaskCancelTerminalOk(Behaviour):
    def cancel_finished_task_2025(self, state: TaskState) -> dict[str, Any]:
        """No error: the task as it is."""
        return state.task_2025()


MUTANT = Mutant(
    "task-cancel-terminal-ok",
    "2025 tasks/cancel of a finished task answers the task instead of error -32602",
    hook="cancel_finished_task_2025", behaviour=TaskCancelTerminalOk,
    requirements=("tasks.cancel.terminal",), scenarios=("task-lifecycle",))
