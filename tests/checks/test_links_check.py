"""tools.resource-link.fetchable over recorded histories: a read of a returned link that errors WARNs
(an implied SHOULD); answered reads pass; an unanswered read is no evidence."""

from __future__ import annotations

import copy
from pathlib import Path

from harness.checks import run_checks
from harness.history import History, Request, Response, SseEvent

FIX = Path(__file__).parent.parent / "fixtures" / "histories"
REQ = "tools.resource-link.fetchable"


def verdict(h: History):
    return next(v for v in run_checks(h) if v.requirement == REQ)


def _reads(records):
    xs = {r.x for r in records if isinstance(r, Request) and isinstance(r.body, dict)
          and r.body.get("method") == "resources/read"}
    return [r for r in records if getattr(r, "x", None) in xs and isinstance(r, SseEvent | Response)]


def _corrupted(fn) -> History:
    h = History.load(FIX / "good" / "resource-poll-only@2025-11-25.jsonl")
    records = [copy.deepcopy(r) for r in h.records]
    fn(records)
    return History(records)


def test_answered_reads_of_returned_links_pass():
    v = verdict(_corrupted(lambda rs: None))
    assert v.status == "PASS" and "2 read(s)" in v.message


def test_a_returned_link_that_cannot_be_read_warns_with_witness():
    def corrupt(rs):
        for r in _reads(rs):
            msg = r.message if isinstance(r, SseEvent) else r.body
            if isinstance(msg, dict) and "result" in msg:
                msg.pop("result")
                msg["error"] = {"code": -32002, "message": "Resource not found"}
    v = verdict(_corrupted(corrupt))
    assert v.status == "WARN" and "Resource not found" in v.message and len(v.witness) >= 3


def test_unanswered_reads_are_not_observed():
    def corrupt(rs):
        rs[:] = [r for r in rs if r not in _reads(rs) or isinstance(r, Response) and r.body is None]
    v = verdict(_corrupted(corrupt))
    assert v.status == "NOT-OBSERVED" and "none of the 1" in v.message
