"""elicit-decline / sampling-rejection judge a call that never ended after the answer, unless the nemesis broke
its way during the call (a cut, a byte limit, a restart after it was sent, or a byte limit added before it and still
in force): then the missing end is the harness's doing."""

from __future__ import annotations

from pathlib import Path

from harness.checks import run_checks
from harness.history import Fault, History, Request

BAD = Path(__file__).parents[1] / "fixtures" / "histories" / "bad" / \
    "elicitation-decline-hangs@elicitation-decline@2025-11-25.jsonl"


def decline_verdict(h: History) -> str:
    return next(v.status for v in run_checks(h) if v.requirement == "elicit.decline.2025")


def with_fault_after_the_call(h: History, *faults: Fault, before: bool = False) -> History:
    """The history with `faults` after the first tools/call request (`before`: just before it)."""
    out = History()
    struck = False
    for r in h.records:
        call = isinstance(r, Request) and isinstance(r.body, dict) and r.body.get("method") == "tools/call"
        if not struck and call and before:
            for f in faults:
                out.append(f.model_copy())
        out.append(r.model_copy())
        if not struck and call:
            if not before:
                for f in faults:
                    out.append(f.model_copy())
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


LIMIT = Fault(action="add", proxy="p", toxic={"name": "limit", "type": "limit_data", "stream": "upstream"})


def test_a_byte_limit_added_before_the_call_and_in_force_during_it_is_the_nemesis():
    """The fuzzer's clean 2026 agents got a false FAIL of elicit.decline.2026: limit_data on the upstream added
    before a concurrent call, whose answer's POST the proxy then cut."""
    assert decline_verdict(with_fault_after_the_call(History.load(BAD), LIMIT, before=True)) == "NOT-OBSERVED"
    removed = Fault(action="remove", proxy="p", toxic={"name": "limit"})
    # taken out again before the call: it broke nothing of it, the call is judged
    assert decline_verdict(with_fault_after_the_call(History.load(BAD), LIMIT, removed, before=True)) == "WARN"
