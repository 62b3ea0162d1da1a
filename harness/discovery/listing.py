"""Which revisions a server speaks, and the tools it lists at each (no tool is called here).

2025-11-25 is spoken when `initialize` is answered with that protocolVersion; 2026-07-28 when a
well-formed `server/discover` (the per-request `_meta` envelope WireClient builds) is answered with a
result whose supportedVersions (if given) include it. Every exchange is recorded in the history given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

from harness.client.factory import wire_client
from harness.client.session import DEFAULT_CAPABILITIES, WireClient
from harness.client.tasks import server_offers_tasks, with_tasks
from harness.history import History, Request
from harness.revisions import META_PREFIX, Revision

MAX_PAGES = 20  # tools/list pages followed (nextCursor) before the listing is taken as complete
REFERENCE_AGENTS = "faultline-reference-agents"  # the reference agents' serverInfo.name
DELETE_WAIT = 0.2  # the closing DELETE of a listing's session is waited for this part of the timeout (2 s of 10)


def every_capability(revision: Revision) -> dict[str, Any]:
    """A client declaring all it can (so capability-gated tools are listed): elicitation form + url,
    sampling, roots and tasks (2025: the tasks capability; 2026: the tasks extension)."""
    caps: dict[str, Any] = {"elicitation": {"form": {}, "url": {}}, "sampling": {}, "roots": {"listChanged": True}}
    if revision is Revision.R2025:
        caps["tasks"] = {"list": {}, "cancel": {},
                         "requests": {"elicitation": {"create": {}}, "sampling": {"createMessage": {}}}}
        return caps
    return with_tasks(caps)


@dataclass
class Listing:
    """What one revision's handshake and tools/list showed."""

    revision: Revision
    speaks: bool
    reason: str  # why it is (not) spoken, in one line
    server: dict[str, Any] = field(default_factory=dict)  # serverInfo
    capabilities: dict[str, Any] = field(default_factory=dict)  # the server's
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)  # as listed to the scenarios' client
    gated: dict[str, dict[str, Any]] = field(default_factory=dict)  # listed only to a client declaring everything
    list_error: str = ""  # tools/list failed (the revision is spoken, its tools unknown)

    @property
    def server_name(self) -> str:
        return str(self.server.get("name") or "")

    @property
    def offers_tasks(self) -> bool:
        return server_offers_tasks({"capabilities": self.capabilities}, self.revision)


def _rpc_of(history: History, client: str, purpose: str) -> tuple[Request | None, dict[str, Any] | None]:
    """The last request of `client` with `purpose`, and the JSON-RPC response it got (JSON body or SSE)."""
    req = next((r for r in reversed(history.of(Request)) if r.client == client and r.purpose == purpose), None)
    if req is None:
        return None, None
    resp = history.response(req.x)
    rid = req.body.get("id") if isinstance(req.body, dict) else None
    if resp is not None and isinstance(resp.body, dict) and "method" not in resp.body:
        return req, resp.body
    for ev in history.events(req.x):
        m = ev.message
        if isinstance(m, dict) and "method" not in m and m.get("id") == rid:
            return req, m
    return req, None


def _why_not(history: History, req: Request | None, msg: dict[str, Any] | None, what: str) -> str:
    if req is None:
        return f"{what} was not sent"
    resp = history.response(req.x)
    if isinstance(msg, dict) and isinstance(msg.get("error"), dict):
        err = msg["error"]
        status = f"HTTP {resp.status}, " if resp is not None and resp.status != 200 else ""
        return f"{what} answered {status}error {err.get('code')}: {' '.join(str(err.get('message', '')).split())[:160]}"
    if resp is not None:
        text = resp.body_text or (str(resp.body) if resp.body is not None else "")
        return f"{what} answered HTTP {resp.status}" + (f": {' '.join(text.split())[:160]}" if text else "")
    end = history.end(req.x)
    return f"{what} got no answer ({end.reason}: {end.detail})" if end else f"{what} got no answer"


def _judge_2025(history: History, client: str) -> tuple[bool, str, dict[str, Any]]:
    req, msg = _rpc_of(history, client, "initialize")
    result = msg.get("result") if isinstance(msg, dict) else None
    if isinstance(result, dict):
        version = result.get("protocolVersion")
        if version == Revision.R2025.value:
            return True, f"initialize answered protocolVersion {version}", result
        return False, f"initialize answered protocolVersion {version!r}, not {Revision.R2025.value}", result
    return False, _why_not(history, req, msg, "initialize"), {}


