"""The runner's preflight, before any scenario: which revisions the server speaks, which tools it
lists, and the profile checked against them (or, with no profile given, resolved from them).

- A revision the server does not speak makes its scenarios NOT-APPLICABLE with that reason (one
  line for the whole revision). A server that speaks none of Faultline's revisions is a harness
  error (the URL is not an MCP endpoint Faultline can talk to).
- A profile naming a tool tools/list does not have is a usage error naming the tools it has.
- No profile (`auto`): the reference profile on the reference agents (by serverInfo.name), else the
  roles guessed from tools/list, no tool called (harness/discovery/roles.py).
- After a scenario, a role tool that answered "unknown tool" makes it ERROR, never PASS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from harness.client.session import DEFAULT_CAPABILITIES
from harness.discovery.discover import merged_tools, spoken_or_fail
from harness.discovery.listing import REFERENCE_AGENTS, Listing, list_all
from harness.discovery.roles import guess
from harness.errors import UsageError
from harness.history import History, Request, Response, SseEvent
from harness.profiles import AUTO_NAME, REFERENCE, Profile, Role
from harness.revisions import ALL, META_CLIENT_CAPABILITIES, Revision
from scenarios.api import ROLES, Scenario

# "Unknown tool: x" (Python SDK, fastmcp), "Tool x not found" (TypeScript SDK), "no such tool"
UNKNOWN_TOOL = re.compile(r"unknown tool|no such tool|tool not found|\btool ['\"`]?[\w./:-]+['\"`]? (was )?not found",
                          re.IGNORECASE)


@dataclass
class Preflight:
    listings: dict[Revision, Listing]
    profile: Profile
    # lines for the user, printed before the scenarios, each with the revision whose runs it stands for (if any)
    notices: list[tuple[str, Revision | None]] = field(default_factory=list)

    def unspoken(self, rev: Revision) -> str | None:
        """Why a revision's scenarios cannot run at all, or None."""
        lst = self.listings.get(rev)
        if lst is None or lst.speaks:
            return None
        return f"the server does not speak {rev.value}: {lst.reason}"

    def skip(self, sc: Scenario, rev: Revision) -> str | None:
        """Why this scenario cannot run at this revision (a NOT-APPLICABLE reason), or None."""
        why = self.unspoken(rev)
        if why or rev not in sc.revisions:
            return why
        lst = self.listings.get(rev)
        if lst is None or lst.list_error:
            return None  # tools unknown at this revision: the scenario finds out for itself
        missing = [f"{role.tool!r} ({name})" for name in sc.roles if (role := self.profile.role(name))
                   and role.tool not in lst.tools]
        return f"tools/list at {rev.value} has no {', '.join(missing)}" if missing else None


async def preflight(url: str, profile: Profile, revisions: tuple[Revision, ...], history: History, *,
                    scenarios: list[Scenario], timeout: float = 10.0) -> Preflight:
    """Probe the requested revisions (and, if none is spoken, the others: is this MCP at all?)."""
    listings = await list_all(url, revisions, history, timeout=timeout)
    if not any(lst.speaks for lst in listings.values()):
        others = tuple(r for r in ALL if r not in listings)
        spoken_or_fail({**listings, **await list_all(url, others, history, timeout=timeout)}, url)
    notices: list[tuple[str, Revision | None]] = [
        (f"revision {rev.value}: every scenario NOT-APPLICABLE, the server does not speak it ({lst.reason})", rev)
        for rev, lst in listings.items() if not lst.speaks]
    if profile.auto:
        profile, lines = resolve_auto(listings, scenarios)
        notices += [(line, None) for line in lines]
    else:
        check_profile(profile, listings)
    return Preflight(listings, profile, notices)


