from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class NoPriming(Behaviour):
    def primes_streams(self) -> bool:
        return False


MUTANT = Mutant(
    "no-priming",
    "POST streams start without a priming event (id + empty data)",
    hook="primes_streams", behaviour=NoPriming,
    requirements=("http.sse.priming",), scenarios=("resume-mid-event",))
