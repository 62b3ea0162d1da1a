from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class ServerVersionMissing(Behaviour):
    def server_version(self, version: str) -> str:
        return ""


MUTANT = Mutant(
    "server-version-missing",
    "serverInfo carries an empty version (initialize, and the 2026 result _meta: server/discover's too)",
    hook="server_version", behaviour=ServerVersionMissing,
    requirements=("ver.server-info",), scenarios=("discover-identifies",))
