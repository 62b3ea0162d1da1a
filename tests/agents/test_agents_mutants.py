"""Each mutant's bug is observable on the wire, and the clean agents do not show it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from agents_wire import RawClient, method_of

import reference_agents
from reference_agents.behaviour import HOOKS, Behaviour
from reference_agents.mutants import MUTANTS, REGISTRY, Mutant, behaviour_for, check_mutant
from reference_agents.server import running_agents

pytestmark = pytest.mark.anyio
CALL = {"name": "long_running_agent", "arguments": {"steps": 4}}


def progress(evs: list[Any]) -> list[tuple[Any, float]]:
    return [(e.msg["params"]["progressToken"], e.msg["params"]["progress"]) for e in evs
            if method_of(e) == "notifications/progress"]


async def cut_and_resume(url: str, k: int = 3, *, from_id: str | None = None) -> tuple[list[Any], list[Any], Any]:
    """A long_running call cut after k events, then resumed; (seen before cut, replayed, client)."""
    async with RawClient(url) as c:
        await c.open()
        with anyio.fail_after(10):
            async with c.post(c.request("tools/call", CALL, progress_token="tok")) as s:
                before = [await s.next() for _ in range(k)]
            await anyio.lowlevel.checkpoint()  # nothing to wait for: the tool finishes at step delay 0 regardless
            async with c.resume(from_id or before[-1].id) as r:
                after = await r.read_all() if r.response.status_code == 200 else []
                status = r.response.status_code
        return before, after, status


async def full(url: str) -> list[Any]:
    async with RawClient(url) as c:
        await c.open()
        with anyio.fail_after(10):
            async with c.post(c.request("tools/call", CALL, progress_token="tok")) as s:
                return await s.read_all()


def test_every_mutant_is_documented_and_unknown_names_fail():
    assert len(MUTANTS) >= 45 and all(MUTANTS.values())
    with pytest.raises(ValueError, match="unknown mutant 'nope'; known: close-without-retry, "):
        check_mutant("nope")
    with pytest.raises(ValueError, match="unknown mutant"):
        behaviour_for("replay_skip_first")  # a module name is not a mutant name


def test_each_mutant_overrides_exactly_its_one_named_hook():
    for name, m in REGISTRY.items():
        overridden = {h for h in HOOKS if getattr(m.behaviour, h) is not getattr(Behaviour, h)}
        assert overridden == {m.hook}, name
        assert type(behaviour_for(name)) is m.behaviour and behaviour_for(name) is not behaviour_for(name)
    assert type(behaviour_for(None)) is Behaviour
    assert len({m.hook for m in REGISTRY.values()}) >= 30  # variation points, not one switch


def test_a_mutant_declaring_the_wrong_hook_or_two_hooks_is_refused():
    class TwoHooks(Behaviour):
        def primes_streams(self) -> bool:
            return False

        def checks_origin(self) -> bool:
            return False

    with pytest.raises(ValueError, match="must override only 'primes_streams'"):
        Mutant("two", "two bugs", hook="primes_streams", behaviour=TwoHooks, requirements=("x",), scenarios=("y",))
    with pytest.raises(ValueError, match="not a Behaviour hook"):
        Mutant("typo", "a typo", hook="prime_streams", behaviour=TwoHooks, requirements=("x",), scenarios=("y",))
    with pytest.raises(ValueError, match="say why it is uncaught"):
        Mutant("none", "caught by nothing", hook="primes_streams", behaviour=REGISTRY["no-priming"].behaviour)


def test_clean_code_has_no_mutant_name_branches():
    root = Path(reference_agents.__file__).parent
    offenders = [f"{p.relative_to(root)}:{n}" for p in root.rglob("*.py") if "mutants" not in p.parts
                 for n, line in enumerate(p.read_text().splitlines(), 1)
                 if "mutant ==" in line or "mutant !=" in line or any(f'"{name}"' in line for name in REGISTRY)]
    assert not offenders


async def test_clean_resume_is_exact():
    async with running_agents() as url:
        whole = await full(url)
        before, after, _ = await cut_and_resume(url)
    assert progress(before + after)[-4:] == progress(whole)[-4:] == [("tok", i) for i in (1, 2, 3, 4)]


def messages(evs: list[Any]) -> list[str]:
    return [e.data for e in evs if e.msg is not None and "result" not in e.msg]


@pytest.mark.parametrize("mutant", ["replay-skip-first", "replay-duplicate-last", "replay-out-of-order",
                                    "handoff-loses-events"])
async def test_replay_mutants_corrupt_the_replay(mutant):
    async with running_agents() as url:
        before, after, _ = await cut_and_resume(url, k=2)
        clean = messages(before + after)
    async with running_agents(mutant=mutant) as url:
        before, after, _ = await cut_and_resume(url, k=2)
        got = messages(before + after)
    assert got != clean


async def test_unknown_id_replays_all_answers_200():
    async with running_agents(mutant="unknown-id-replays-all") as url:
        _, after, status = await cut_and_resume(url, from_id="0000000999-9-9")
    assert status == 200 and after


async def test_progress_mutants():
    async with running_agents(mutant="progress-not-increasing") as url:
        got = [p for _, p in progress(await full(url))]
    assert got == [1, 2, 2, 4]
    async with running_agents(mutant="progress-request-id-token") as url:
        got = progress(await full(url))
    assert got and all(tok != "tok" for tok, _ in got)


async def test_response_twice_and_progress_after_response_show_on_replay():
    for mutant, pred in (("response-twice", lambda evs: sum(1 for e in evs if e.msg and "result" in e.msg) == 2),
                         ("progress-after-response", lambda evs: method_of(evs[-1]) == "notifications/progress")):
        async with running_agents(mutant=mutant) as url:
            whole = await full(url)
            first = next(e.id for e in whole if e.id)
            _, after, _ = await cut_and_resume(url, k=1, from_id=None)
            async with RawClient(url) as c:
                await c.open()
                async with c.post(c.request("tools/call", CALL, progress_token="t2")) as s:
                    evs = await s.read_all()
                async with c.resume(next(e.id for e in evs if e.id)) as r:
                    replayed = await r.read_all()
        assert first and pred(replayed), (mutant, [e.msg for e in replayed])


async def test_session_and_header_mutants():
    async with running_agents(mutant="terminated-session-accepted") as url:
        async with RawClient(url) as c:
            await c.open()
            assert (await c.http.delete(url, headers=c.headers())).status_code == 200
            r = await c.http.post(url, json=c.request("ping"), headers=c.headers())
            assert r.status_code == 200
    async with running_agents(mutant="version-header-ignored") as url:
        async with RawClient(url) as c:
            await c.open()
            r = await c.http.post(url, json=c.request("ping"), headers=c.headers(**{"MCP-Protocol-Version": "1999-01-01"}))
            assert r.status_code == 200
    async with running_agents() as url:
        async with RawClient(url) as c:
            await c.open()
            r = await c.http.post(url, json=c.request("ping"), headers=c.headers(**{"MCP-Protocol-Version": "1999-01-01"}))
            assert r.status_code == 400


async def test_no_priming_and_close_without_retry():
    async with running_agents(mutant="no-priming", retry_ms=50) as url:
        evs = await full(url)
    assert evs[0].msg is not None
    call = {"name": "long_running_agent", "arguments": {"steps": 4, "close_stream_after": 2}}
    for mutant, want_retry in ((None, True), ("close-without-retry", False)):
        async with running_agents(mutant=mutant, retry_ms=50) as url, RawClient(url) as c:
            await c.open()
            with anyio.fail_after(10):
                async with c.post(c.request("tools/call", call, progress_token="p")) as s:
                    evs = await s.read_all()
        assert not any(e.msg and "result" in e.msg for e in evs), "the stream was closed before the result"
        assert any(e.retry is not None for e in evs) is want_retry, mutant
