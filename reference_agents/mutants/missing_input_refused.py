from __future__ import annotations

from typing import Any

from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class MissingInputRefused(Behaviour):
    def result_as_sent(self, method: str, params: Any, result: dict[str, Any]) -> dict[str, Any]:
        retry = isinstance(params, dict) and ("requestState" in params or "inputResponses" in params)
        if retry and result.get("resultType") == "input_required":
            raise MCPError(INVALID_PARAMS, "Invalid params: the retry lacks the input responses asked for")
        return result


MUTANT = Mutant(
    "missing-input-refused",
    "2026: a retry that still lacks an input response the round asked for is refused with -32602 instead of "
    "being asked again",
    hook="result_as_sent", behaviour=MissingInputRefused,
    requirements=("mrtr.missing-input",), scenarios=("mrtr-missing-input",))
