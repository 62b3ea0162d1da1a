from __future__ import annotations

from typing import Any

from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class RoundStateSingleUse(Behaviour):
    def __init__(self) -> None:
        self.used: set[str] = set()

    def result_as_sent(self, method: str, params: Any, result: dict[str, Any]) -> dict[str, Any]:
        state = params.get("requestState") if isinstance(params, dict) else None
        if isinstance(state, str) and "inputResponses" in params:
            if state in self.used:
                raise MCPError(INVALID_PARAMS, "Invalid params: this requestState was already used")
            self.used.add(state)
        return result


MUTANT = Mutant(
    "round-state-single-use",
    "2026: a round's requestState is used up by the first retry the server answers, even one whose stream the "
    "client closed (a cancellation): the unchanged retry re-sent afterwards is refused with -32602",
    hook="result_as_sent", behaviour=RoundStateSingleUse,
    requirements=("harness.mrtr.resend",), scenarios=("mrtr-retry-cut",))
