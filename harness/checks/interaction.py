"""Elicitation, sampling and multi-round-trip requests (MRTR)."""

from __future__ import annotations

from typing import Any

from harness.checks.model import Derived, nemesis_broke
from harness.checks.registry import Outcome, check
from harness.history import Note, Verdict
from harness.revisions import META_CLIENT_CAPABILITIES, Revision

R25 = (Revision.R2025,)
R26 = (Revision.R2026,)
BOTH = R25 + R26


def _server_requests(d: Derived) -> list[tuple[int, str, dict[str, Any], Any]]:
    """(seq, method, params, exchange) of every server->client request: pushed or in inputRequests."""
    out = []
    for x, evs in d.events.items():
        for e in evs:
            m = e.message
            if isinstance(m, dict) and "method" in m and "id" in m:
                out.append((e.seq, m["method"], m.get("params") or {}, x))
    for x, resp in d.responses.items():
        bodies = [resp.body] + [e.message for e in d.events.get(x, [])]
        for b in bodies:
            res = b.get("result") if isinstance(b, dict) else None
            if isinstance(res, dict) and res.get("resultType") == "input_required":
                for req in (res.get("inputRequests") or {}).values():
                    if isinstance(req, dict):
                        out.append((resp.seq, str(req.get("method")), req.get("params") or {}, x))
    return out


@check("elicit-form-schema", requirement="elicit.form.params", revisions=BOTH, level="MUST",
       spec="2025-11-25_client_elicitation.mdx § Form Mode: requests MUST include requestedSchema")
def elicit_form_schema(d: Derived, out: Outcome) -> Verdict:
    reqs = [r for r in _server_requests(d) if r[1] == "elicitation/create" and r[2].get("mode", "form") == "form"]
    if not reqs:
        return out.unseen("no form elicitation")
    bad = [seq for seq, _, p, _ in reqs if not isinstance(p.get("requestedSchema"), dict) or not p.get("message")]
    return out.fail("a form elicitation without requestedSchema/message", bad) if bad else out.ok()


def _answered_then_ended(d: Derived, out: Outcome, methods: tuple[str, ...], scripts: tuple[str, ...],
                         what: str) -> Verdict:
    calls = [c for c in d.tool_calls() if any(a.method in methods and a.script in scripts for a in c.answers)]
    if not calls:
        return out.unseen(f"no {what} answer was given")
    judged = 0
    for c in calls:
        later = [k for k in d.tool_calls() if k.client == c.client and k.request.seq > c.request.seq
                 and k.tool == c.tool and k.params.get("inputResponses")]
        final = later[0] if later else c
        if d.response_of(final) is None:
            end = d.ends.get(final.xs[-1])
            if nemesis_broke(d.h, c.request.seq, end.seq if end else d.h.records[-1].seq + 1):
                continue  # the nemesis broke the way (a cut, a byte limit, a restart) during the call: not judged
            return out.fail(f"after the {what} answer the call never ended ({end.reason if end else '?'})",
                            [a.seq for a in c.answers] + ([end.seq] if end else []))
        judged += 1
    if not judged:
        return out.unseen(f"every call answered with a {what} was broken by the nemesis before its end")
    return out.ok(f"{judged} call(s) ended after a {what} answer")


@check("elicit-decline-2025", requirement="elicit.decline.2025", revisions=R25, level="implied (SHOULD)",
       spec="2025-11-25_client_elicitation.mdx § Response Actions: servers should handle decline and cancel")
def elicit_decline_2025(d: Derived, out: Outcome) -> Verdict:
    return _answered_then_ended(d, out, ("elicitation/create",), ("decline", "cancel"), "decline/cancel")


@check("elicit-decline-2026", requirement="elicit.decline.2026", revisions=R26, level="MUST",
       spec="2026-07-28_client_elicitation.mdx § Response Actions: the server MUST handle decline and cancel")
def elicit_decline_2026(d: Derived, out: Outcome) -> Verdict:
    return _answered_then_ended(d, out, ("elicitation/create",), ("decline", "cancel"), "decline/cancel")


