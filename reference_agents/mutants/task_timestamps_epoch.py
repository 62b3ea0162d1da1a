from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.tasks import TaskState


class TaskTimestampsEpoch(Behaviour):
    def tasks_get_2025(self, task: dict[str, Any], state: TaskState) -> dict[str, Any]:
        return {**task, "createdAt": int(state.created_at)}


MUTANT = Mutant(
    "task-timestamps-epoch",
    "2025 tasks/get gives createdAt as seconds since the epoch, not an ISO 8601 string",
    hook="tasks_get_2025", behaviour=TaskTimestampsEpoch,
    requirements=("tasks.fields",), scenarios=("task-lifecycle",))
