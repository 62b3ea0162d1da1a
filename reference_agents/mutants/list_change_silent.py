from __future__ import annotations

from reference_agents.behaviour import Action, Behaviour
from reference_agents.mutants._mutant import Mutant


class ListChangeSilent(Behaviour):
    async def announce_list_change(self, kind: str, announce: Action) -> None:
        return


MUTANT = Mutant(
    "list-change-silent",
    "the tool or prompt list changes but no notifications/tools|prompts/list_changed reaches a 2026 listen stream",
    hook="announce_list_change", behaviour=ListChangeSilent,
    requirements=("tools.list-changed",), scenarios=("tools-list-changed",))
