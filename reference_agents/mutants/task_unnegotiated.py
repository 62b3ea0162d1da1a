from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class TaskUnnegotiated(Behaviour):
    def runs_as_task(self, declared: bool) -> bool:
        return True


MUTANT = Mutant(
    "task-unnegotiated",
    "2026 task-capable tools answer with a task even when the request did not declare the tasks extension",
    hook="runs_as_task", behaviour=TaskUnnegotiated,
    requirements=("tasks.ext.requires-capability",), scenarios=("task-lifecycle",))
