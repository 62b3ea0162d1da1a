from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class InputRequiredEmpty(Behaviour):
    def result_as_sent(self, method: str, params: Any, result: dict[str, Any]) -> dict[str, Any]:
        if result.get("resultType") != "input_required":
            return result
        return {k: v for k, v in result.items() if k not in ("inputRequests", "requestState")}


MUTANT = Mutant(
    "input-required-empty",
    "2026: an InputRequiredResult carries neither inputRequests nor requestState (nothing to answer, nothing "
    "to echo)",
    hook="result_as_sent", behaviour=InputRequiredEmpty,
    requirements=("mrtr.shape",), scenarios=("mrtr-rounds",))
