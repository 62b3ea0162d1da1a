"""The checks over histories recorded from real third-party servers (tests/fixtures/histories/thirdparty/<server>/,
recorded by `faultline run --target URL --profile ...` against fastmcp 4.2.3 and 3.4.2 with a small resumable
progress server, and against server-everything 2026.8.31; verdict records stripped).

Each history shows a behaviour a check once FAILed although the spec allows it, and the server's real bugs:
the first must give no FAIL, the second must still FAIL, with a witness and the rule quoted. Each false-FAIL
class is also corrupted once into the violation its check exists for, to show the check can still fail."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from harness.checks import run_checks
from harness.history import End, History, Request, Response, SseEvent, Verdict

TP = Path(__file__).parent.parent / "fixtures" / "histories" / "thirdparty"
FM4, FM3, SE = "fastmcp-4.2.3", "fastmcp-3.4.2", "server-everything-2026.8.31"

# server -> history -> the requirement ids that must FAIL on it (the server's real bugs). Any other FAIL fails.
KNOWN: dict[str, dict[str, set[str]]] = {
    FM4: {
        "resume-after-result@2025-11-25": set(),
        "resume-each-boundary@2025-11-25": set(),
        "resume-unknown-id@2025-11-25": set(),
        "session-isolation@2025-11-25": set(),
        "sdk-ride-through-cut@2025-11-25": set(),
        "origin-403@2025-11-25": {"http.origin.reject-403"},  # no Origin check
        "origin-403@2026-07-28": {"http.origin.reject-403"},  # nor with a well-formed 2026 request
    },
    FM3: {
        # session A is handed session B's events when both used request id 1001 (its stream ids are request ids)
        "session-isolation@2025-11-25": {"http.resume.foreign-id", "http.resume.per-stream", "progress.token.active"},
        # events stored between the replay and the live tail of a resume are never delivered (2 ms steps)
        "resume-each-boundary-2ms-steps@2025-11-25": {"http.resume.no-gaps"},
        "origin-403@2025-11-25": {"http.origin.reject-403"},
        "origin-403@2026-07-28": set(),  # a 2025-only server: the control is refused too, nothing is shown
        # one segment of `faultline load` (20 clients, the corpus's load step): every client's 2nd call has request
        # id 3, and c001's resume of it is handed six other sessions' id-3 streams (their progress and responses).
        # Their same progress values once read as duplicates, their response as c001's (then its own progress
        # "after the response"): no-duplicates and stop-after-completion no longer FAIL another session's events.
        "load-segment@2025-11-25": {"http.resume.per-stream", "progress.token.active", "http.post.one-response",
                                    "http.resume.no-gaps"},
    },
    SE: {
        # after a mid-stream resume the rest of the call never arrives
        "resume-each-boundary@2025-11-25": {"http.resume.no-gaps"},
        "sdk-ride-through-cut@2025-11-25": {"http.resume.no-gaps"},
        # a resume replays the later events of every stream of the session
        "stream-isolation@2025-11-25": {"http.resume.per-stream", "progress.token.active",
                                        "progress.stop-after-completion"},
        "resume-unknown-id@2025-11-25": set(),
        "session-isolation@2025-11-25": set(),
        "task-lifecycle@2025-11-25": set(),
        "session-delete-404@2025-11-25": {"http.session.terminated-404"},  # 400, not 404
        "origin-403@2025-11-25": {"http.origin.reject-403"},
        "origin-403@2026-07-28": set(),
    },
}
CASES = [(server, name) for server, histories in KNOWN.items() for name in histories]


def load(server: str, name: str) -> History:
    h = History.load(TP / server / f"{name}.jsonl")
    assert not h.of(Verdict), "fixtures carry no verdicts: the checks judge them afresh"
    return h


def renumbered(records: list) -> History:
    """A history of these records, numbered afresh (a corruption may insert records)."""
    h = History()
    for r in records:
        h.append(r.model_copy())
    return h


def verdict(h: History, check: str) -> Verdict:
    return next(v for v in run_checks(h) if v.check == check)


def test_every_fixture_is_listed():
    on_disk = {(p.parent.name, p.stem) for p in TP.glob("*/*.jsonl")}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("server,name", CASES, ids=[f"{s}/{n}" for s, n in CASES])
def test_real_server_history_fails_only_its_known_bugs(server, name):
    h = load(server, name)
    fails = [v for v in run_checks(h) if v.status == "FAIL"]
    assert {v.requirement for v in fails} == KNOWN[server][name], [(v.check, v.message) for v in fails]
    for v in fails:
        assert v.witness and all(0 <= s < len(h) for s in v.witness)
        assert v.spec and "§" in v.spec  # the rule it claims is broken, quoted from the spec


# -- class 1: a replayed event is the same message, whatever the order of its keys ----------------------------

def _reordered_replays(h: History) -> list[tuple[SseEvent, SseEvent]]:
    first: dict[str, SseEvent] = {}
    pairs = []
    for e in h.of(SseEvent):
        if e.id in first and e.data != first[e.id].data and e.message == first[e.id].message:
            pairs.append((first[e.id], e))
        first.setdefault(e.id or "", e)
    return pairs


@pytest.mark.parametrize("server,name", [(FM4, "resume-after-result@2025-11-25"), (FM4, "sdk-ride-through-cut@2025-11-25"),
                                         (FM3, "session-isolation@2025-11-25")])
def test_replay_with_keys_in_another_order_is_one_message(server, name):
    h = load(server, name)
    assert _reordered_replays(h), "the fixture shows a replay serialized in another key order"
    assert verdict(h, "event-id-unique").status == "PASS"


def test_an_id_reused_for_another_message_still_fails():
    h = load(FM4, "resume-after-result@2025-11-25")
    _, replayed = _reordered_replays(h)[0]
    replayed.message = {**replayed.message, "params": {**replayed.message["params"], "progress": 99}}
    v = verdict(h, "event-id-unique")
    assert v.status == "FAIL" and len(v.witness) == 2


# -- classes 2 and 3: a priming event is no message ------------------------------------------------------------

def _priming_opens_resumes(h: History) -> bool:
    resumes = [r.x for r in h.of(Request) if r.method == "GET" and "last-event-id" in r.headers]
    firsts = [h.events(x)[0] for x in resumes if h.events(x)]
    return bool(firsts) and any(e.data == "" and e.id for e in firsts)


def _priming_after_response(h: History) -> bool:
    for x in {e.x for e in h.of(SseEvent)}:
        evs = h.events(x)
        at = [i for i, e in enumerate(evs) if isinstance(e.message, dict) and "result" in e.message]
        if at and any(e.data == "" for e in evs[at[0] + 1:]):
            return True
    return False


def test_fresh_priming_of_a_resume_is_no_duplicate():
    h = load(FM4, "resume-each-boundary@2025-11-25")
    assert _priming_opens_resumes(h)
    assert verdict(h, "replay-no-duplicate").status == "PASS"


def test_priming_after_a_replayed_response_is_no_second_event():
    for name in ("resume-after-result@2025-11-25", "resume-each-boundary@2025-11-25"):
        h = load(FM4, name)
        assert _priming_after_response(h)
        assert verdict(h, "one-response").status == "PASS"


def test_a_replayed_message_delivered_twice_still_fails():
    h = load(FM4, "resume-each-boundary@2025-11-25")
    resume = next(r for r in h.of(Request) if r.method == "GET" and "last-event-id" in r.headers)
    progress = next(e for e in h.events(resume.x) if isinstance(e.message, dict) and "method" in e.message)
    dup = copy.deepcopy(progress)
    dup.n += 1
    h.records.insert(h.records.index(progress) + 1, dup)
    assert verdict(renumbered(h.records), "replay-no-duplicate").status == "FAIL"


def test_a_second_response_still_fails():
    h = load(FM4, "resume-after-result@2025-11-25")
    resp = next(e for e in h.of(SseEvent) if isinstance(e.message, dict) and "result" in e.message
                and e.message.get("id") == 2)
    h.records.insert(h.records.index(resp) + 1, copy.deepcopy(resp))
    v = verdict(renumbered(h.records), "one-response")
    assert v.status == "FAIL" and len(v.witness) == 2


# -- class 4: a foreign or unknown Last-Event-ID: only replaying another stream's events is forbidden ----------

@pytest.mark.parametrize("server,name,ended", [(FM4, "resume-unknown-id@2025-11-25", "eof"),
                                               (FM4, "session-isolation@2025-11-25", "eof"),
                                               (SE, "resume-unknown-id@2025-11-25", "timeout"),
                                               (SE, "session-isolation@2025-11-25", "timeout")])
def test_foreign_id_answered_200_or_held_open_replays_nothing(server, name, ended):
    h = load(server, name)
    probe = [r for r in h.of(Request) if r.method == "GET" and r.purpose == "resume"][-1]
    assert h.response(probe.x).status == 200 and h.end(probe.x).reason == ended
    assert verdict(h, "replay-foreign-or-unknown-id").status == "PASS"


def test_foreign_id_replaying_another_streams_event_still_fails():
    h = load(FM4, "session-isolation@2025-11-25")
    probe = [r for r in h.of(Request) if r.method == "GET" and r.purpose == "resume"][-1]
    own = next(e for e in h.of(SseEvent) if e.x != probe.x and isinstance(e.message, dict)
               and h.request(e.x).client == probe.client and "method" in e.message)
    ev = copy.deepcopy(own)
    ev.x, ev.n = probe.x, 0
    h.records.insert(h.records.index(h.end(probe.x)), ev)
    v = verdict(renumbered(h.records), "replay-foreign-or-unknown-id")
    assert v.status == "FAIL" and "replayed" in v.message


# -- class 5: a tool that runs only as a task has no synchronous twin ------------------------------------------

def test_task_only_tool_has_no_twin_and_is_not_called_plainly():
    h = load(SE, "task-lifecycle@2025-11-25")
    listed = [r for r in h.of(Response) if r.body and "tools" in str(r.body)] + \
             [e for e in h.of(SseEvent) if isinstance(e.message, dict) and "tools" in (e.message.get("result") or {})]
    assert listed and "required" in json.dumps([getattr(r, "message", None) or r.body for r in listed])
    plain = [r for r in h.of(Request) if isinstance(r.body, dict) and r.body.get("method") == "tools/call"
             and "task" not in r.body["params"]]
    assert not plain, "the scenario makes no plain call of a taskSupport-required tool"
    v = verdict(h, "task-result-exact")
    assert v.status == "NOT-OBSERVED" and "required" in v.message


def _plain_twin(h: History, result: dict) -> History:
    """The history with a plain call of the task tool added at its end, answered with `result`."""
    task_call = next(r for r in h.of(Request) if isinstance(r.body, dict) and r.body.get("method") == "tools/call")
    x = max(r.x for r in h.of(Request)) + 1
    body = {"jsonrpc": "2.0", "id": 77, "method": "tools/call",
            "params": {k: v for k, v in task_call.body["params"].items() if k != "task"}}
    records = list(h.records) + [
        Request(x=x, client="B", method="POST", url=task_call.url, headers=dict(task_call.headers), body=body),
        Response(x=x, status=200, content_type="application/json", body={"jsonrpc": "2.0", "id": 77, **result}),
        End(x=x, reason="eof")]
    return renumbered(records)


def test_refused_plain_call_of_a_task_only_tool_is_no_twin():
    refused = {"error": {"code": -32601, "message": "requires task augmentation"}}
    assert verdict(_plain_twin(load(SE, "task-lifecycle@2025-11-25"), refused), "task-result-exact").status \
        == "NOT-OBSERVED"


def test_task_result_differing_from_a_real_twin_still_fails():
    h = load(SE, "task-lifecycle@2025-11-25")
    for r in h.records:  # the tool no longer declares itself task-only: a plain call has a result to compare
        payload = r.message if isinstance(r, SseEvent) else r.body if isinstance(r, Response) else None
        for tool in ((payload or {}).get("result") or {}).get("tools") or [] if isinstance(payload, dict) else []:
            (tool.get("execution") or {}).pop("taskSupport", None)
    other = {"result": {"content": [{"type": "text", "text": "something else"}]}}
    assert verdict(_plain_twin(h, other), "task-result-exact").status == "FAIL"


# -- class 6: every probe is well-formed at the revision it probes ---------------------------------------------

def test_origin_probe_is_well_formed_at_2026_and_controlled():
    for server in (FM4, FM3, SE):
        h = load(server, "origin-403@2026-07-28")
        probe = next(r for r in h.of(Request) if r.purpose == "bad-origin")
        assert probe.body["method"] == "server/discover" and "_meta" in probe.body["params"]
        assert probe.headers["origin"] != "" and any(r.purpose == "origin-control" for r in h.of(Request))
    assert verdict(load(FM4, "origin-403@2026-07-28"), "origin-403").status == "FAIL"  # served: no Origin check
    for server in (FM3, SE):  # 2025-only: the control is refused as well, so the 400 says nothing about Origin
        v = verdict(load(server, "origin-403@2026-07-28"), "origin-403")
        assert v.status == "NOT-OBSERVED" and "without the Origin" in v.message


def test_origin_refused_with_another_status_than_403_still_fails():
    h = load(FM4, "origin-403@2026-07-28")
    probe = next(r for r in h.of(Request) if r.purpose == "bad-origin")
    h.response(probe.x).status = 400
    v = verdict(h, "origin-403")
    assert v.status == "FAIL" and "400" in v.message


# -- class 7: a stream that ended after the harness's own DELETE or cancel was not closed by the server ---------

def test_close_after_own_delete_is_not_a_server_close():
    h = load(SE, "sdk-ride-through-cut@2025-11-25")
    delete = next(r for r in h.of(Request) if r.method == "DELETE")
    ended = [e for e in h.of(End) if e.reason == "eof" and e.seq > delete.seq and h.events(e.x)]
    assert ended, "the fixture shows a stream ending right after the client's DELETE"
    assert verdict(h, "retry-before-close").status == "NOT-OBSERVED"


def test_server_close_without_retry_still_warns():
    h = load(SE, "sdk-ride-through-cut@2025-11-25")
    records = [r for r in h.records if not (isinstance(r, Request) and (r.method == "DELETE" or (
        isinstance(r.body, dict) and r.body.get("method") == "notifications/cancelled")))]
    v = verdict(renumbered(records), "retry-before-close")
    assert v.status == "WARN" and v.witness
