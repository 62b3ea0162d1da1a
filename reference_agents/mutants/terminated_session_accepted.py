from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Send

from reference_agents.behaviour import Action, Behaviour
from reference_agents.mutants._mutant import Mutant


class TerminatedSessionAccepted(Behaviour):
    async def delete_session(self, request: Request, send: Send, end: Action) -> None:
        """DELETE says yes, nothing ends."""
        await Response(status_code=200)(request.scope, request.receive, send)


MUTANT = Mutant(
    "terminated-session-accepted",
    "DELETE answers 200 but the session keeps being served",
    hook="delete_session", behaviour=TerminatedSessionAccepted,
    requirements=("http.session.terminated-404",), scenarios=("session-delete-404",))
