from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class ResourceUpdateAfterUnsubscribe(Behaviour):
    def unsubscribe(self, uris: set[str], uri: str) -> None:
        return


MUTANT = Mutant(
    "resource-update-after-unsubscribe",
    "resources/unsubscribe answers {} but the session keeps getting notifications/resources/updated for "
    "that URI",
    hook="unsubscribe", behaviour=ResourceUpdateAfterUnsubscribe,
    requirements=("resources.updated.only-subscribed",), scenarios=("resource-unsubscribe",))
