from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class TaskFirstNotWorking(Behaviour):
    def announced_task(self, task: dict[str, Any]) -> dict[str, Any]:
        """SEP-1686's draft first status."""
        return {**task, "status": "submitted"}


MUTANT = Mutant(
    "task-first-not-working",
    "a new task is announced `submitted` (SEP-1686's draft) instead of `working`",
    hook="announced_task", behaviour=TaskFirstNotWorking,
    requirements=("tasks.state.transitions",), scenarios=("task-lifecycle",))
