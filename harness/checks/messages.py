"""Every JSON-RPC message the server sent is a well-formed JSON-RPC 2.0 object."""

from __future__ import annotations

from typing import Any

from harness.checks.model import Derived
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import Revision


def problem(m: Any) -> str | None:
    if not isinstance(m, dict):
        return "not a JSON object"
    if m.get("jsonrpc") != "2.0":
        return "jsonrpc is not \"2.0\""
    if "method" in m:
        if not isinstance(m["method"], str):
            return "method is not a string"
        if "id" in m and (isinstance(m["id"], bool) or not isinstance(m["id"], int | str)):
            return "request id is not a string or integer"
        return None
    if ("result" in m) == ("error" in m):
        return "a response needs exactly one of result and error"
    if "error" in m:
        e = m["error"]
        if not isinstance(e, dict) or isinstance(e.get("code"), bool) or not isinstance(e.get("code"), int) \
                or not isinstance(e.get("message"), str):
            return "error needs an integer code and a string message"
    elif not isinstance(m["result"], dict):
        return "result is not an object"
    return None


@check("rpc-shape", requirement="rpc.shape", revisions=(Revision.R2025, Revision.R2026), level="MUST",
       spec="2025-11-25_basic_lifecycle.mdx (JSON-RPC 2.0 messages): every message MUST follow JSON-RPC 2.0")
def rpc_shape(d: Derived, out: Outcome) -> Verdict:
    n = 0
    for evs in d.events.values():
        for e in evs:
            if e.data == "":
                continue
            n += 1
            why = problem(e.message) if e.message is not None else "data is not JSON"
            if why:
                return out.fail(f"SSE event: {why}", [e.seq])
    for r in d.responses.values():
        if r.content_type == "application/json" and r.body is not None:
            n += 1
            why = problem(r.body)
            if why:
                return out.fail(f"JSON body: {why}", [r.seq])
    return out.ok(f"{n} messages") if n else out.unseen("no messages from the server")
