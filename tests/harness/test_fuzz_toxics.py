"""The fuzzer's catalogue toxics (no server): every type of harness/proxy/attributes.py CATALOGUE is drawn, in
both directions where it acts on both, with attributes the proxy accepts; a real Toxiproxy gets only the classic
ones; a toxic shrinks toward its simplest attribute values and is dropped when the failure does not need it; a
schedule with toxics round-trips through JSON (a repro file)."""

from __future__ import annotations

from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from harness.proxy.attributes import CATALOGUE, CLASSIC
from scenarios.api import Revision
from scenarios.schedules import LIBRARY_MOVES, PROBES_2026, Schedule, ToxicStrike
from scenarios.strategies import (
    CHEAP_PER_COSTLY,
    DIRECTIONS,
    HELD,
    LADDERS,
    LIBRARY_ODDS,
    MAX_TOXICS,
    library_move,
    schedules,
    seed_corpus,
    toxic_strikes,
)

QUIET = settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck), max_examples=2000)
ROLES = ["long_running", "progress", "effect"]


def _drawn(strategy: st.SearchStrategy[ToxicStrike], n: int = 600) -> list[ToxicStrike]:
    seen: list[ToxicStrike] = []

    @settings(QUIET, max_examples=n)
    @given(strategy)
    def collect(toxic: ToxicStrike) -> None:
        seen.append(toxic)

    collect()
    return seen


def test_every_catalogue_type_is_drawn_in_each_of_its_directions_with_attributes_the_proxy_accepts() -> None:
    seen = _drawn(toxic_strikes(CATALOGUE))
    pairs = {(t.type, t.stream) for t in seen}
    wanted = {(t, s) for t in CATALOGUE if t not in HELD for s in DIRECTIONS.get(t, ("downstream", "upstream"))}
    assert wanted <= pairs, f"never drawn: {sorted(wanted - pairs)}"
    assert not {t for t, _ in pairs} & set(HELD)
    for toxic in seen:
        CATALOGUE[toxic.type].model_validate(dict(toxic.attributes))  # the proxy's own validation accepts it
    assert any(t.type == "latency" and dict(t.attributes)["latency"] > 0 for t in seen)  # attributes vary


def test_a_real_toxiproxy_gets_only_classic_toxics_and_no_extension_strike() -> None:
    strategy = schedules(Revision.R2025, ROLES, catalogue={t: CATALOGUE[t] for t in CLASSIC}, extensions=False)
    found: list[Schedule] = []

    @settings(QUIET, max_examples=400)
    @given(strategy)
    def collect(schedule: Schedule) -> None:
        found.append(schedule)

    collect()
    assert {t.type for s in found for t in s.toxics} <= set(CLASSIC)
    assert any(s.toxics for s in found)
    assert not {k.kind for s in found for k in s.strikes} & {"proxy_cut", "proxy_cut_at", "stall"}


def _upstream_latency(toxics: list[ToxicStrike]) -> bool:
    """The stand-in failure: any upstream latency of 50 ms or more."""
    return any(t.type == "latency" and t.stream == "upstream" and dict(t.attributes)["latency"] >= 50 for t in toxics)


def test_a_toxic_attribute_shrinks_toward_its_simplest_value() -> None:
    """The shrunk toxic is latency upstream at exactly 50 ms (the smallest that fails), jitter at its simplest, 0."""
    shrunk = find(st.lists(toxic_strikes(CATALOGUE), max_size=MAX_TOXICS), _upstream_latency, settings=QUIET)
    assert shrunk == [ToxicStrike("latency", "upstream", (("jitter", 0), ("latency", 50)))]
    assert LADDERS[("latency", "jitter")][0] == 0


def test_a_toxic_the_failure_does_not_need_is_dropped() -> None:
    """A failing schedule with two toxics (and probes) was seen; the shrunk one keeps only the needed toxic."""
    failing_toxics: list[int] = []

    def fails(schedule: Schedule) -> bool:
        if _upstream_latency(list(schedule.toxics)):
            failing_toxics.append(len(schedule.toxics))
            return True
        return False

    shrunk = find(schedules(Revision.R2025, ROLES, catalogue=CATALOGUE), fails, settings=QUIET)
    assert failing_toxics[0] == MAX_TOXICS  # (derandomized: the first failing example holds two)
    assert shrunk.toxics == (ToxicStrike("latency", "upstream", (("jitter", 0), ("latency", 50))),)
    assert not shrunk.strikes and not shrunk.probes


