"""The resource checks over recorded histories: the clean agents' histories pass, and one deliberate
corruption each fails (the mutants' recorded histories are covered by test_recorded.py)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from harness.checks import run_checks
from harness.history import History, Meta, Request, Response, SseEvent

FIX = Path(__file__).parent.parent / "fixtures" / "histories" / "good"


def _verdict(h: History, requirement: str):
    return next(v for v in run_checks(h) if v.requirement == requirement)


def _mutate(name: str, fn) -> History:
    h = History.load(FIX / f"{name}.jsonl")
    records = [copy.deepcopy(r) for r in h.records]
    fn(records)
    return History(records)


def _is(r, method: str) -> bool:
    return isinstance(r, SseEvent) and isinstance(r.message, dict) and r.message.get("method") == method


@pytest.mark.parametrize("rev", ["2025-11-25", "2026-07-28"])
def test_clean_subscription_histories_pass_every_resource_check(rev):
    h = History.load(FIX / f"resource-subscribe-confirmed@{rev}.jsonl")
    for req in ("resources.updated.notified", "resources.updated.after-commit", "resources.status.forward",
                "resources.list-changed"):
        assert _verdict(h, req).status == "PASS", req


def test_new_resource_listed_without_list_changed_warns():
    def corrupt(rs):
        rs[:] = [r for r in rs if not _is(r, "notifications/resources/list_changed")]
    v = _verdict(_mutate("resource-subscribe-confirmed@2025-11-25", corrupt), "resources.list-changed")
    assert v.status == "WARN" and len(v.witness) == 2


def test_update_dropped_from_history_fails_notified():
    def corrupt(rs):
        rs[:] = [r for r in rs if not _is(r, "notifications/resources/updated")]
    v = _verdict(_mutate("resource-subscribe-confirmed@2026-07-28", corrupt), "resources.updated.notified")
    assert v.status == "FAIL" and "awaiting_confirmation" in v.message


def test_status_going_back_fails_forward():
    def corrupt(rs):
        reads = [r for r in rs if isinstance(r, SseEvent) and isinstance(r.message, dict)
                 and "contents" in (r.message.get("result") or {})]
        last = reads[-1].message["result"]["contents"][0]
        last["text"] = last["text"].replace('"confirmed"', '"pending"').replace('"version": ', '"version": -')
    v = _verdict(_mutate("resource-poll-only@2025-11-25", corrupt), "resources.status.forward")
    assert v.status == "FAIL" and "went back" in v.message


def test_listen_without_subscription_id_fails():
    def corrupt(rs):
        for r in rs:
            if _is(r, "notifications/resources/updated"):
                r.message["params"]["_meta"] = {}
    v = _verdict(_mutate("resource-subscribe-confirmed@2026-07-28", corrupt), "subs.id-on-every")
    assert v.status == "FAIL" and v.witness


def test_unknown_uri_read_empty_fails_on_both_revisions():
    for rev in ("2025-11-25", "2026-07-28"):
        def corrupt(rs):
            req = next(r for r in rs if isinstance(r, Request) and r.purpose == "unknown-resource")
            for r in rs:
                body = r.message if isinstance(r, SseEvent) else r.body if isinstance(r, Response) else None
                if getattr(r, "x", None) == req.x and isinstance(body, dict) and "error" in body:
                    body.pop("error")
                    body["result"] = {"contents": []}
        v = _verdict(_mutate(f"resource-unknown-uri@{rev}", corrupt), "resources.read.unknown")
        assert v.status == "FAIL" and "empty contents" in v.message, rev


def test_no_resource_activity_is_never_a_pass():
    h = History([Meta(scenario="empty", revision="2026-07-28")])
    statuses = {v.status for v in run_checks(h) if v.requirement.startswith(("resources.", "subs."))}
    assert statuses <= {"NOT-OBSERVED", "NOT-APPLICABLE"}
