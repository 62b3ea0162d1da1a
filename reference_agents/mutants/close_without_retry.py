from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class CloseWithoutRetry(Behaviour):
    def retry_hint(self, configured: int | None) -> int | None:
        return None


MUTANT = Mutant(
    "close-without-retry",
    "the server closes a stream on purpose without sending `retry` first",
    hook="retry_hint", behaviour=CloseWithoutRetry,
    requirements=("http.sse.retry-before-close",), scenarios=("server-close-retry",))
