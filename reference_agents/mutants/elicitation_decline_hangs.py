from __future__ import annotations

import anyio

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class ElicitationDeclineHangs(Behaviour):
    async def after_booking_declined(self) -> None:
        await anyio.sleep_forever()


MUTANT = Mutant(
    "elicitation-decline-hangs",
    "travel_agent waits forever after the user declines or cancels",
    hook="after_booking_declined", behaviour=ElicitationDeclineHangs,
    requirements=("elicit.decline.2025", "elicit.decline.2026", "http.post.eventually-response"),
    scenarios=("elicitation-decline",))