def test_a_schedule_with_toxics_round_trips_through_json() -> None:
    schedule = Schedule(role="progress", toxics=(ToxicStrike("limit_data", "upstream", (("bytes", 200),)),
                                                 ToxicStrike("faultline.sse_cut", "downstream",
                                                             (("events", 2), ("offset", 8), ("times", 1)))))
    data = schedule.to_json()
    assert data["toxics"][0] == {"type": "limit_data", "stream": "upstream", "attributes": {"bytes": 200}}
    assert Schedule.from_json(data) == schedule
    old = {k: v for k, v in data.items() if k != "toxics"}  # a repro file written before toxics existed
    assert Schedule.from_json(old).toxics == ()
    assert "limit_data@up(bytes=200)" in schedule.describe()


def test_the_seed_corpus_has_every_move_once_per_revision_and_a_costly_one_early() -> None:
    corpus = seed_corpus([Revision.R2025, Revision.R2026], ROLES, can_restart=True)
    assert len(set(corpus)) == len(corpus)
    assert len(corpus[0][1].probes) > 1 and corpus[CHEAP_PER_COSTLY][1].probes == ("task_lifecycle",)
    moves = {(rev, p) for rev, s in corpus for p in s.probes}
    assert (Revision.R2026, "mrtr_malformed_input") in moves and (Revision.R2025, "origin") in moves
    assert not [s for _, s in seed_corpus([Revision.R2025], ROLES) if "resource_restart" in s.probes]



def test_a_library_move_is_drawn_in_about_one_example_of_library_odds_and_each_one_can_be() -> None:
    """The library moves (1-5 s each, all in the seed corpus) are a minority of the draws, none unreachable, and the
    2026 schedules can draw the two moves added for the mutants the fuzzer could not reach."""
    moves = ["task_lifecycle", "resource_subscribe", "tools_list_changed"]
    drawn: list[list[str]] = []

    @settings(QUIET, max_examples=1000)
    @given(library_move(moves))
    def collect(move: list[str]) -> None:
        drawn.append(move)

    collect()
    chosen = [m for m in drawn if m]
    assert 1 / (3 * LIBRARY_ODDS) < len(chosen) / len(drawn) < 2 / LIBRARY_ODDS
    assert {m for pick in chosen for m in pick} == set(moves) and all(len(pick) == 1 for pick in chosen)
    assert {"mrtr_missing_input", "tools_list_changed"} <= set(PROBES_2026) & set(LIBRARY_MOVES)


def test_a_lost_answer_is_a_2025_move_drawn_rarely_and_played_first_of_the_answers() -> None:
    """The lost elicitation answer (a server-to-client request the server waits on) exists at 2025-11-25 only, is
    drawn in about one elicitation schedule of LOST_ODDS, is never undisturbed (its calibrated read timeout would race
    the server's own wait), and is the first answer the seed corpus plays."""
    from scenarios.strategies import LOST_ODDS

    drawn: dict[Revision, list[str]] = {Revision.R2025: [], Revision.R2026: []}

    @settings(QUIET, max_examples=600)
    @given(st.sampled_from(sorted(drawn)).flatmap(lambda rev: st.tuples(st.just(rev), schedules(rev, ["elicitation"]))))
    def collect(case: tuple[Revision, Schedule]) -> None:
        drawn[case[0]].append(case[1].elicitation)

    collect()
    assert "lost" not in drawn[Revision.R2026] and set(drawn[Revision.R2026]) == {"accept", "decline", "cancel"}
    share = drawn[Revision.R2025].count("lost") / len(drawn[Revision.R2025])
    assert 1 / (3 * LOST_ODDS) < share < 3 / LOST_ODDS, share
    lost = Schedule(role="elicitation", elicitation="lost")
    assert lost.loses_answer and not lost.undisturbed and Schedule(role="elicitation").undisturbed
    assert not Schedule(role="sampling", elicitation="lost").loses_answer  # the answer of a question never asked
    corpus = seed_corpus([Revision.R2025, Revision.R2026], ["elicitation", "sampling", "long_running"])
    answers = [(rev, s) for rev, s in corpus if s.role in ("elicitation", "sampling") and not s.strikes]
    assert answers[0] == (Revision.R2025, lost)
    assert [rev for rev, s in answers if s.loses_answer] == [Revision.R2025]
