"""Hypothesis strategies over fault schedules and client moves (the generator of `faultline fuzz`).

Shrinking goes toward fewer strikes, earlier events, shorter times and the simplest kinds: the
order of `KINDS` in schedules.py is the order of simplicity.
"""

from __future__ import annotations

from hypothesis import strategies as st

from harness.revisions import Revision
from scenarios.schedules import KINDS, PROBES, PROBES_2026, RESTART_PROBES, Schedule, Strike

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
    two_sessions = st.booleans() if revision is Revision.R2025 else st.just(False)
    probes = tuple(p for p in (PROBES if revision is Revision.R2025 else PROBES_2026)
                   if can_restart or p not in RESTART_PROBES)
    moves = st.lists(st.sampled_from(probes), unique=True, max_size=3).map(lambda ps: tuple(sorted(ps, key=probes.index)))
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
