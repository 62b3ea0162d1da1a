from __future__ import annotations

import anyio
from anyio.abc import TaskGroup

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.tasks import TaskEngine, TaskState


class TaskCreateLazy(Behaviour):
    def launch_task(self, engine: TaskEngine, state: TaskState, tg: TaskGroup) -> None:
        """Answered first, stored (and started) 0.5 s later."""
        async def store_later() -> None:
            await anyio.sleep(0.5)
            engine.put(state)
            await engine.run(state.id)

        tg.start_soon(store_later)


MUTANT = Mutant(
    "task-create-lazy",
    "a task is announced (CreateTaskResult) before it is stored: tasks/get finds it only 0.5 s later",
    hook="launch_task", behaviour=TaskCreateLazy,
    requirements=("tasks.ext.durable-create",), scenarios=("task-lifecycle",))
