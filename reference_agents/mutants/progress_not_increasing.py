from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class ProgressNotIncreasing(Behaviour):
    def progress_value(self, step: int) -> float:
        """1, 2, 2, 4, ..."""
        return 2 if step == 3 else step


MUTANT = Mutant(
    "progress-not-increasing",
    "long_running_agent reports step 2 again instead of step 3",
    hook="progress_value", behaviour=ProgressNotIncreasing,
    requirements=("progress.monotonic",), scenarios=("progress-latency-slicer",))
