from __future__ import annotations

from typing import Any

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class TaskInputUnrelated(Behaviour):
    def input_request(self, wire: dict[str, Any]) -> dict[str, Any]:
        """The question does not say whose it is: no _meta."""
        return {**wire, "params": {k: v for k, v in (wire.get("params") or {}).items() if k != "_meta"}}


MUTANT = Mutant(
    "task-input-unrelated",
    "2025 a task's elicitation/sampling request on tasks/result lacks the related-task _meta",
    hook="input_request", behaviour=TaskInputUnrelated,
    requirements=("tasks.input-required.related-task",), scenarios=("task-input-reconnect",))
