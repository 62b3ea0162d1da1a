from __future__ import annotations

import anyio

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class ResponseHeldOpen(Behaviour):
    async def after_stream_response(self) -> None:
        """SDK bug D: the stream is held open after its response."""
        await anyio.sleep_forever()


MUTANT = Mutant(
    "response-held-open",
    "a resume replays the rest of the stream and its response, then holds the stream open (the SDK's bug "
    "D)",
    hook="after_stream_response", behaviour=ResponseHeldOpen,
    requirements=("http.post.response-terminates",), scenarios=("resume-after-result",))