def _judge_2026(history: History, client: str) -> tuple[bool, str, dict[str, Any]]:
    req, msg = _rpc_of(history, client, "discover")
    result = msg.get("result") if isinstance(msg, dict) else None
    if isinstance(result, dict):
        versions = result.get("supportedVersions")
        if isinstance(versions, list) and Revision.R2026.value not in versions:
            return False, f"server/discover lists supportedVersions {versions}, not {Revision.R2026.value}", result
        return True, "server/discover answered", result
    return False, _why_not(history, req, msg, "server/discover"), {}


def server_info(opened: dict[str, Any]) -> dict[str, Any]:
    """serverInfo from an initialize result (2025) or a DiscoverResult's `_meta` (2026)."""
    info = opened.get("serverInfo") or (opened.get("_meta") or {}).get(META_PREFIX + "serverInfo")
    return info if isinstance(info, dict) else {}


async def list_tools(c: WireClient, *, deadline: float | None = None) -> tuple[dict[str, dict[str, Any]], str]:
    """Every tool of tools/list (pages followed), by name; and an error text if the listing failed."""
    tools: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        out = await c.call("tools/list", {"cursor": cursor} if cursor else {}, deadline=deadline, purpose="list")
        result = out.result
        if result is None or not isinstance(result.get("tools"), list):
            err = out.error
            why = f"error {err.get('code')}: {err.get('message')}" if err else f"{out.status} {out.ended}"
            return tools, f"tools/list failed: {why}"
        for tool in result["tools"]:
            if isinstance(tool, dict) and isinstance(tool.get("name"), str):
                tools.setdefault(tool["name"], tool)
        cursor = result.get("nextCursor") if isinstance(result.get("nextCursor"), str) else None
        if not cursor:
            break
    return tools, ""


async def _session(url: str, revision: Revision, history: History, client: str, capabilities: dict[str, Any],
                   timeout: float) -> tuple[bool, str, dict[str, Any], dict[str, dict[str, Any]], str]:
    async with wire_client(url, history, revision=revision, client=client, capabilities=capabilities,
                          timeout=timeout) as c:
        await c.open()
        judge = _judge_2025 if revision is Revision.R2025 else _judge_2026
        speaks, reason, opened = judge(history, client)
        tools: dict[str, dict[str, Any]] = {}
        error = ""
        if speaks:
            tools, error = await list_tools(c, deadline=timeout)
        if c.session_id:  # a courtesy: a server that does not answer it at once is not waited for
            with anyio.move_on_after(timeout * DELETE_WAIT):
                await c.delete()
    return speaks, reason, opened, tools, error


async def list_revision(url: str, revision: Revision, history: History, *, timeout: float = 10.0,
                        gated: bool = False) -> Listing:
    """Handshake and tools/list at one revision, as the scenarios' client (its default capabilities); with
    `gated`, once more declaring every capability, to find the tools listed only to such a client."""
    name = f"discover@{revision.value}"
    speaks, reason, opened, tools, error = await _session(url, revision, history, name,
                                                          dict(DEFAULT_CAPABILITIES), timeout)
    listing = Listing(revision, speaks, reason, server_info(opened), opened.get("capabilities") or {}, tools,
                      list_error=error)
    if speaks and gated:
        _, _, _, every, _ = await _session(url, revision, history, name + "+all", every_capability(revision),
                                           timeout)
        listing.gated = {n: t for n, t in every.items() if n not in tools}
    return listing


async def list_all(url: str, revisions: tuple[Revision, ...], history: History, *, timeout: float = 10.0,
                   gated: bool = False) -> dict[Revision, Listing]:
    """Every revision's listing, the revisions at once (a server that never answers costs one timeout, not one
    per revision); in the order given."""
    found: dict[Revision, Listing] = {}

    async def one(rev: Revision) -> None:
        found[rev] = await list_revision(url, rev, history, timeout=timeout, gated=gated)

    async with anyio.create_task_group() as tg:
        for rev in revisions:
            tg.start_soon(one, rev)
    return {rev: found[rev] for rev in revisions}
