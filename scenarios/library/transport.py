"""Transport probes: sessions, protocol version and Origin, each a single deliberate mistake."""

from __future__ import annotations

from typing import Any

from harness.revisions import Revision
from scenarios.api import scenario

R2025 = (Revision.R2025,)
PING = {"jsonrpc": "2.0", "id": 9001, "method": "ping"}


@scenario("session-delete-404", "DELETE the session, then use it: the server must answer 404.",
          revisions=R2025, checks=("http.session.terminated-404",), tags=("transport", "session"))
async def session_delete_404(ctx: Any) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.delete()
        await c.raw("POST", body=PING, purpose="after-delete", deadline=ctx.deadline(5))


@scenario("session-missing-400", "A request without Mcp-Session-Id after initialization: 400.",
          revisions=R2025, checks=("http.session.missing-400",), tags=("transport", "session"))
async def session_missing_400(ctx: Any) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.raw("POST", body=PING, purpose="missing-session", with_session=False, deadline=ctx.deadline(5))


@scenario("version-invalid-400", "A request with an MCP-Protocol-Version the server does not support: 400.",
          revisions=R2025, checks=("http.version.invalid-400",), tags=("transport",))
async def version_invalid_400(ctx: Any) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.raw("POST", body=PING, headers={"mcp-protocol-version": "1999-01-01"}, purpose="bad-version",
                    deadline=ctx.deadline(5))


@scenario("origin-403", "A request with a non-local Origin header (DNS rebinding): 403.",
          checks=("http.origin.reject-403",), tags=("transport",))
async def origin_403(ctx: Any) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.raw("POST", body=PING, headers={"origin": "http://evil.example"}, purpose="bad-origin",
                    deadline=ctx.deadline(5))
