"""Checks on SSE streams and their resumption (2025-11-25), and on a cut as cancellation (2026)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from harness.checks.model import (
    Derived,
    breaking_fault_seqs,
    held_by_nemesis,
    is_progress,
    is_response,
    message_of,
    messages,
    other_session_progress,
    shape,
)
from harness.checks.registry import Outcome, check
from harness.history import Verdict, dumps_compact
from harness.revisions import Revision

R25 = (Revision.R2025,)
R26 = (Revision.R2026,)
BOTH = (Revision.R2025, Revision.R2026)
T25 = "2025-11-25_basic_transports.mdx"


def _sse_posts(d: Derived) -> list[int]:
    return [c.xs[0] for c in d.calls if d.responses.get(c.xs[0]) is not None
            and d.responses[c.xs[0]].content_type == "text/event-stream"]


@check("priming-first", requirement="http.sse.priming", revisions=R25, level="SHOULD",
       spec=f"{T25} § Sending Messages to the Server: the server SHOULD immediately send an SSE event "
            "consisting of an event ID and an empty data field in order to prime the client to reconnect")
def priming_first(d: Derived, out: Outcome) -> Verdict:
    xs = [x for x in _sse_posts(d) if d.events.get(x)]
    if not xs:
        return out.unseen("no POST answered with an SSE stream carrying events")
    bad = [d.events[x][0].seq for x in xs if not (d.events[x][0].id and d.events[x][0].data == "")]
    return out.fail(f"{len(bad)} POST stream(s) did not start with a priming event", bad) if bad else out.ok()


@check("retry-before-close", requirement="http.sse.retry-before-close", revisions=R25, level="SHOULD",
       spec=f"{T25} § Sending Messages to the Server: the server SHOULD send an SSE event with a standard "
            "retry field before closing the connection")
def retry_before_close(d: Derived, out: Outcome) -> Verdict:
    closes, ours = [], 0
    for call in d.calls:
        for x in call.xs:
            end, evs = d.ends.get(x), d.events.get(x, [])
            if end is None or end.reason != "eof" or not evs or any(is_response(e.message, call.rpc_id) for e in evs):
                continue
            if d.closed_by_client(x) is not None:  # the harness's DELETE, cancel, cut or fault ended it
                ours += 1
                continue
            closes.append((x, evs))
    if not closes:
        why = f" ({ours} stream(s) ended by the harness's own DELETE, cancel or fault)" if ours else ""
        return out.unseen(f"the server never closed a call's stream before its response{why}")
    bad = [d.ends[x].seq for x, evs in closes if not any(e.retry is not None for e in evs)]
    return out.fail("the server closed a stream before the response without sending `retry`", bad) if bad \
        else out.ok(f"{len(closes)} server-initiated close(s), each after a retry field")


def _resumed(d: Derived) -> list[Any]:
    return [c for c in d.calls if len(c.xs) > 1]


def _compare(d: Derived, out: Outcome, kind: str) -> Verdict:
    calls = [c for c in _resumed(d) if d.baseline(c) is not None]
    if not _resumed(d):
        return out.unseen("no call was resumed")
    bad, checked = [], 0
    for call in _resumed(d):
        said = messages(call.stream)  # a priming event (new id, empty data) opening a resume is no message
        got = [shape(e.message) for e in said]
        ids = [e.id for e in said if e.id]
        if kind == "dup" and len(ids) != len(set(ids)):
            dup = [e.seq for e in said if e.id and ids.count(e.id) > 1]
            bad.append((call, "an event id was delivered twice", dup))
            continue
        base = d.baseline(call) if call in calls else None
        if base is None or d.spans_restart(call) or d.abandoned(call):
            continue
        if kind != "gap" and other_session_progress(d, [e for x in call.xs[1:] for e in d.events.get(x, [])]):
            continue  # another session's events in the resume (replay-per-stream FAILs them): its same progress
            # values would read as duplicates, its events as reordered ones
        checked += 1
        if got == base:
            continue
        cg, cb = Counter(got), Counter(base)
        witness = [e.seq for x in call.xs[1:] for e in messages(d.events.get(x, []))][:12]
        hung = [x for x in call.xs[1:] if d.ends.get(x) is not None and d.ends[x].reason == "timeout"]
        if not witness or hung:
            witness += [call.request.seq] + [s for x in (hung or call.xs[1:]) for s in
                                             (d.requests[x].seq, d.ends[x].seq if x in d.ends else None) if s is not None]
        if kind == "gap" and cb - cg:
            held = (f"; {len(hung)} resume(s) held open with nothing more until the client's deadline"
                    if hung else "")
            bad.append((call, f"missing after resume: {sorted(map(str, (cb - cg).elements()))[:4]}{held}", witness))
        elif kind == "dup" and cg - cb:
            bad.append((call, f"delivered twice: {sorted(map(str, (cg - cb).elements()))[:4]}", witness))
        elif kind == "order" and cg == cb:
            bad.append((call, "the replayed events came in another order than the undisturbed call's", witness))
    if bad:
        call, why, witness = bad[0]
        return out.fail(f"call {call.rpc_id} ({call.client}): {why}" + (f" (+{len(bad) - 1} more)" if len(bad) > 1
                                                                          else ""), witness)
    if not checked and kind != "dup":
        return out.unseen("no resumed call has an undisturbed twin in the history to compare with")
    return out.ok(f"{len(_resumed(d))} resumed call(s) reassembled exactly")


@check("replay-no-gap", requirement="http.resume.no-gaps", revisions=R25, level="implied (MUST)",
       spec=f"{T25} § Resumability and Redelivery: the server MAY use this header to replay messages that "
            "would have been sent after the last event ID")
def replay_no_gap(d: Derived, out: Outcome) -> Verdict:
    return _compare(d, out, "gap")


@check("replay-no-duplicate", requirement="http.resume.no-duplicates", revisions=R25, level="implied (MUST)",
       spec=f"{T25} § Resumability and Redelivery: replay messages that would have been sent after the last "
            "event ID (not the one the client already has)")
def replay_no_duplicate(d: Derived, out: Outcome) -> Verdict:
    return _compare(d, out, "dup")


@check("replay-in-order", requirement="http.resume.order", revisions=R25, level="implied (MUST)",
       spec=f"{T25} § Resumability and Redelivery: replay messages that would have been sent after the last "
            "event ID, on the stream that was disconnected")
def replay_in_order(d: Derived, out: Outcome) -> Verdict:
    return _compare(d, out, "order")


@check("replay-per-stream", requirement="http.resume.per-stream", revisions=R25, level="MUST NOT",
       spec=f"{T25} § Resumability and Redelivery: the server MUST NOT replay messages that would have been "
            "delivered on a different stream")
def replay_per_stream(d: Derived, out: Outcome) -> Verdict:
    resumes = [(c, x) for c in _resumed(d) for x in c.xs[1:]]
    if not resumes:
        return out.unseen("no call was resumed")
    for call, x in resumes:
        for e in d.events.get(x, []):
            m = e.message if isinstance(e.message, dict) else {}
            foreign = (is_response(m) and m.get("id") != call.rpc_id) or (
                m.get("method") == "notifications/progress" and call.token is not None
                and (m.get("params") or {}).get("progressToken") != call.token)
            origin = d.origin.get(e.id or "")
            if foreign or (origin is not None and origin[1] not in call.xs):
                return out.fail(f"the resume of call {call.rpc_id} replayed an event of another stream", [e.seq])
    return out.ok(f"{len(resumes)} resume(s) carried only their own stream")


@check("replay-foreign-or-unknown-id", requirement="http.resume.foreign-id", revisions=R25,
       level="implied (MUST NOT)",
       spec=f"{T25} § Resumability and Redelivery: the server MUST NOT replay messages that would have been "
            "delivered on a different stream; event IDs are unique within a session, so a Last-Event-ID of another "
            "session, or one never issued, names no stream of this one and replays nothing")
def replay_foreign_id(d: Derived, out: Outcome) -> Verdict:
    def own(x: int) -> bool:  # resumes a stream of its own session that is not a call's (the GET stream)
        origin = d.origin.get(d.requests[x].headers.get("last-event-id", ""))
        return origin is not None and origin[0] == d.session_of.get(x)

    probes = [x for x in d.resumes if x not in d.call_of_x and not own(x)]
    leaks = [e.seq for x, evs in d.events.items() for e in messages(evs)
             if e.id and d.origin.get(e.id, ("", x))[0] != d.session_of.get(x) and d.session_of.get(x)]
    if leaks:
        return out.fail("events first delivered to another session were delivered to this one", leaks[:8])
    if not probes:
        return out.unseen("no resume presented a foreign or unknown Last-Event-ID")
    delivered: dict[str, int] = {}  # progress notification (canonical JSON) -> the exchange first delivering it
    for x, evs in sorted(d.events.items()):
        for e in messages(evs):
            if is_progress(e.message):
                delivered.setdefault(dumps_compact(e.message), x)
    answers = []
    for x in probes:
        resp, end, evs = d.responses.get(x), d.ends.get(x), d.events.get(x, [])
        # What it may not do is replay: events first seen on another exchange (by id, or a progress notification
        # by its content), or a call's response (only the resume of that call's own stream may carry it). No status
        # is asked for, and a GET stream that stays open is this session's standalone stream: neither is a finding.
        replayed = [e.seq for e in messages(evs) if is_response(e.message)
                    or (e.id and d.origin.get(e.id, ("", x))[1] != x)
                    or delivered.get(dumps_compact(e.message), x) != x]
        if replayed:
            return out.fail(f"a foreign/unknown Last-Event-ID replayed {len(replayed)} event(s) of other streams",
                            [d.requests[x].seq] + ([resp.seq] if resp else []) + replayed[:8])
        answers.append(f"{resp.status if resp else 'no answer'}"
                       + (" held open as a standalone stream" if end is not None and end.reason == "timeout" else ""))
    return out.ok(f"{len(probes)} foreign/unknown id(s), nothing replayed ({'; '.join(answers)})")


@check("event-id-unique", requirement="http.sse.event-id-unique", revisions=R25, level="MUST",
       spec=f"{T25} § Resumability and Redelivery: event IDs MUST be globally unique across all streams within "
            "that session")
def event_id_unique(d: Derived, out: Outcome) -> Verdict:
    # A replay repeats an event under its id: the same message, maybe serialized with its keys in another order,
    # is not a second message. A priming event carries no message (replayed, it may come back as `{}`).
    seen: dict[tuple[str, str], tuple[Any, int]] = {}
    n = 0
    for x, evs in d.events.items():
        for e in evs:
            if not e.id:
                continue
            n += 1
            key, msg = (d.session_of.get(x, ""), e.id), message_of(e)
            if msg is None:
                continue
            if key in seen and seen[key][0] != msg:
                return out.fail(f"event id {e.id} carried two different messages", [seen[key][1], e.seq])
            seen.setdefault(key, (msg, e.seq))
    return out.ok(f"{n} event ids") if n else out.unseen("no event ids")


@check("one-response", requirement="http.post.one-response", revisions=BOTH, level="MUST",
       spec=f"{T25} § Sending Messages to the Server: the SSE stream SHOULD eventually include a JSON-RPC "
            "response for the JSON-RPC request sent in the POST body; JSON-RPC 2.0 § 5 Response object: the server "
            "MUST reply with a Response (one reply to one request, not two on one stream)")
def one_response(d: Derived, out: Outcome) -> Verdict:
    # Only a second response breaks it; a priming event after a replayed response is no message, and other
    # messages after the response are response-terminates' business (a SHOULD).
    n = 0
    for call in d.calls:
        for x in call.xs:
            got = [e.seq for e in messages(d.events.get(x, [])) if is_response(e.message, call.rpc_id)]
            if not got:
                continue
            n += 1
            if len(got) > 1:
                return out.fail(f"call {call.rpc_id}: the response was duplicated: {len(got)} on one stream", got)
    return out.ok(f"{n} stream(s) with one response") if n else out.unseen("no response on an SSE stream")


@check("response-terminates", requirement="http.post.response-terminates", revisions=BOTH, level="SHOULD",
       spec=f"{T25} § Sending Messages to the Server: after the JSON-RPC response has been sent, the server SHOULD "
            "terminate the SSE stream; 2026-07-28_basic_transports_streamable-http.mdx § Receiving Messages: the "
            "final JSON-RPC response SHOULD terminate the stream")
def response_terminates(d: Derived, out: Outcome) -> Verdict:
    n, late = 0, []
    for call in d.calls:
        for x in call.xs:
            evs, end = messages(d.events.get(x, [])), d.ends.get(x)
            idx = [i for i, e in enumerate(evs) if is_response(e.message, call.rpc_id)]
            if not idx or end is None:
                continue
            n += 1
            after = [e for e in evs[idx[0] + 1:] if not is_response(e.message, call.rpc_id)]
            if after:
                late.append((call, f"{len(after)} message(s) followed its response on the stream",
                             [evs[idx[0]].seq] + [e.seq for e in after[:8]]))
            elif end.reason == "held-open":
                late.append((call, f"the stream stayed open after its response ({end.detail})", [evs[idx[0]].seq, end.seq]))
    if late:
        call, why, witness = late[0]
        return out.fail(f"call {call.rpc_id}: {why}" + (f" (+{len(late) - 1} more)" if len(late) > 1 else ""), witness)
    return out.ok(f"{n} stream(s) ended with their response") if n else out.unseen("no response on an SSE stream")


@check("eventually-response", requirement="http.post.eventually-response", revisions=BOTH, level="SHOULD",
       spec=f"{T25} § Sending Messages to the Server: the SSE stream SHOULD eventually include a JSON-RPC "
            "response for the JSON-RPC request sent in the POST body")
def eventually_response(d: Derived, out: Outcome) -> Verdict:
    faults = breaking_fault_seqs(d.h)

    def followed(c: Any) -> bool:
        if d.response_of(c) is not None:
            return True
        refused = d.responses.get(c.xs[-1])
        if refused is not None and 400 <= refused.status < 500:
            return False  # refused at the HTTP level (no session: the harness's cut lost its initialize): no stream
        end = d.ends.get(c.xs[-1])
        if end is None:
            return False
        if end.reason in ("error", "reset"):  # broken by the nemesis: that is the point, not a finding
            return not any(s < end.seq for s in faults)
        if end.reason == "timeout" and held_by_nemesis(d.h, c.request.seq, end.seq):
            return False  # a blackhole held over its way: the client's read timeout is the scenario's
        return end.reason in ("eof", "timeout", "limit")

    waited = [c for c in d.tool_calls() if followed(c)]
    if not waited:
        return out.unseen("no tool call was followed to its end")
    bad = [c for c in waited if d.response_of(c) is None]
    if bad:
        c = bad[0]
        return out.fail(f"call {c.rpc_id} ({c.client}) ended ({d.ends[c.xs[-1]].reason}) without a response",
                        [c.request.seq, d.ends[c.xs[-1]].seq])
    return out.ok(f"{len(waited)} tool call(s) got their response")


@check("disconnect-not-cancel", requirement="http.disconnect.not-cancel", revisions=R25, level="SHOULD NOT",
       spec=f"{T25} § Sending Messages to the Server: disconnection SHOULD NOT be interpreted as the client "
            "cancelling its request")
def disconnect_not_cancel(d: Derived, out: Outcome) -> Verdict:
    cut = [c for c in _resumed(d) if d.ends.get(c.xs[0]) is not None and d.ends[c.xs[0]].reason != "eof"]
    if not cut:
        return out.unseen("no cut call was resumed")
    for c in cut:
        if d.spans_restart(c):
            continue  # a crash, not a disconnect, ended it (the server may answer "interrupted")
        resp = d.response_of(c)
        if resp is not None and "error" in resp:
            return out.fail(f"call {c.rpc_id} was cancelled by the disconnect: {resp['error'].get('message')}",
                            [d.ends[c.xs[0]].seq, d.response_seq(c) or c.request.seq])
    return out.ok(f"{len(cut)} cut call(s) still produced their result")


@check("disconnect-is-cancel", requirement="http.disconnect.is-cancel", revisions=R26, level="MUST",
       spec="2026-07-28_basic_transports_streamable-http.mdx § Cancellation: the server MUST treat the closing "
            "of a response stream as cancellation of the request")
def disconnect_is_cancel(d: Derived, out: Outcome) -> Verdict:
    notes = [n for n in d.notes if n.text == "effect"]
    if not notes:
        return out.unseen("no effect was measured around a cut call")
    late = ""
    judged = 0
    since = -1  # each measure judges the calls after the one before it
    for n in notes:
        before, after = n.data.get("before"), n.data.get("after")
        if not isinstance(before, int) or not isinstance(after, int):
            return out.unseen("the effect tool did not report a count")
        too_late = _why_unjudged(d, since, n.seq)
        since = n.seq
        if too_late:
            late = too_late
            continue
        judged += 1
        if after - before > n.data.get("completed_calls", 1):
            return out.fail(f"the cut call still completed: {after - before} runs counted for "
                            f"{n.data.get('completed_calls', 1)} completed call(s)", [n.seq])
    if not judged:
        return out.unseen(late)
    return out.ok("the cut call's effect never happened")


def _why_unjudged(d: Derived, after_seq: int, before_seq: int) -> str:
    """Why the calls between `after_seq` and `before_seq` prove nothing about a cancellation ("" if they do): no
    call's first stream closed before its response (the call to cut carried its response before the event it was to
    be cut after: a server that sends no progress on the call's stream), or the last one the client cut was cut
    later than half the time an undisturbed call of its tool took from its request to its response (the client saw
    the stream late, e.g. on a loaded machine: the server had done most of the work before the cut could reach it).
    A stream the nemesis closed is judged as it is (scenarios/library/faults.py strike_effect sees to its timing)."""
    calls = [c for c in d.tool_calls() if c.request.seq < before_seq]
    closed = [c for c in calls if c.request.seq > after_seq and d.ends.get(c.xs[0]) is not None
              and ((seq := d.response_seq(c)) is None or getattr(d.h.records[seq], "x", None) != c.xs[0])]
    if not closed:
        return "no call was cut before the effect was counted: the stream of the call to cut carried its response"
    cut = [c for c in closed if d.ends[c.xs[0]].reason == "cut"]
    if not cut:
        return ""
    c = cut[-1]
    taken = [d.h.records[seq].t - b.request.t for b in calls
             if b.tool == c.tool and b.request.seq < c.request.seq and (seq := d.response_seq(b)) is not None]
    if not taken:
        return ""
    lead = d.ends[c.xs[0]].t - c.request.t
    if lead <= taken[-1] / 2:
        return ""
    return (f"the cut landed {lead:.3f} s after its request; an undisturbed call of the tool took {taken[-1]:.3f} s: "
            f"too late to tell a cancellation from a completion")
