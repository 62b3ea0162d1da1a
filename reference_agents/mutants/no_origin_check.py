from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class NoOriginCheck(Behaviour):
    """Neither OriginGuard nor the SDK's Host/Origin check."""

    def checks_origin(self) -> bool:
        return False


MUTANT = Mutant(
    "no-origin-check",
    "requests with a non-local Origin header are served instead of refused with 403",
    hook="checks_origin", behaviour=NoOriginCheck,
    requirements=("http.origin.reject-403",), scenarios=("origin-403",))
