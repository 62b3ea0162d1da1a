"""Hypothesis strategies over fault schedules and client moves (the generator of `faultline fuzz`).

Shrinking goes toward fewer strikes and toxics, earlier events, shorter times and the simplest kinds:
the order of `KINDS` in schedules.py is the order of simplicity. A catalogue toxic shrinks toward the
first type of the catalogue, the downstream direction and, attribute by attribute, the first value of
its ladder (`LADDERS`: the mildest value first), or is dropped when the failure does not need it.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from scenarios.api import Revision
from scenarios.schedules import (
    ELICITATION_ANSWERS,
    KINDS,
    LIBRARY_MOVES,
    ORDER,
    PROBES_AT,
    RESTART_PROBES,
    Schedule,
    Strike,
    ToxicStrike,
)

MAX_STRIKES = 3
MAX_TOXICS = 2
MAX_EVENT = 12
# One drawn example in this many has a library move (a booking, a task, a restart: 1-5 s each, where the rest of an
# example takes ~0.3 s). Each move is played by the seed corpus at every revision anyway, in its own session after
# the faulted call has ended and its toxics are gone, so a draw of it mostly repeats the corpus's run: at one in 3
# (a list of at most one) the moves were ~60% of the search's time; the draws go to the faults instead.
LIBRARY_ODDS = 8
MIN_SLICE = 4  # bytes: 1-byte slices of a whole call cost seconds of CPU (60 s under load) and find nothing more
EXTENSION_KINDS = ("proxy_cut", "proxy_cut_at", "stall")  # strike kinds played by faultline.* toxics
STREAMS = ("downstream", "upstream")  # the simpler first
# Attribute values per (toxic type, attribute), the simplest (mildest, quickest to play) first. A value that would
# hold the call until the toxic is removed (bandwidth 0, a timeout of 0: never) is left out: the toxic is removed
# only when the call has ended, so it would cost the call's whole deadline and prove nothing.
LADDERS: dict[tuple[str, str], tuple[Any, ...]] = {
    ("latency", "latency"): (0, 10, 50, 200),
    ("latency", "jitter"): (0, 5, 25),
    ("bandwidth", "rate"): (1000, 100, 20),
    ("slow_close", "delay"): (0, 50, 300),
    ("timeout", "timeout"): (100, 300, 1000),
    ("reset_peer", "timeout"): (0, 10, 100),
    ("slicer", "average_size"): (64, 16, 4),
    ("slicer", "size_variation"): (0, 2, 8),
    ("slicer", "delay"): (0, 100, 1000),
    ("limit_data", "bytes"): (5000, 1000, 200, 0),
    ("faultline.sse_cut", "events"): (1, 2, 4, 8),
    ("faultline.sse_cut", "offset"): (0, 8, 64),
    ("faultline.sse_cut", "times"): (1, 0),
    ("faultline.http_drop", "requests"): (1, 2),
}
DEFAULT_INTS = (0, 1, 10, 100)  # an integer attribute no ladder names
# The directions a type acts on, where not both (Faultline's SSE toxics parse the server's event stream)
DIRECTIONS: dict[str, tuple[str, ...]] = {"faultline.sse_cut": ("downstream",), "faultline.sse_stall": ("downstream",)}
# Catalogue types drawn as a strike kind instead: the stall holds the stream until removed, so it is the `stall`
# strike, whose release `ms` later is part of the schedule.
HELD = ("faultline.sse_stall",)


# A catalogue maps a toxic type to its attribute model (harness/proxy/attributes.py, passed in by the harness):
# a pydantic model whose `model_fields` are the attributes and whose `model_validate` refuses what the proxy refuses.
Catalogue = Mapping[str, Any]


def strikes(*, can_restart: bool, extensions: bool = True) -> st.SearchStrategy[Strike]:
    kinds = [k for k in KINDS if (can_restart or k != "restart") and (extensions or k not in EXTENSION_KINDS)]
    return st.builds(
        Strike,
        kind=st.sampled_from(kinds),
        k=st.integers(0, MAX_EVENT),
        ms=st.sampled_from([0, 10, 30, 100, 300]),
        offset=st.integers(0, 64),
    ).filter(lambda s: s.kind != "slicer" or s.k >= MIN_SLICE)


def _values(type_name: str, name: str, info: Any) -> st.SearchStrategy[Any] | None:
    if (type_name, name) in LADDERS:
        return st.sampled_from(LADDERS[(type_name, name)])
    args = typing.get_args(info.annotation)
    if typing.get_origin(info.annotation) is typing.Literal and args:
        return st.sampled_from(args)
    return st.sampled_from(DEFAULT_INTS) if info.annotation is int else None


def _valid(model: Any, attributes: dict[str, Any]) -> bool:
    try:
        model.model_validate(attributes)
    except ValueError:  # pydantic's ValidationError: values the proxy refuses (slicer variation >= size, ...)
        return False
    return True


def toxic_strikes(catalogue: Catalogue) -> st.SearchStrategy[ToxicStrike]:
    """One toxic of `catalogue` (type -> attribute model) on either direction, each attribute from its ladder."""
    def of_type(type_name: str) -> st.SearchStrategy[ToxicStrike]:
        model = catalogue[type_name]
        fields = {name: v for name, info in model.model_fields.items() if (v := _values(type_name, name, info)) is not None}
        attributes = st.fixed_dictionaries(fields).filter(lambda a: _valid(model, a))
        return st.builds(ToxicStrike, type=st.just(type_name), stream=st.sampled_from(DIRECTIONS.get(type_name, STREAMS)),
                         attributes=attributes.map(lambda a: tuple(sorted(a.items()))))

    return st.one_of([of_type(t) for t in catalogue if t not in HELD])  # shrinks toward the catalogue's first type


def library_move(library: list[str]) -> st.SearchStrategy[list[str]]:
    """No library move, or (one draw in LIBRARY_ODDS) one of `library`; shrinks toward none."""
    if not library:
        return st.just([])
    coin = st.sampled_from((False,) * (LIBRARY_ODDS - 1) + (True,))
    return st.tuples(coin, st.sampled_from(library)).map(lambda drawn: [drawn[1]] if drawn[0] else [])


def schedules(revision: Revision, roles: list[str], *, can_restart: bool = False,
              catalogue: Catalogue | None = None,
              extensions: bool = True) -> st.SearchStrategy[Schedule]:
    """Schedules for one revision over the roles the target profile has; toxics from `catalogue` (none without
    one); `extensions=False` (a real Toxiproxy) draws no strike that needs a faultline.* toxic."""
    two_sessions = st.booleans() if revision.traits.has_sessions else st.just(False)
    probes = tuple(p for p in PROBES_AT[revision] if can_restart or p not in RESTART_PROBES)
    # cheap probes are drawn one coin each (any of them is likely in an example); the library moves, which
    # cost a whole booking, a task or a restart, at most one per example, in one example of LIBRARY_ODDS
    cheap = [p for p in probes if p not in LIBRARY_MOVES]
    library = [p for p in probes if p in LIBRARY_MOVES]
    moves = st.tuples(st.tuples(*[st.booleans() for _ in cheap]), library_move(library)).map(
        lambda drawn: tuple(sorted([p for p, on in zip(cheap, drawn[0], strict=True) if on] + list(drawn[1]),
                                   key=ORDER.index)))
    toxics = st.lists(toxic_strikes(catalogue), max_size=MAX_TOXICS).map(tuple) if catalogue else st.just(())
    return st.builds(
        Schedule,
        role=st.sampled_from(sorted(roles)),
        strikes=st.lists(strikes(can_restart=can_restart, extensions=extensions), max_size=MAX_STRIKES).map(tuple),
        resume_after_retry=st.booleans(),
        concurrent=st.booleans(),
        second_session=two_sessions,
        request_id=st.one_of(st.none(), st.just(1)),
        elicitation=st.sampled_from(_elicitation_answers(revision)),
        sampling=st.sampled_from(["success", "reject", "error"]),
        probes=moves,
        toxics=toxics,
    )


# One drawn elicitation answer in this many is lost (2025): the clean agents answer the call only after their own
# 3 s wait, one of the slowest examples there is (the clean 2025 rate: 9.6-10.2 schedules/s against 9.8-10.9 with
# none drawn, two runs each); the seed corpus plays it first of the answers anyway.
LOST_ODDS = 10


def _elicitation_answers(revision: Revision) -> list[str]:
    """The answers drawn for the elicitation role, the simplest first; "lost" (a server-to-client request the
    server waits on) where the revision has them, in one draw of LOST_ODDS."""
    plain = [a for a in ELICITATION_ANSWERS if a != "lost"]
    if not revision.traits.has_sessions:
        return plain
    return plain * ((LOST_ODDS - 1) // len(plain)) + ["lost"]


# The seed corpus's library moves played alone (a task runs to its end, a restart respawns the server), the costliest
# first; the others (well under a second each) are played LIGHT_PER_SCHEDULE to a schedule.
COSTLY_MOVES = ("task_lifecycle", "task_input_restart", "resource_restart", "resource_unsubscribe")
CHEAP_PER_COSTLY = 3  # in the corpus's order: this many cheap schedules, then a costly one
LIGHT_PER_SCHEDULE = 2  # light library moves per corpus schedule: spread over the workers, narrowed in 1 run
# a server that hangs on a refusal is only seen after the client's read timeout (10 s): one of each role first; a
# lost answer (2025 only) costs the server's own wait, ANSWER_PATIENCE at most: the first of all
ANSWERS = (("elicitation", "lost"), ("elicitation", "decline"), ("sampling", "error"), ("elicitation", "cancel"),
           ("sampling", "reject"))
CUT_FIRST = ("effect", "server_close", "elicitation")  # their cut fails the most mutants; the other roles after
WAITING_MOVES = ("tools_list_changed",)  # a server that fails it is only seen after waits (2 x 5 s): bundled first
# cut with a concurrent call and (2025) a second session: the races; the effect role first (its steps take 60 ms
# whatever the server's step delay, so the sessions' calls overlap: a store that loses one of two appends at once)
BUSY_ROLES = ("effect", "long_running", "progress")


def seed_corpus(revisions: list[Revision], roles: list[str], *, can_restart: bool = False) -> list[tuple[Revision, Schedule]]:
    """The schedules a fuzz run plays before Hypothesis draws any: every cheap probe together, each role cut once
    (after its undisturbed twin; then resumed or re-issued), each refusing answer of the user and (2025) a lost
    one, BUSY_ROLES cut while
    a concurrent call and a second session write (event ids and stores that race), the light library
    moves LIGHT_PER_SCHEDULE together, each costly move alone. Workers take them in order: the revisions
    interleaved, the probes first, then the other kinds in turn (one bug fails a cut, another a library move, a
    hang an answer: each kind's first schedules start in the first seconds), CHEAP_PER_COSTLY cheap schedules then a
    costly one, so the costly ones start early while most workers go on with the cheap ones. A failing one is
    narrowed to the probes it needs (harness/fuzz.py)."""
    simplest = "long_running" if "long_running" in roles else sorted(roles)[0]
    costly: list[list[tuple[Revision, Schedule]]] = []  # per revision
    kinds: list[list[list[tuple[Revision, Schedule]]]] = [[], [], [], [], []]  # probes, cuts, answers, light, busy
    for rev in revisions:
        moves = [p for p in PROBES_AT[rev] if can_restart or p not in RESTART_PROBES]
        alone = [m for m in COSTLY_MOVES if m in moves]
        light = sorted((m for m in moves if m in LIBRARY_MOVES and m not in alone), key=lambda m: m not in WAITING_MOVES)
        probes = tuple(p for p in moves if p not in LIBRARY_MOVES and p != "get_stream")
        ours = [Schedule(role=simplest, probes=probes)] if probes else []
        if "get_stream" in moves:
            ours.append(Schedule(role="progress" if "progress" in roles else simplest, probes=("get_stream",)))
        cuts = [Schedule(role=r, strikes=(Strike("cut", k=2),)) for r in sorted(roles, key=_cut_first)]
        answers = [Schedule(role=role, **{role: answer}) for role, answer in ANSWERS  # type: ignore[arg-type]
                   if role in roles and (answer != "lost" or rev.traits.has_sessions)]
        bundles = [Schedule(role=simplest, probes=tuple(light[i:i + LIGHT_PER_SCHEDULE]))
                   for i in range(0, len(light), LIGHT_PER_SCHEDULE)]
        busy = [Schedule(role=r, strikes=(Strike("cut", k=2),), concurrent=True,
                         second_session=rev.traits.has_sessions) for r in BUSY_ROLES if r in roles]
        for kind, schedules_of_kind in zip(kinds, (ours, cuts, answers, bundles, busy), strict=True):
            kind.append([(rev, s) for s in schedules_of_kind])
        costly.append([(rev, Schedule(role=simplest, probes=(m,))) for m in alone])
    costly_order = _interleaved(costly)
    first, *rest = [_interleaved(kind) for kind in kinds]
    cheap_order = first + _interleaved(rest)  # the probes, then a cut, a light bundle, an answer, a cut, ...
    corpus: list[tuple[Revision, Schedule]] = []
    while costly_order or cheap_order:
        corpus += cheap_order[:CHEAP_PER_COSTLY] + costly_order[:1]
        costly_order, cheap_order = costly_order[1:], cheap_order[CHEAP_PER_COSTLY:]
    return corpus


def _cut_first(role: str) -> tuple[int, str]:
    return (CUT_FIRST.index(role) if role in CUT_FIRST else len(CUT_FIRST), role)


def _interleaved(lists: list[list[tuple[Revision, Schedule]]]) -> list[tuple[Revision, Schedule]]:
    """Round robin: the first of each list, then the second of each, ..."""
    longest = max((len(s) for s in lists), default=0)
    return [s[i] for i in range(longest) for s in lists if i < len(s)]
