"""`faultline discover`: list a server's tools at each revision it speaks, propose a role for each,
and (with `probe`) call each candidate once to verify the proposals."""

from __future__ import annotations

from typing import Any

from harness.discovery.choose import choose
from harness.discovery.listing import Listing, list_all
from harness.discovery.probe import Observation, plan, probe_call
from harness.discovery.render import Discovery, not_called_reason
from harness.discovery.roles import guess
from harness.errors import HarnessError, UsageError
from harness.history import History
from harness.revisions import ALL, Revision
from harness.targets import Target


def merged_tools(listings: dict[Revision, Listing]) -> dict[str, dict[str, Any]]:
    """Every tool listed to the scenarios' client at some spoken revision (the first revision's entry wins)."""
    tools: dict[str, dict[str, Any]] = {}
    for lst in listings.values():
        if lst.speaks:
            for name, tool in lst.tools.items():
                tools.setdefault(name, tool)
    return tools


def spoken_or_fail(listings: dict[Revision, Listing], url: str) -> list[Listing]:
    spoken = [lst for lst in listings.values() if lst.speaks]
    if not spoken:
        why = "; ".join(f"{lst.revision.value}: {lst.reason}" for lst in listings.values())
        raise HarnessError(f"{url} speaks no MCP revision Faultline knows ({why})")
    return spoken


async def discover(target: Target, history: History, *, probe: bool = False, allow_side_effects: bool = False,
                   skip: frozenset[str] = frozenset(), timeout: float = 30.0) -> Discovery:
    """Start the target, discover, stop it (also when discovery fails)."""
    await target.start()
    try:
        return await _discover(target.url, history, probe=probe, allow_side_effects=allow_side_effects, skip=skip,
                               timeout=timeout)
    finally:
        await target.stop()


async def _discover(url: str, history: History, *, probe: bool, allow_side_effects: bool, skip: frozenset[str],
                    timeout: float) -> Discovery:
    listings = await list_all(url, ALL, history, timeout=min(timeout, 10.0), gated=True)
    spoken = spoken_or_fail(listings, url)
    tools = merged_tools(listings)
    known = set(tools) | {n for lst in listings.values() for n in lst.gated}
    unknown = sorted(skip - known)
    if unknown:
        raise UsageError(f"--skip {', '.join(unknown)}: no such tool (tools: {', '.join(sorted(known)) or 'none'})")
    offers = any(lst.offers_tasks for lst in spoken)
    guesses = guess(tools, offers_tasks=offers)
    if not probe:
        return Discovery(url, listings, guesses)
    at = spoken[0]  # 2025-11-25 when spoken: its streams show the most (event ids, retry, the GET stream)
    not_called = {name: f"not listed at {at.revision.value}, where the probe calls run"
                  for name in tools if name not in at.tools}
    observations: list[Observation] = []
    for name, variant, args in plan(at.tools, offers_tasks=at.offers_tasks):
        why = not_called_reason(at.tools[name], name, skip=set(skip), allow_side_effects=allow_side_effects)
        if why:
            not_called[name] = why
            continue
        # until the server shows it primes its GET stream, each call waits a moment for that stream to open
        wait = 1.0 if not observations or observations[0].get_primed else 0.2
        observations.append(await probe_call(url, at.revision, name, variant, args, history, timeout=timeout,
                                             resources="resources" in at.capabilities, get_wait=wait))
    called = {o.tool for o in observations}
    roles = choose(observations, guesses, tools, offers_tasks=offers, called=called)
    return Discovery(url, listings, roles, observations, not_called, probed_at=at.revision.value)
