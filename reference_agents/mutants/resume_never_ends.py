from __future__ import annotations

import anyio

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class ResumeNeverEnds(Behaviour):
    async def before_replay(self) -> None:
        await anyio.sleep_forever()


MUTANT = Mutant(
    "resume-never-ends",
    "a resume is answered 200 + text/event-stream and then nothing, for ever (no replay, no response, no "
    "end)",
    hook="before_replay", behaviour=ResumeNeverEnds,
    requirements=("http.resume.no-gaps",), scenarios=("resume-each-boundary",))
