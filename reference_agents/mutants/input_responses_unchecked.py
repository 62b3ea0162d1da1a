from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class InputResponsesUnchecked(Behaviour):
    def checks_input_responses(self) -> bool:
        return False


MUTANT = Mutant(
    "input-responses-unchecked",
    "2026: a tools/call whose inputResponses is null (or requestState not a string) is taken for a first "
    "round instead of a -32602 protocol error",
    hook="checks_input_responses", behaviour=InputResponsesUnchecked,
    requirements=("mrtr.validate-input",), scenarios=("mrtr-malformed-input",))
