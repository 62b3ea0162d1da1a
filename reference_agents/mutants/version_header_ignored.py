from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class VersionHeaderIgnored(Behaviour):
    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        return _IgnoreVersionHeader(app)


class _IgnoreVersionHeader:
    """Serve an unsupported MCP-Protocol-Version as 2025-11-25."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            known = {b"2024-11-05", b"2025-03-26", b"2025-06-18", b"2025-11-25", b"2026-07-28"}
            scope = {**scope, "headers": [(k, b"2025-11-25" if k == b"mcp-protocol-version" and v not in known else v)
                                          for k, v in scope["headers"]]}
        await self.app(scope, receive, send)


MUTANT = Mutant(
    "version-header-ignored",
    "an unsupported MCP-Protocol-Version is served as 2025-11-25 instead of a 400",
    hook="wrap_app", behaviour=VersionHeaderIgnored,
    requirements=("http.version.invalid-400",), scenarios=("version-invalid-400",))
