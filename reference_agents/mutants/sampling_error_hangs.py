from __future__ import annotations

import anyio

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class SamplingErrorHangs(Behaviour):
    async def after_sampling_failed(self) -> None:
        await anyio.sleep_forever()


MUTANT = Mutant(
    "sampling-error-hangs",
    "research_agent waits forever after the client rejects or fails sampling",
    hook="after_sampling_failed", behaviour=SamplingErrorHangs,
    requirements=("sampling.rejection", "http.post.eventually-response"),
    scenarios=("sampling-reject", "sampling-error"))
