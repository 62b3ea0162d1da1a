"""2026-07-28: the server's identity in results, and malformed multi-round-trip retries (SEP-2575, SEP-2322)."""

from __future__ import annotations

from typing import Any

from harness.checks.model import Derived
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import META_PREFIX, Revision

R26 = (Revision.R2026,)
SERVER_INFO = f"{META_PREFIX}serverInfo"
ROUND_METHODS = ("tools/call", "prompts/get", "resources/read")


@check("server-info-2026", requirement="ver.server-info", revisions=R26, level="SHOULD",
       spec="2026-07-28_basic_index.mdx § _meta (Per-response protocol fields): Servers SHOULD include the "
            "following io.modelcontextprotocol/* field in every result's _meta, unless specifically configured "
            "not to do so, to identify themselves without relying on any prior connection state: "
            "io.modelcontextprotocol/serverInfo (Implementation: server name and version)")
def server_info(d: Derived, out: Outcome) -> Verdict:
    """Read on every server/discover result (the one result every 2026 client gets first)."""
    seen = 0
    for c in d.calls:
        if c.method != "server/discover":
            continue
        resp = d.response_of(c)
        result = (resp or {}).get("result")
        if not isinstance(result, dict):
            continue
        seen += 1
        info = (result.get("_meta") or {}).get(SERVER_INFO) if isinstance(result.get("_meta"), dict) else None
        wit = [c.request.seq, d.response_seq(c) or 0]
        if not isinstance(info, dict):
            where = " (only as the pre-#3002 top-level serverInfo)" if "serverInfo" in result else ""
            return out.fail(f"the server/discover result's _meta has no {SERVER_INFO}{where}", wit)
        empty = [k for k in ("name", "version") if not isinstance(info.get(k), str) or not info[k].strip()]
        if empty:
            return out.fail(f"{SERVER_INFO} in the server/discover result has no {' or '.join(empty)}: {info}", wit)
    return out.ok(f"{seen} server/discover result(s) name the server") if seen else out.unseen("no server/discover result")


def _malformed(params: dict[str, Any]) -> str | None:
    """What makes a retry's round fields unreadable: `inputResponses` not an object (null, a number, a list)."""
    if "inputResponses" in params and not isinstance(params["inputResponses"], dict):
        return f"inputResponses {type(params['inputResponses']).__name__ if params['inputResponses'] is not None else 'null'}"
    return None


def _bad_values(params: dict[str, Any]) -> list[str]:
    responses = params.get("inputResponses")
    if not isinstance(responses, dict):
        return []
    return [k for k, v in responses.items() if not isinstance(v, dict)]


@check("mrtr-validate-input", requirement="mrtr.validate-input", revisions=R26, level="SHOULD",
       spec="2026-07-28_basic_patterns_mrtr.mdx § Error Handling: Servers SHOULD validate that the data provided by "
            "the client is a valid InputResponses object and that the information inside can be correctly parsed. "
            "Protocol errors (malformed JSON, invalid schema, internal server errors) SHOULD return a JSON-RPC "
            "error response with an appropriate error code and message.")
def mrtr_validate_input(d: Derived, out: Outcome) -> Verdict:
    """`inputResponses` that is not an object is no InputResponses at all: a JSON-RPC error is due, a result
    (complete or another InputRequiredResult) is not. A response value that is not an object is unreadable
    input for its key: an error or asking again (§ Error Handling: missing information is re-requested) are
    both fine (so is a tool error), a complete result is not."""
    probes = 0
    for c in d.calls:
        if c.method not in ROUND_METHODS:
            continue
        problem, bad_keys = _malformed(c.params), _bad_values(c.params)
        if problem is None and not bad_keys:
            continue
        resp = d.response_of(c)
        if resp is None:
            continue  # no answer at all: harness.outcome.determinate says so
        probes += 1
        result = resp.get("result")
        if not isinstance(result, dict):
            continue  # a JSON-RPC error: what the rule asks
        wit = [c.request.seq, d.response_seq(c) or 0]
        kind = result.get("resultType", "complete")
        if problem is not None:
            return out.fail(f"a {c.method} with {problem} was answered with a result (resultType {kind}), "
                            "not a JSON-RPC error", wit)
        if kind != "input_required" and not result.get("isError"):
            return out.fail(f"a {c.method} whose inputResponses {', '.join(bad_keys)} are not objects was "
                            "completed with them", wit)
    return out.ok(f"{probes} malformed round(s) refused or asked again") if probes else \
        out.unseen("no malformed inputResponses was sent and answered")
