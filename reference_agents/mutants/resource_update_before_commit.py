from __future__ import annotations

import anyio

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.resources import ResourceEvents


class ResourceUpdateBeforeCommit(Behaviour):
    async def announce_before_commit(self, events: ResourceEvents, uri: str) -> bool:
        """Announce first; commit once a reader saw the old status (or after 2 s)."""
        read = events.expect_read(uri)
        await events.changed(uri, created=False)
        with anyio.move_on_after(2):
            await read.wait()
        return True


MUTANT = Mutant(
    "resource-update-before-commit",
    "notifications/resources/updated is sent before the new status is committed: a read right after it "
    "still sees the old status",
    hook="announce_before_commit", behaviour=ResourceUpdateBeforeCommit,
    requirements=("resources.updated.after-commit",), scenarios=("resource-subscribe",))
