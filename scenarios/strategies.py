"""Hypothesis strategies over fault schedules and client moves (the generator of `faultline fuzz`).

Shrinking goes toward fewer strikes, earlier events, shorter times and the simplest kinds: the
order of `KINDS` in schedules.py is the order of simplicity.
"""

from __future__ import annotations

from hypothesis import strategies as st

from scenarios.api import Revision
from scenarios.schedules import KINDS, LIBRARY_MOVES, ORDER, PROBES_AT, RESTART_PROBES, Schedule, Strike

MAX_STRIKES = 3
MAX_EVENT = 12


def strikes(*, can_restart: bool) -> st.SearchStrategy[Strike]:
    kinds = [k for k in KINDS if can_restart or k != "restart"]
    return st.builds(
        Strike,
        kind=st.sampled_from(kinds),
        k=st.integers(0, MAX_EVENT),
        ms=st.sampled_from([0, 10, 30, 100, 300]),
        offset=st.integers(0, 64),
    )


def schedules(revision: Revision, roles: list[str], *, can_restart: bool = False) -> st.SearchStrategy[Schedule]:
    """Schedules for one revision over the roles the target profile has."""
    two_sessions = st.booleans() if revision.traits.has_sessions else st.just(False)
    probes = tuple(p for p in PROBES_AT[revision] if can_restart or p not in RESTART_PROBES)
    # cheap probes are drawn one coin each (any of them is likely in an example); the library moves, which
    # cost a whole booking or a restart, at most one per example
    cheap = [p for p in probes if p not in LIBRARY_MOVES]
    library = [p for p in probes if p in LIBRARY_MOVES]
    moves = st.tuples(st.tuples(*[st.booleans() for _ in cheap]),
                      st.lists(st.sampled_from(library), max_size=1) if library else st.just([])).map(
        lambda drawn: tuple(sorted([p for p, on in zip(cheap, drawn[0], strict=True) if on] + list(drawn[1]),
                                   key=ORDER.index)))
    return st.builds(
        Schedule,
        role=st.sampled_from(sorted(roles)),
        strikes=st.lists(strikes(can_restart=can_restart), max_size=MAX_STRIKES).map(tuple),
        resume_after_retry=st.booleans(),
        concurrent=st.booleans(),
        second_session=two_sessions,
        request_id=st.one_of(st.none(), st.just(1)),
        elicitation=st.sampled_from(["accept", "decline", "cancel"]),
        sampling=st.sampled_from(["success", "reject", "error"]),
        probes=moves,
    )
