from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.rounds import ROUND_METHODS


class ResultTypeMissing(Behaviour):
    def result_as_sent(self, method: str, params: Any, result: dict[str, Any]) -> dict[str, Any]:
        if method in ROUND_METHODS:
            return result
        return {k: v for k, v in result.items() if k != "resultType"}


MUTANT = Mutant(
    "result-type-missing",
    "2026: the results of requests other than tools/call, prompts/get and resources/read (tools/list, "
    "server/discover, ...) carry no resultType",
    hook="result_as_sent", behaviour=ResultTypeMissing,
    requirements=("rpc.result-type",), scenarios=("mrtr-rounds",))
