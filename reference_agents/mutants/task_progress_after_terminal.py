from __future__ import annotations

from typing import Any

import anyio
from anyio.abc import TaskGroup

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.tasks import TaskState, send_progress


class TaskProgressAfterTerminal(Behaviour):
    def task_finished(self, tg: TaskGroup, session: Any, state: TaskState) -> None:
        """The progress ticker outlives the task: 20 more notifications, 0.1 s apart."""
        async def keep_ticking() -> None:
            for i in range(1, 21):
                await anyio.sleep(0.1)
                await send_progress(session, state, state.progress_sent + i, None, "still working")

        tg.start_soon(keep_ticking)


MUTANT = Mutant(
    "task-progress-after-terminal",
    "2025 a task's progress ticker keeps sending progress after the task finished",
    hook="task_finished", behaviour=TaskProgressAfterTerminal,
    requirements=("progress.task.stop-terminal",), scenarios=("task-lifecycle",))