def check_profile(profile: Profile, listings: dict[Revision, Listing]) -> None:
    """Every role tool must be in tools/list at some spoken revision (unless no listing worked)."""
    spoken = [lst for lst in listings.values() if lst.speaks and not lst.list_error]
    if not spoken:
        return
    tools = merged_tools(listings)
    by_tool: dict[str, list[str]] = {}
    for name, role in profile.roles.items():
        if role.tool not in tools:
            by_tool.setdefault(role.tool, []).append(name)
    if by_tool:
        missing = ", ".join(f"{tool!r} ({', '.join(roles)})" for tool, roles in by_tool.items())
        raise UsageError(f"profile {profile.name!r}: tools/list has no {missing} "
                         f"(its tools: {', '.join(sorted(tools)) or 'none'}; known roles: {', '.join(ROLES)})")


def resolve_auto(listings: dict[Revision, Listing], scenarios: list[Scenario]) -> tuple[Profile, list[str]]:
    """No profile given: the reference profile on the reference agents, else roles guessed from tools/list."""
    names = {lst.server_name for lst in listings.values() if lst.speaks}
    if REFERENCE_AGENTS in names:
        return REFERENCE, [f"profile: reference (the server is the reference agents: serverInfo.name "
                           f"{REFERENCE_AGENTS})"]
    tools = merged_tools(listings)
    offers = any(lst.offers_tasks for lst in listings.values() if lst.speaks)
    guessed = guess(tools, offers_tasks=offers)
    roles = {r: Role(p.tool, p.arguments) for r, p in guessed.items()}
    profile = Profile(AUTO_NAME, roles, restartable=None, origin="discovered from tools/list (no tool called)")
    filled = ", ".join(f"{r} → {p.tool} {p.arguments}" for r, p in guessed.items()) or "none"
    lines = [f"profile: none given; roles discovered from tools/list, no tool called: {filled}"]
    empty = [r for r in ROLES if r not in roles]
    if empty:
        na = [s.name for s in scenarios if any(r in empty for r in s.roles)]
        lines.append(f"no tool for {', '.join(empty)}: NOT-APPLICABLE {', '.join(na) or '(none selected)'} "
                     "(to fill them: faultline discover --probe -o profile.yaml, edit, then --profile profile.yaml)")
    return profile, lines


def _declared_less(history: History, req: Request) -> bool:
    """Did the calling client deliberately declare fewer capabilities than the scenarios' default (a tool then
    rightly hidden from it is no profile error)?"""
    caps: Any = None
    if isinstance(req.body, dict):
        caps = ((req.body.get("params") or {}).get("_meta") or {}).get(META_CLIENT_CAPABILITIES)
    if caps is None:
        init = next((r for r in reversed(history.of(Request)) if r.client == req.client
                     and r.purpose == "initialize" and r.seq < req.seq), None)
        caps = ((init.body or {}).get("params") or {}).get("capabilities") if init and isinstance(init.body, dict) \
            else None
    return isinstance(caps, dict) and any(k not in caps for k in DEFAULT_CAPABILITIES)


def _answer_text(msg: dict[str, Any]) -> str:
    if isinstance(msg.get("error"), dict):
        return str(msg["error"].get("message") or "")
    result = msg.get("result")
    if isinstance(result, dict) and result.get("isError"):
        return " ".join(str(b.get("text", "")) for b in result.get("content") or [] if isinstance(b, dict))
    return ""


def unknown_tool_answer(history: History, tools: set[str]) -> str | None:
    """The first answer saying one of `tools` (a profile's role tools) does not exist, as a reason."""
    calls = {r.x: r for r in history.of(Request) if isinstance(r.body, dict) and r.body.get("method") == "tools/call"
             and ((r.body.get("params") or {}).get("name") in tools)}
    for rec in history.records:
        req = calls.get(getattr(rec, "x", -1))
        if req is None:
            continue
        msg = rec.body if isinstance(rec, Response) else rec.message if isinstance(rec, SseEvent) else None
        if not isinstance(msg, dict) or "method" in msg or msg.get("id") != req.body.get("id"):
            continue
        text = " ".join(_answer_text(msg).split())
        if UNKNOWN_TOOL.search(text) and not _declared_less(history, req):
            name = req.body["params"]["name"]
            return f"the role tool {name!r} answered as if it did not exist: {text[:200]}"
    return None
