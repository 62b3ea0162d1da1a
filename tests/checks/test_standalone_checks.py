"""The standalone GET stream's replay checks (harness/checks/streams_standalone.py) on the recorded clean run of
standalone-burst-cut and on one corruption each: they PASS the clean one and FAIL each corruption."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from harness.checks import run_checks
from harness.checks.model import Derived
from harness.history import History, SseEvent

GOOD = Path(__file__).parent.parent / "fixtures" / "histories" / "good" / "standalone-burst-cut@2025-11-25.jsonl"


def _check(h: History, name: str):
    return next(v for v in run_checks(h) if v.check == name)


def _resumed_burst(records: list) -> list[int]:
    """Indexes of the records that are burst messages on the resume (the second GET exchange)."""
    resume_x = Derived(History(records)).standalone[0].xs[1]
    return [i for i, r in enumerate(records) if isinstance(r, SseEvent) and r.x == resume_x and r.message]


def _corrupt(fn) -> History:
    records = [copy.deepcopy(r) for r in History.load(GOOD).records]
    fn(records)
    for i, r in enumerate(records):
        r.seq = i
    return History(records)


def test_the_standalone_stream_and_its_resume_are_derived():
    d = Derived(History.load(GOOD))
    [chain] = d.standalone
    assert len(chain.xs) == 2 and chain.xs[0] not in d.call_of_x
    seqs = [e.message["params"]["data"]["seq"] for e in chain.stream if e.message]
    assert seqs == list(range(24))


@pytest.mark.parametrize("name", ["standalone-replay-no-gap", "standalone-replay-no-duplicate",
                                  "standalone-replay-in-order", "standalone-replay-per-stream"])
def test_the_clean_run_passes(name):
    assert _check(History.load(GOOD), name).status == "PASS"


def test_a_message_lost_across_the_resume_fails():
    h = _corrupt(lambda rs: rs.pop(_resumed_burst(rs)[3]))
    v = _check(h, "standalone-replay-no-gap")
    assert v.status == "FAIL" and "1 of 24 message(s) lost" in v.message and v.witness


def test_a_message_delivered_twice_fails():
    def dup(rs):
        i = _resumed_burst(rs)[0]
        rs.insert(i + 1, copy.deepcopy(rs[i]))
    v = _check(_corrupt(dup), "standalone-replay-no-duplicate")
    assert v.status == "FAIL" and v.witness


def test_messages_swapped_across_the_resume_fail():
    def swap(rs):
        i, j = _resumed_burst(rs)[:2]
        rs[i].message, rs[j].message = rs[j].message, rs[i].message
        rs[i].id, rs[j].id = rs[j].id, rs[i].id
    v = _check(_corrupt(swap), "standalone-replay-in-order")
    assert v.status == "FAIL" and "came after" in v.message


def test_a_response_replayed_on_the_standalone_resume_fails():
    def response(rs):
        rs[_resumed_burst(rs)[0]].message = {"jsonrpc": "2.0", "id": 2, "result": {}}
    v = _check(_corrupt(response), "standalone-replay-per-stream")
    assert v.status == "FAIL" and v.witness
