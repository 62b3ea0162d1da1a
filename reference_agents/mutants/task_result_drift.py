from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class TaskResultDrift(Behaviour):
    def task_outcome(self, outcome: dict[str, Any] | None) -> dict[str, Any] | None:
        if outcome is not None:
            outcome.pop("structuredContent", None)
        return outcome


MUTANT = Mutant(
    "task-result-drift",
    "a task's result loses its structuredContent: not what the synchronous call returns",
    hook="task_outcome", behaviour=TaskResultDrift,
    requirements=("tasks.result.terminal", "harness.tasks.result-exact"), scenarios=("task-lifecycle",))
