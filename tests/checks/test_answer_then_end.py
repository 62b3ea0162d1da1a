"""elicit-decline / sampling-rejection judge a call that never ended after the answer, unless the nemesis broke
its way after the call (a cut, a byte limit, a restart): then the missing end is the harness's doing."""

from __future__ import annotations

from pathlib import Path

from harness.checks import run_checks
from harness.history import Fault, History, Request

BAD = Path(__file__).parents[1] / "fixtures" / "histories" / "bad" / \
    "elicitation-decline-hangs@elicitation-decline@2025-11-25.jsonl"


def decline_verdict(h: History) -> str:
    return next(v.status for v in run_checks(h) if v.requirement == "elicit.decline.2025")


def with_fault_after_the_call(h: History, fault: Fault) -> History:
    out = History()
    struck = False
    for r in h.records:
        out.append(r.model_copy())
        if not struck and isinstance(r, Request) and isinstance(r.body, dict) and r.body.get("method") == "tools/call":
            out.append(fault)
            struck = True
    assert struck
    return out


def test_a_call_that_hangs_after_the_decline_is_judged():
    assert decline_verdict(History.load(BAD)) == "WARN"  # 2025: a SHOULD


def test_a_call_the_nemesis_broke_after_it_was_sent_is_not_judged():
    for fault in (Fault(action="cut", proxy="p"), Fault(action="restart", proxy="p"),
                  Fault(action="add", proxy="p", toxic={"name": "t", "type": "limit_data", "stream": "upstream"})):
        assert decline_verdict(with_fault_after_the_call(History.load(BAD), fault)) == "NOT-OBSERVED", fault


def test_a_fault_that_breaks_nothing_changes_nothing():
    latency = Fault(action="add", proxy="p", toxic={"name": "t", "type": "latency", "stream": "downstream"})
    assert decline_verdict(with_fault_after_the_call(History.load(BAD), latency)) == "WARN"
