"""Every check FAILs (or WARNs, for a SHOULD) a bad history with a witness, and PASSes good ones.

Bad histories: recorded from the mutants (tests/fixtures/histories/bad, one per kill-matrix row)
and constructed here from recorded good ones by one deliberate corruption each."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from harness.checks import all_checks, run_checks
from harness.cli import main
from harness.history import End, History, Meta, Note, Request, Response, SseEvent
from harness.killmatrix import EXPECTED, KILL_STATUSES

FIX = Path(__file__).parent.parent / "fixtures" / "histories"
GOOD = sorted((FIX / "good").glob("*.jsonl"))
BAD = sorted((FIX / "bad").glob("*.jsonl"))


def good(name: str) -> History:
    return History.load(FIX / "good" / f"{name}.jsonl")


def verdict(h: History, requirement: str):
    return next(v for v in run_checks(h) if v.requirement == requirement)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_histories_pass(path):
    bad = [v for v in run_checks(History.load(path)) if v.status in ("FAIL", "WARN", "ERROR")]
    assert not bad, [(v.check, v.message) for v in bad]


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_recorded_mutant_histories_fail_with_witness(path):
    mutant = path.stem.split("@")[0]
    expected = EXPECTED[mutant][0]
    hits = [v for v in run_checks(History.load(path)) if v.requirement in expected and v.status in KILL_STATUSES]
    assert hits, f"{mutant}: none of {expected} fired"
    assert all(v.witness for v in hits)
    h = History.load(path)
    assert all(0 <= s < len(h) for v in hits for s in v.witness)


def test_every_mutant_has_a_recorded_history():
    assert {p.stem.split("@")[0] for p in BAD} == set(EXPECTED)


# -- constructed: one corruption of a good history per check not covered by a mutant ----------

def _mutate(name: str, fn) -> History:
    h = good(name)
    records = [copy.deepcopy(r) for r in h.records]
    fn(records)
    return History(records)


def _first(records, kind, pred=lambda r: True):
    return next(r for r in records if isinstance(r, kind) and pred(r))


def test_event_id_reused_for_another_message_fails():
    def corrupt(rs):
        evs = [r for r in rs if isinstance(r, SseEvent) and r.id and r.message]
        evs[1].id = evs[0].id
    v = verdict(_mutate("resume-mid-event@2025-11-25", corrupt), "http.sse.event-id-unique")
    assert v.status == "FAIL" and len(v.witness) == 2


def test_malformed_jsonrpc_fails():
    def corrupt(rs):
        e = _first(rs, SseEvent, lambda r: isinstance(r.message, dict) and "method" in r.message)
        e.message["jsonrpc"] = "1.0"
    v = verdict(_mutate("progress-latency-slicer@2025-11-25", corrupt), "rpc.shape")
    assert v.status == "FAIL" and v.witness


@pytest.mark.parametrize("name", ["elicitation-accept@2025-11-25", "elicitation-accept@2026-07-28"])
def test_form_elicitation_without_schema_fails(name):
    def corrupt(rs):
        for r in rs:
            m = r.message if isinstance(r, SseEvent) else r.body if isinstance(r, Response) else None
            if isinstance(m, dict) and m.get("method") == "elicitation/create":
                m["params"].pop("requestedSchema")
            res = (m or {}).get("result") if isinstance(m, dict) else None
            if isinstance(res, dict) and res.get("inputRequests"):
                for req in res["inputRequests"].values():
                    req["params"].pop("requestedSchema", None)
    v = verdict(_mutate(name, corrupt), "elicit.form.params")
    assert v.status == "FAIL" and v.witness


def test_elicitation_to_undeclared_client_fails():
    def corrupt(rs):
        req = _first(rs, Request, lambda r: r.purpose == "initialize")
        req.body["params"]["capabilities"] = {}
    v = verdict(_mutate("elicitation-accept@2025-11-25", corrupt), "life.capabilities.negotiated")
    assert v.status == "FAIL" and v.witness


def test_input_request_to_undeclared_client_fails():
    def corrupt(rs):
        for r in rs:
            if isinstance(r, Request) and isinstance(r.body, dict) and r.body.get("method") == "tools/call":
                r.body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] = {}
    v = verdict(_mutate("elicitation-accept@2026-07-28", corrupt), "mrtr.capability")
    assert v.status == "FAIL" and v.witness


def test_tampered_state_accepted_fails():
    def corrupt(rs):
        note = _first(rs, Note, lambda n: n.data.get("tampered"))
        later = [r for r in rs if isinstance(r, Response) and r.seq > note.seq and isinstance(r.body, dict)]
        later[0].body = {"jsonrpc": "2.0", "id": later[0].body.get("id"),
                         "result": {"content": [{"type": "text", "text": "booked anyway"}]}}
    v = verdict(_mutate("mrtr-tampered-state@2026-07-28", corrupt), "mrtr.state.integrity")
    assert v.status == "FAIL" and v.witness


def test_server_request_on_2026_stream_fails():
    def corrupt(rs):
        e = _first(rs, SseEvent, lambda r: isinstance(r.message, dict) and "method" in r.message)
        e.message["id"] = 77
    v = verdict(_mutate("progress-latency-slicer@2026-07-28", corrupt), "http.post.no-server-requests")
    assert v.status == "FAIL"


def test_message_after_input_required_on_its_sse_stream_fails():
    def corrupt(rs):
        rnd = _first(rs, SseEvent, lambda r: isinstance(r.message, dict)
                     and (r.message.get("result") or {}).get("resultType") == "input_required")
        late = copy.deepcopy(_first(rs, SseEvent, lambda r: r.x == rnd.x and "method" in (r.message or {})))
        late.seq, late.n = rnd.seq + 1, rnd.n + 1
        for r in rs:
            if r.seq > rnd.seq:
                r.seq += 1
        rs.insert(rs.index(rnd) + 1, late)
    v = verdict(_mutate("mrtr-rounds@2026-07-28", corrupt), "mrtr.sse-last")
    assert v.status == "FAIL" and len(v.witness) == 2 and "notifications/progress" in v.message


def test_missing_session_answered_200_warns():
    def corrupt(rs):
        req = _first(rs, Request, lambda r: r.purpose == "missing-session")
        _first(rs, Response, lambda r: r.x == req.x).status = 200
    v = verdict(_mutate("session-missing-400@2025-11-25", corrupt), "http.session.missing-400")
    assert v.status == "WARN" and v.witness


def test_call_without_response_warns():
    def corrupt(rs):
        rs[:] = [r for r in rs if not (isinstance(r, SseEvent) and isinstance(r.message, dict)
                                       and "result" in r.message and r.message.get("id") == 2)]
    v = verdict(_mutate("progress-latency-slicer@2025-11-25", corrupt), "http.post.eventually-response")
    assert v.status == "WARN" and v.witness


@pytest.mark.parametrize("status,media,text", [(500, "text/html", "<html>oops</html>"), (200, "text/plain", "ok")])
def test_request_answered_with_another_media_type_fails(status, media, text):
    def corrupt(rs):
        call = _first(rs, Request, lambda r: isinstance(r.body, dict) and r.body.get("method") == "tools/call")
        resp = _first(rs, Response, lambda r: r.x == call.x)
        resp.status, resp.content_type, resp.body_text = status, media, text
        rs[:] = [r for r in rs if not (isinstance(r, SseEvent) and r.x == call.x)]
    v = verdict(_mutate("progress-latency-slicer@2026-07-28", corrupt), "http.post.request-content-type")
    assert v.status == "FAIL" and len(v.witness) == 2 and str(status) in v.message and media in v.message


def test_json_answer_for_another_id_fails():
    def corrupt(rs):
        call = _first(rs, Request, lambda r: isinstance(r.body, dict) and r.body.get("method") == "server/discover")
        resp = _first(rs, Response, lambda r: r.x == call.x)
        resp.body = {"jsonrpc": "2.0", "id": 987654321, "result": {}}
    v = verdict(_mutate("origin-403@2026-07-28", corrupt), "http.post.request-content-type")
    assert v.status == "FAIL" and "987654321" not in v.message and "JSON-RPC response" in v.message


def test_call_that_times_out_without_response_is_an_error_not_a_pass():
    def corrupt(rs):
        rs[:] = [r for r in rs if not (isinstance(r, SseEvent) and isinstance(r.message, dict)
                                       and "result" in r.message and r.message.get("id") == 2)]
        end = _first(rs, End, lambda r: r.x == _first(rs, Request, lambda q: q.purpose == "call").x)
        end.reason, end.detail = "timeout", "no end within 4s"
    v = verdict(_mutate("progress-latency-slicer@2025-11-25", corrupt), "harness.outcome.determinate")
    assert v.status == "ERROR" and "timeout" in v.message and "no response" in v.message and len(v.witness) >= 2


def test_redirect_is_named_and_indeterminate():
    def corrupt(rs):
        call = _first(rs, Request, lambda r: isinstance(r.body, dict) and r.body.get("method") == "tools/call")
        resp = _first(rs, Response, lambda r: r.x == call.x)
        resp.status, resp.content_type, resp.headers = 307, "", {"location": "/mcp"}
        rs[:] = [r for r in rs if not (isinstance(r, SseEvent) and r.x == call.x)]
    v = verdict(_mutate("progress-latency-slicer@2026-07-28", corrupt), "harness.outcome.determinate")
    assert v.status == "ERROR" and "307" in v.message and "redirect" in v.message


def test_every_check_is_exercised_by_some_bad_history():
    covered = {EXPECTED[p.stem.split("@")[0]] for p in BAD}
    fired = {req for reqs, _ in covered for req in reqs}
    constructed = {"http.sse.event-id-unique", "rpc.shape", "elicit.form.params", "life.capabilities.negotiated",
                   "mrtr.capability", "mrtr.state.integrity", "http.post.no-server-requests",
                   "http.session.missing-400", "http.post.eventually-response", "elicit.decline.2026",
                   "http.post.request-content-type", "harness.outcome.determinate", "resources.list-changed",
                   "subs.id-on-every", "tools.resource-link.fetchable", "mrtr.sse-last"}
    missing = {c.requirement for c in all_checks()} - fired - constructed
    assert not missing, missing


def test_not_applicable_and_not_observed_are_never_passes():
    h = History([Meta(scenario="empty", revision="2025-11-25")])
    vs = run_checks(h)
    assert {v.status for v in vs} <= {"NOT-APPLICABLE", "NOT-OBSERVED"}
    assert any(v.status == "NOT-APPLICABLE" for v in vs) and all(v.message for v in vs)


def test_a_check_that_raises_is_contained_as_error():
    h = good("origin-403@2025-11-25")
    _first(h.records, Response).headers = None  # type: ignore[assignment]
    statuses = {v.status for v in run_checks(h)}
    assert "ERROR" in statuses


def test_check_cli(tmp_path, capsys):
    bad = next(p for p in BAD if p.stem.startswith("no-origin-check"))
    assert main(["check", str(bad), "--json", str(tmp_path / "v.json")]) == 1
    assert "http.origin.reject-403" in capsys.readouterr().out
    assert json.loads((tmp_path / "v.json").read_text())
    assert main(["check", str(GOOD[0])]) == 0
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n")
    assert main(["check", str(junk)]) == 2
    err = capsys.readouterr().err
    assert "line 1" in err and "Traceback" not in err


def test_a_cut_that_reached_the_server_too_late_proves_no_cancellation():
    """Recorded from the fuzzer's 12 workers on 2 cores against the clean agents: the cut call's stream reached the
    client 0.21 s late, so its cut after one event came when the server had done 7 of 8 steps; the job completed,
    and http.disconnect.is-cancel FAILed a correct server. A cut later than half an undisturbed call's time is not
    judged; the mutant that ignores disconnects (its recorded history) is still FAILed."""
    v = verdict(good("fuzz-late-cut-under-load@2026-07-28"), "http.disconnect.is-cancel")
    assert v.status == "NOT-OBSERVED" and "too late to tell a cancellation" in v.message, v.message
    ignored = History.load(FIX / "bad" / "disconnect-ignored-2026@disconnect-cancels@2026-07-28.jsonl")
    assert verdict(ignored, "http.disconnect.is-cancel").status == "FAIL"
    assert verdict(good("disconnect-cancels@2026-07-28"), "http.disconnect.is-cancel").status == "PASS"


def test_a_call_that_was_never_cut_is_not_judged_a_cancellation():
    """Recorded: disconnect-cancels against a server whose effect tool sends its progress elsewhere (the mutant
    notifications-on-get-stream at 2026: on no stream at all), so the call to cut after its first event carried only
    its response and completed. The fuzzer's bench saw http.disconnect.is-cancel FAIL it, 3 replays of 3: the count
    grew by two for a cut that never happened. Not judged; the mutant that ignores disconnects is still FAILed."""
    h = good("effect-without-progress@2026-07-28")
    assert not [r for r in h.records if getattr(r, "reason", None) == "cut"]
    v = verdict(h, "http.disconnect.is-cancel")
    assert v.status == "NOT-OBSERVED" and "no call was cut" in v.message, v.message
    ignored = History.load(FIX / "bad" / "disconnect-ignored-2026@disconnect-cancels@2026-07-28.jsonl")
    assert verdict(ignored, "http.disconnect.is-cancel").status == "FAIL"
