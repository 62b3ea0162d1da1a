"""A response cache keyed by the JSON-RPC request id alone (not by session): sessions get each other's results."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant

T = TypeVar("T")


class ResponseCacheByRequestId(Behaviour):
    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}  # request id -> the result computed for it (whichever session asked)

    async def tool_response(self, session: str | None, request_id: str, respond: Callable[[], Awaitable[T]]) -> T:
        """A request id seen before is answered from the cache, whoever asked first."""
        if request_id in self._cache:
            return self._cache[request_id]  # type: ignore[no-any-return]
        result = await respond()
        self._cache[request_id] = result
        return result


MUTANT = Mutant(
    "response-cache-by-request-id",
    "long_running_agent results are cached by request id alone: a session gets another session's result",
    hook="tool_response", behaviour=ResponseCacheByRequestId,
    requirements=("load.isolation",), by_load=True)
