"""Transport probes: a deliberate mistake each, and the status the spec requires for it."""

from __future__ import annotations

from harness.checks.model import Derived
from harness.checks.registry import Outcome, check
from harness.history import End, Response, Verdict
from harness.revisions import Revision

R25 = (Revision.R2025,)
BOTH = (Revision.R2025, Revision.R2026)
T25 = "2025-11-25_basic_transports.mdx"


def _unreached(what: str, resp: Response | None, end: End | None) -> str | None:
    """Why a probe is not judged: no HTTP answer, the exchange broken at the transport (refused, closed or reset
    before any byte), so it may never have reached the server (a harness that could not connect under load;
    call-determinate reports the unknown outcome as ERROR). A probe left unanswered until its deadline is judged."""
    if resp is None and end is not None and end.reason in ("error", "reset"):
        return f"the {what} probe got no HTTP response ({end.detail or end.reason}): nothing to judge"
    return None


def _probe(d: Derived, out: Outcome, purpose: str, want: int, what: str) -> Verdict:
    xs = [x for x, r in d.requests.items() if r.purpose == purpose]
    if not xs:
        return out.unseen(f"no {what} probe was sent")
    for x in xs:
        resp, end = d.responses.get(x), d.ends.get(x)
        if why := _unreached(what, resp, end):
            return out.unseen(why)
        if resp is None or resp.status != want:
            got = resp.status if resp else (end.reason if end else "nothing")
            return out.fail(f"{what}: expected HTTP {want}, got {got}",
                            [d.requests[x].seq] + ([resp.seq] if resp else []) + ([end.seq] if end else []))
    return out.ok(f"{what}: {want}")


@check("terminated-session-404", requirement="http.session.terminated-404", revisions=R25, level="MUST",
       spec=f"{T25} § Session Management: the server MUST respond to requests containing a terminated session "
            "ID with HTTP 404 Not Found")
def terminated_404(d: Derived, out: Outcome) -> Verdict:
    return _probe(d, out, "after-delete", 404, "request after DELETE")


@check("missing-session-400", requirement="http.session.missing-400", revisions=R25, level="SHOULD",
       spec=f"{T25} § Session Management: servers that require a session ID SHOULD respond to requests "
            "without an Mcp-Session-Id header with HTTP 400 Bad Request")
def missing_400(d: Derived, out: Outcome) -> Verdict:
    return _probe(d, out, "missing-session", 400, "request without Mcp-Session-Id")


@check("invalid-version-400", requirement="http.version.invalid-400", revisions=R25, level="MUST",
       spec=f"{T25} § Protocol Version Header: if the server receives a request with an invalid or unsupported "
            "MCP-Protocol-Version, it MUST respond with 400 Bad Request")
def invalid_version(d: Derived, out: Outcome) -> Verdict:
    return _probe(d, out, "bad-version", 400, "unsupported MCP-Protocol-Version")


@check("origin-403", requirement="http.origin.reject-403", revisions=BOTH, level="MUST",
       spec=f"{T25} § Security Warning: if the Origin header is present and invalid, servers MUST respond with "
            "HTTP 403 Forbidden")
def origin_403(d: Derived, out: Outcome) -> Verdict:
    xs = [x for x, r in d.requests.items() if r.purpose == "bad-origin"]
    if not xs:
        return out.unseen("no non-local Origin probe was sent")
    for x in xs:
        resp, end = d.responses.get(x), d.ends.get(x)
        if why := _unreached("non-local Origin", resp, end):
            return out.unseen(why)
        if resp is not None and resp.status == 403:
            continue
        wit = [d.requests[x].seq] + ([resp.seq] if resp else []) + ([end.seq] if end else [])
        got = resp.status if resp else (end.reason if end else "nothing")
        if resp is not None and resp.status < 400:  # served: the Origin was not checked at all
            return out.fail(f"non-local Origin: expected HTTP 403, got {got} (the request was served)", wit)
        # Refused, but not with 403: an Origin check answering the wrong status, or a refusal for another reason.
        # Only the same request without the Origin (the control) tells which.
        controls = [c for c, r in d.requests.items() if r.purpose == "origin-control" and r.seq < d.requests[x].seq]
        ctl = d.responses.get(controls[-1]) if controls else None
        if ctl is None or ctl.status >= 400:
            seen = f"was answered {ctl.status}" if ctl is not None else "was not sent" if not controls else "got no answer"
            return out.unseen(f"the non-local Origin probe got {got}, and the same request without the Origin {seen}: "
                              "the refusal need not be about the Origin")
        return out.fail(f"non-local Origin: expected HTTP 403, got {got} (the same request without it: {ctl.status})",
                        wit + [ctl.seq])
    return out.ok("non-local Origin: 403")
