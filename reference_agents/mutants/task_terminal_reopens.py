from __future__ import annotations

import time
from dataclasses import replace

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.tasks import TaskState


class TaskTerminalReopens(Behaviour):
    def __init__(self) -> None:
        self._reopened: set[str] = set()

    def task_as_seen(self, state: TaskState) -> TaskState:
        """The first look at a finished task shows it working again, as if re-run (lastUpdatedAt moves on)."""
        if not state.terminal or state.id in self._reopened:
            return state
        self._reopened.add(state.id)
        return replace(state, status="working", status_message="re-running", updated_at=time.time())


MUTANT = Mutant(
    "task-terminal-reopens",
    "the first tasks/get of a finished task shows it `working` again (re-run), then finished",
    hook="task_as_seen", behaviour=TaskTerminalReopens,
    requirements=("tasks.state.terminal", "tasks.ext.state.terminal"), scenarios=("task-lifecycle",))
