from __future__ import annotations

from reference_agents.behaviour import Action, Behaviour
from reference_agents.mutants._mutant import Mutant


class ResourceNoUpdate(Behaviour):
    async def announce_update(self, uri: str, announce: Action) -> None:
        return


MUTANT = Mutant(
    "resource-no-update",
    "a booking or report changes status but notifications/resources/updated is never sent (2025 GET "
    "stream and 2026 listen streams)",
    hook="announce_update", behaviour=ResourceNoUpdate,
    requirements=("resources.updated.notified",), scenarios=("resource-subscribe",))
