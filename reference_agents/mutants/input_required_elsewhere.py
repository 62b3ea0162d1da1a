from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class InputRequiredElsewhere(Behaviour):
    def result_as_sent(self, method: str, params: Any, result: dict[str, Any]) -> dict[str, Any]:
        if method != "tools/list":
            return result
        return {**result, "resultType": "input_required", "requestState": "list-again"}


MUTANT = Mutant(
    "input-required-elsewhere",
    "2026: tools/list is answered with an InputRequiredResult (resultType input_required, a requestState), a "
    "request MRTR does not support",
    hook="result_as_sent", behaviour=InputRequiredElsewhere,
    requirements=("mrtr.allowed-methods",), scenarios=("mrtr-rounds",))
