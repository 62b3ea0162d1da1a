from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class TaskGetNoResult(Behaviour):
    def tasks_get_2026(self, detailed: dict[str, Any]) -> dict[str, Any]:
        """The 2025 habit: the result only by tasks/result."""
        return {k: v for k, v in detailed.items() if k != "result"}


MUTANT = Mutant(
    "task-get-no-result",
    "2026 tasks/get of a completed task leaves out its `result` (as if tasks/result existed)",
    hook="tasks_get_2026", behaviour=TaskGetNoResult,
    requirements=("tasks.ext.get.shape",), scenarios=("task-lifecycle",))
