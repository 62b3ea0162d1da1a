"""Progress notifications: strictly increasing per token, only under the client's token, none after
the response (across resumes: checked on each call's reassembled stream)."""

from __future__ import annotations

from harness.checks.model import Derived, is_progress, is_response, other_session_progress
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import RELATED_TASK, Revision

BOTH = (Revision.R2025, Revision.R2026)
P25 = "2025-11-25_basic_utilities_progress.mdx"


def _for_task(msg: dict) -> bool:
    meta = (msg.get("params") or {}).get("_meta")
    return isinstance(meta, dict) and RELATED_TASK in meta


def _progress_calls(d: Derived) -> list:
    return [c for c in d.calls if any(is_progress(e.message) for e in c.stream)]


@check("progress-monotonic", requirement="progress.monotonic", revisions=BOTH, level="MUST",
       spec=f"{P25} § Behavior Requirements: the progress value MUST increase with each notification")
def progress_monotonic(d: Derived, out: Outcome) -> Verdict:
    calls = _progress_calls(d)
    if not calls:
        return out.unseen("no progress notifications")
    for c in calls:
        last: dict[object, tuple[float, int]] = {}
        for e in c.stream:
            if not is_progress(e.message):
                continue
            p = e.message.get("params") or {}
            tok, val = p.get("progressToken"), p.get("progress")
            if not isinstance(val, int | float):
                return out.fail(f"progress value {val!r} is not a number", [e.seq])
            if tok in last and val <= last[tok][0]:
                return out.fail(f"progress for token {tok!r} went {last[tok][0]} -> {val}", [last[tok][1], e.seq])
            last[tok] = (val, e.seq)
    return out.ok(f"{len(calls)} call(s) with strictly increasing progress")


@check("progress-client-token", requirement="progress.token.active", revisions=BOTH, level="MUST",
       spec=f"{P25} § Behavior Requirements: progress notifications MUST only reference tokens that were "
            "provided in an active request")
def progress_client_token(d: Derived, out: Outcome) -> Verdict:
    calls = _progress_calls(d)
    if not calls:
        return out.unseen("no progress notifications")
    for c in calls:
        for e in c.stream:
            if is_progress(e.message):
                tok = (e.message.get("params") or {}).get("progressToken")
                if c.token is None or tok != c.token:
                    return out.fail(f"call {c.rpc_id} sent token {c.token!r} but got progress under {tok!r}",
                                    [c.request.seq, e.seq])
    return out.ok(f"{len(calls)} call(s), progress only under the client's token")


@check("progress-stops-at-response", requirement="progress.stop-after-completion", revisions=BOTH, level="MUST",
       spec=f"{P25} § Behavior Requirements: progress notifications MUST stop after completion")
def progress_stops(d: Derived, out: Outcome) -> Verdict:
    calls = _progress_calls(d)
    if not calls:
        return out.unseen("no progress notifications")
    for c in calls:
        for x in c.xs:
            done = None
            if other_session_progress(d, d.events.get(x, [])):
                continue  # which response with this id is this session's cannot be told
            for e in d.events.get(x, []):
                if is_response(e.message, c.rpc_id):
                    done = e
                elif done is not None and is_progress(e.message):
                    return out.fail(f"progress after the response of call {c.rpc_id}", [done.seq, e.seq])
    return out.ok(f"{len(calls)} call(s), no progress after the response")


@check("progress-on-request-stream", requirement="http.post.related", revisions=(Revision.R2025,), level="SHOULD",
       spec="2025-11-25_basic_transports.mdx § Sending Messages to the Server: these messages SHOULD relate to "
            "the originating client request (and a request's notifications travel on its own stream)")
def progress_on_request_stream(d: Derived, out: Outcome) -> Verdict:
    owners = {(c.session, c.token): c for c in d.calls if c.token is not None}
    if not owners:
        return out.unseen("no call sent a progress token")
    seen = 0
    for x, evs in d.events.items():
        for e in evs:
            if not is_progress(e.message) or _for_task(e.message):
                continue  # a task's progress outlives its creating request: any stream will do (ambiguity 18)
            seen += 1
            owner = owners.get((d.session_of.get(x, ""), (e.message.get("params") or {}).get("progressToken")))
            if owner is not None and x not in owner.xs:
                return out.fail(f"progress of call {owner.rpc_id} arrived on another stream "
                                f"({d.requests[x].method} {d.requests[x].purpose})", [owner.request.seq, e.seq])
    return out.ok(f"{seen} progress notification(s), each on its request's stream") if seen else \
        out.unseen("no progress notifications")
