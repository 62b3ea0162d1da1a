from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class ElicitationWaitsForever(Behaviour):
    def elicitation_timeout(self) -> float | None:
        """No timeout: a lost answer leaves travel_agent waiting for ever."""
        return None


MUTANT = Mutant(
    "elicitation-waits-forever",
    "2025: travel_agent waits for ever for the answer to its elicitation/create: an answer lost to the network "
    "leaves the call without a response",
    hook="elicitation_timeout", behaviour=ElicitationWaitsForever,
    requirements=("http.post.eventually-response",), scenarios=("toxic-lost-answer",))
