"""Checks on how each request was answered at the HTTP level, and Jepsen's rule for the rest:
an outcome the harness could not determine is reported as ERROR, never as a pass."""

from __future__ import annotations

from typing import Any

from harness.checks.model import Call, Derived, breaking_fault_seqs, held_by_nemesis
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import Revision

BOTH = (Revision.R2025, Revision.R2026)
MEDIA_OK = ("text/event-stream", "application/json")


@check("request-content-type", requirement="http.post.request-content-type", revisions=BOTH, level="MUST",
       spec="2025-11-25_basic_transports.mdx § Sending Messages to the Server (5); 2026-07-28_basic_transports_"
            "streamable-http.mdx § Sending Messages: if the input is a JSON-RPC request, the server MUST either "
            "return Content-Type: text/event-stream, to initiate an SSE stream, or Content-Type: application/json, "
            "to return one JSON object")
def request_content_type(d: Derived, out: Outcome) -> Verdict:
    """2xx and 5xx answers to a POSTed request. 4xx are the spec's own refusals (400/403/404/405, whose
    body MAY be a JSON-RPC error) and 3xx are left to `call-determinate`."""
    n = 0
    for call in d.calls:
        x = call.xs[0]
        resp = d.responses.get(x)
        if resp is None or 300 <= resp.status < 500:
            continue
        n += 1
        wit = [call.request.seq, resp.seq]
        media = resp.content_type or "(none)"
        if media not in MEDIA_OK:
            excerpt = f": {resp.body_text[:60]!r}" if resp.body_text else ""
            return out.fail(f"{call.method} (id {call.rpc_id}) was answered {resp.status} with Content-Type {media}, "
                            f"not application/json or text/event-stream{excerpt}", wit)
        if media == "application/json" and 200 <= resp.status < 300:
            body = resp.body
            if not isinstance(body, dict) or body.get("id") != call.rpc_id or not ("result" in body or "error" in body):
                what = "not JSON" if body is None else f"not a JSON-RPC response for id {call.rpc_id!r}"
                return out.fail(f"{call.method} (id {call.rpc_id}) was answered {resp.status} application/json "
                                f"whose body is {what}", wit)
    return out.ok(f"{n} request(s) answered with JSON or SSE") if n else out.unseen("no POSTed request was answered")


def _abandoned(d: Derived, call: Call) -> bool:
    """The scenario gave up on this call on purpose: the client cut it, or the nemesis broke it."""
    if call.method == "subscriptions/listen":
        return True  # open-ended by design: its response only comes when the subscription is torn down
    end = d.ends.get(call.xs[-1])
    if end is None or end.reason in ("cut", "client-close", "held-open"):
        return True
    if end.reason in ("error", "reset"):
        return any(s < end.seq for s in breaking_fault_seqs(d.h))
    return end.reason == "timeout" and held_by_nemesis(d.h, call.request.seq, end.seq)


@check("call-determinate", requirement="harness.outcome.determinate", revisions=BOTH, level="MUST",
       spec="Faultline's rule (after Jepsen): a request the client waited on ends with a response or an HTTP "
            "status it can act on; any other end leaves the server's outcome unknown and is reported ERROR")
def call_determinate(d: Derived, out: Outcome) -> Verdict:
    waited = [c for c in d.calls if not _abandoned(d, c)]
    if not waited:
        return out.unseen("the client waited on no request to its end")
    bad: list[tuple[Call, str, list[int]]] = []
    for call in waited:
        if d.response_of(call) is not None:
            continue
        resp = d.responses.get(call.xs[-1])
        end = d.ends[call.xs[-1]]
        wit = [call.request.seq] + ([resp.seq] if resp is not None else []) + [end.seq]
        if resp is not None and 300 <= resp.status < 400:
            loc = resp.headers.get("location", "?")
            bad.append((call, f"answered {resp.status} redirect to {loc}; Faultline does not follow redirects, so "
                              "the call's outcome is unknown (point the target at the final URL)", wit))
        elif resp is not None and resp.status >= 400:
            continue  # an HTTP refusal is an answer; the status checks judge it
        else:
            how = f"{end.reason}" + (f" ({end.detail})" if end.detail else "")
            bad.append((call, f"ended {how} with no response: its outcome is unknown", wit))
    if bad:
        call, why, wit = bad[0]
        more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
        return _indeterminate(out, f"{call.method} (id {call.rpc_id}, client {call.client}) {why}{more}", wit)
    return out.ok(f"{len(waited)} request(s) each ended with a response or an HTTP error status")


def _indeterminate(out: Outcome, message: str, witness: list[Any]) -> Verdict:
    v = out.fail(message, witness)
    v.status = "ERROR"
    return v
