"""Transport probes: sessions, protocol version and Origin, each a single deliberate mistake."""

from __future__ import annotations

from scenarios.api import Client, Revision, ScenarioContext, scenario

R2025 = (Revision.R2025,)
PING = {"jsonrpc": "2.0", "id": 9001, "method": "ping"}


@scenario("session-delete-404", "DELETE the session, then use it: the server must answer 404.",
          revisions=R2025, checks=("http.session.terminated-404",), tags=("transport", "session"))
async def session_delete_404(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.delete()
        await c.raw("POST", body=PING, purpose="after-delete", deadline=ctx.deadline(5))


@scenario("session-missing-400", "A request without Mcp-Session-Id after initialization: 400.",
          revisions=R2025, checks=("http.session.missing-400",), tags=("transport", "session"))
async def session_missing_400(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.raw("POST", body=PING, purpose="missing-session", with_session=False, deadline=ctx.deadline(5))


@scenario("version-invalid-400", "A request with an MCP-Protocol-Version the server does not support: 400.",
          revisions=R2025, checks=("http.version.invalid-400",), tags=("transport",))
async def version_invalid_400(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await c.raw("POST", body=PING, headers={"mcp-protocol-version": "1999-01-01"}, purpose="bad-version",
                    deadline=ctx.deadline(5))


EVIL_ORIGIN = "http://evil.example"


async def origin_probe(ctx: ScenarioContext, c: Client) -> None:
    """The same well-formed request twice: without an Origin (the control: does the server serve it at all?),
    then with a non-local Origin, which must be refused with 403. Each is a request every server must serve at
    the revision (`Client.served_request`: 2025 ping, 2026 server/discover), built as every request is: a probe
    must be well-formed at the revision it probes, or the refusal says nothing about what the probe is about."""
    await c.served_request("origin-control", deadline=ctx.deadline(5))
    await c.served_request("bad-origin", headers={"origin": EVIL_ORIGIN}, deadline=ctx.deadline(5))


@scenario("origin-403", "A well-formed request with a non-local Origin header (DNS rebinding): 403; the same "
          "request without the Origin first, as the control.", checks=("http.origin.reject-403",), tags=("transport",))
async def origin_403(ctx: ScenarioContext) -> None:
    async with ctx.client("A") as c:
        await c.open()
        await origin_probe(ctx, c)