@check("sampling-rejection", requirement="sampling.rejection", revisions=R25, level="implied (SHOULD)",
       spec="2025-11-25_client_sampling.mdx § Error Handling: servers should handle a rejected request")
def sampling_rejection(d: Derived, out: Outcome) -> Verdict:
    return _answered_then_ended(d, out, ("sampling/createMessage",), ("reject", "error"), "sampling rejection")


def _declared(caps: dict[str, Any], method: str) -> bool:
    key = {"elicitation/create": "elicitation", "sampling/createMessage": "sampling", "roots/list": "roots"}.get(method)
    return key is None or key in (caps or {})


@check("capabilities-respected", requirement="life.capabilities.negotiated", revisions=R25, level="MUST",
       spec="2025-11-25_basic_lifecycle.mdx § Capability Negotiation: both parties MUST only use capabilities "
            "that were successfully negotiated")
def capabilities_respected(d: Derived, out: Outcome) -> Verdict:
    reqs = _server_requests(d)
    if not d.init_caps:
        return out.unseen("no initialize")
    for seq, method, _, x in reqs:
        caps = d.init_caps.get(d.session_of.get(x, ""), d.init_caps.get(f"client:{d.requests[x].client}", {}))
        if not _declared(caps, method):
            return out.fail(f"{method} sent to a client that did not declare it", [seq])
    undeclared = [c for c in d.init_caps.values() if "elicitation" not in c or "sampling" not in c]
    return out.ok() if reqs or undeclared else out.unseen("no server requests")


@check("mrtr-capability", requirement="mrtr.capability", revisions=R26, level="MUST NOT",
       spec="2026-07-28_basic_patterns_mrtr.mdx: servers MUST NOT send input requests for capabilities the "
            "client did not declare")
def mrtr_capability(d: Derived, out: Outcome) -> Verdict:
    reqs = _server_requests(d)
    if not reqs:
        return out.unseen("no input requests")
    for seq, method, _, x in reqs:
        body = d.requests[x].body if isinstance(d.requests[x].body, dict) else {}
        caps = ((body.get("params") or {}).get("_meta") or {}).get(META_CLIENT_CAPABILITIES) or {}
        if not _declared(caps, method):
            return out.fail(f"{method} requested of a client that did not declare it", [d.requests[x].seq, seq])
    return out.ok()


@check("mrtr-state-integrity", requirement="mrtr.state.integrity", revisions=R26, level="MUST",
       spec="2026-07-28_basic_patterns_mrtr.mdx § Request State: servers MUST validate requestState they get back")
def mrtr_state_integrity(d: Derived, out: Outcome) -> Verdict:
    tampered = [n for n in d.notes if isinstance(n, Note) and n.data.get("tampered")]
    if not tampered:
        return out.unseen("no tampered requestState was sent")
    for n in tampered:
        retry = next((c for c in d.tool_calls() if c.request.seq > n.seq), None)
        if retry is None:
            return out.unseen("the tampered retry was not sent")
        resp = d.response_of(retry)
        res = (resp or {}).get("result") or {}
        if resp is not None and "result" in resp and not res.get("isError") and res.get("resultType") != "input_required":
            return out.fail("a tampered requestState was accepted", [n.seq, retry.request.seq, d.response_seq(retry) or 0])
    return out.ok("tampered requestState rejected")


@check("no-server-requests-2026", requirement="http.post.no-server-requests", revisions=R26, level="MUST NOT",
       spec="2026-07-28_basic_transports_streamable-http.mdx § Receiving Messages: the server MUST NOT send "
            "independent JSON-RPC requests on this stream")
def no_server_requests(d: Derived, out: Outcome) -> Verdict:
    pushed = [e.seq for evs in d.events.values() for e in evs
              if isinstance(e.message, dict) and "method" in e.message and "id" in e.message]
    if pushed:
        return out.fail("a JSON-RPC request from the server on a 2026 stream", pushed[:5])
    return out.ok() if d.events else out.unseen("no SSE streams")


