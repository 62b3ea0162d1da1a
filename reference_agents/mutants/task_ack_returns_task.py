from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.tasks import TaskState


class TaskAckReturnsTask(Behaviour):
    def cancel_ack_2026(self, cancelled: TaskState | None) -> dict[str, Any]:
        """2025's answer: the task."""
        if cancelled is None:
            return {"resultType": "complete"}
        return {"resultType": "complete", **cancelled.task_2026(detailed=False)}


MUTANT = Mutant(
    "task-ack-returns-task",
    "2026 tasks/cancel acknowledges with the task (2025's answer) instead of an empty result",
    hook="cancel_ack_2026", behaviour=TaskAckReturnsTask,
    requirements=("tasks.ext.ack-empty",), scenarios=("task-cancel",))
