from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.storage import MemoryStorage, Storage


class TaskLostOnRestart(Behaviour):
    def task_storage(self, storage: Storage) -> Storage:
        return MemoryStorage()


MUTANT = Mutant(
    "task-lost-on-restart",
    "tasks are kept in memory only: gone after a restart even with --store sqlite:PATH",
    hook="task_storage", behaviour=TaskLostOnRestart,
    requirements=("tasks.ttl.retention",), scenarios=("task-input-restart",))
