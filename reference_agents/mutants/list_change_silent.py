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
    uncaught="the agents' own lists never change and no profile role changes a list (the conformance fixtures' "
             "test_trigger_tool_change is no role yet), so no Faultline scenario can trigger it; the official 0.2 "
             "suite WARNs it (sep-2575-server-sends-tools-list-changed-on-subscription); "
             "tests/official/test_official_fixtures_2026.py kills it")
