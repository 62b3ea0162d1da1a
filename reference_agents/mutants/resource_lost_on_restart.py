from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.storage import MemoryStorage, Storage


class ResourceLostOnRestart(Behaviour):
    def record_storage(self, storage: Storage) -> Storage:
        return MemoryStorage()


MUTANT = Mutant(
    "resource-lost-on-restart",
    "bookings and reports are kept in memory only: gone after a restart even with --store sqlite:PATH",
    hook="record_storage", behaviour=ResourceLostOnRestart,
    requirements=("resources.status.forward",), scenarios=("resource-restart",))
