from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mcp.server.mcpserver.exceptions import ResourceNotFoundError

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class ResourceUnknownEmpty(Behaviour):
    def read_unknown_resource(self, error: ResourceNotFoundError) -> Iterable[Any]:
        return []


MUTANT = Mutant(
    "resource-unknown-empty",
    "resources/read of an unknown URI answers empty `contents` instead of error -32602",
    hook="read_unknown_resource", behaviour=ResourceUnknownEmpty,
    requirements=("resources.read.unknown",), scenarios=("resource-unknown-uri",))
