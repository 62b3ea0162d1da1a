"""2026-07-28: the server's identity in results, every result's `resultType`, and the multi-round-trip rounds
(SEP-2575, SEP-2322): where an InputRequiredResult may come, its shape, the last message of its SSE stream, and
what a retry with malformed or missing input responses is answered with."""

from __future__ import annotations

from typing import Any

from harness.checks.model import Call, Derived
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import META_PREFIX, Revision, declares_tasks
from mcp_wire.jsonrpc import is_response

R26 = (Revision.R2026,)
SERVER_INFO = f"{META_PREFIX}serverInfo"
ROUND_METHODS = ("tools/call", "prompts/get", "resources/read")
INPUT_METHODS = ("elicitation/create", "sampling/createMessage", "roots/list")
CORE_RESULT_TYPES = ("complete", "input_required")
MRTR = "2026-07-28_basic_patterns_mrtr.mdx"


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


def _results(d: Derived) -> list[tuple[Call, int, dict[str, Any]]]:
    """(call, seq of its response, result) of every request answered with a result."""
    out = []
    for c in d.calls:
        resp = d.response_of(c)
        if isinstance((resp or {}).get("result"), dict):
            out.append((c, d.response_seq(c) or 0, resp["result"]))  # type: ignore[index]
    return out


def _rounds(d: Derived) -> list[tuple[Call, int, dict[str, Any]]]:
    return [(c, seq, r) for c, seq, r in _results(d) if r.get("resultType") == "input_required"]


@check("result-type-2026", requirement="rpc.result-type", revisions=R26, level="MUST",
       spec="2026-07-28_basic_index.mdx § Result Responses: The `result` MUST include a `resultType` field to "
            "indicate the type of the result. § ResultType: The set of supported ResultType values MUST be created "
            "from the set defined in the core protocol and include any additional values of supported extensions "
            "that are advertised via capabilities.")
def result_type(d: Derived, out: Outcome) -> Verdict:
    """Every result of every request: `complete` or `input_required`, or `task` on a request whose capabilities
    declared the tasks extension (the one extension value Faultline knows)."""
    found = _results(d)
    for c, seq, result in found:
        kind = result.get("resultType")
        allowed = CORE_RESULT_TYPES + (("task",) if declares_tasks(c.params) else ())
        if kind is None:
            return out.fail(f"the {c.method} result has no resultType", [c.request.seq, seq])
        if kind not in allowed:
            why = " (the request did not declare the tasks extension)" if kind == "task" else ""
            return out.fail(f"the {c.method} result has resultType {kind!r}, not one of {', '.join(allowed)}{why}",
                            [c.request.seq, seq])
    return out.ok(f"{len(found)} result(s), each with its resultType") if found else out.unseen("no result")


@check("mrtr-allowed-methods", requirement="mrtr.allowed-methods", revisions=R26, level="MUST NOT",
       spec=f"{MRTR} § Supported Requests: Servers MAY send InputRequiredResult responses on the following client "
            "requests: prompts/get, resources/read, tools/call. Servers MUST NOT send InputRequiredResult responses "
            "on any other client requests.")
def mrtr_allowed_methods(d: Derived, out: Outcome) -> Verdict:
    others = [(c, seq, r) for c, seq, r in _results(d) if c.method not in ROUND_METHODS]
    for c, seq, result in others:
        if result.get("resultType") == "input_required":
            return out.fail(f"{c.method} was answered with an InputRequiredResult", [c.request.seq, seq])
    return out.ok(f"{len(others)} result(s) of other methods, none input_required") if others else \
        out.unseen("no result of a method outside tools/call, prompts/get, resources/read")


def _shape_problem(result: dict[str, Any]) -> str | None:
    if "inputRequests" not in result and "requestState" not in result:
        return "has neither inputRequests nor requestState"
    if "requestState" in result and not isinstance(result["requestState"], str):
        return f"has a requestState that is no string ({type(result['requestState']).__name__})"
    requests = result.get("inputRequests", {})
    if not isinstance(requests, dict):
        return f"has inputRequests that is no object ({type(requests).__name__})"
    for key, req in requests.items():
        method = req.get("method") if isinstance(req, dict) else None
        if method not in INPUT_METHODS:
            return f"asks {key!r} with {method!r}, not one of {', '.join(INPUT_METHODS)}"
        if method != "roots/list" and not isinstance(req.get("params"), dict):
            return f"asks {key!r} ({method}) without params"
    return None


@check("mrtr-shape", requirement="mrtr.shape", revisions=R26, level="MUST",
       spec=f"{MRTR} § Server Requirements (Basic Workflow): inputRequests values are request objects that MUST be "
            "one of ElicitRequest, CreateMessageRequest, or ListRootsRequest ... Servers MUST include at least one "
            "of inputRequests or requestState in every InputRequiredResult response. (requestState: an opaque "
            "string)")
def mrtr_shape(d: Derived, out: Outcome) -> Verdict:
    rounds = _rounds(d)
    for c, seq, result in rounds:
        problem = _shape_problem(result)
        if problem is not None:
            return out.fail(f"the InputRequiredResult of {c.method} {c.params.get('name', '')!r} {problem}",
                            [c.request.seq, seq])
    return out.ok(f"{len(rounds)} InputRequiredResult(s), each well formed") if rounds else \
        out.unseen("no InputRequiredResult")


@check("mrtr-sse-last", requirement="mrtr.sse-last", revisions=R26, level="MUST NOT",
       spec="sep-2322-MRTR.md § Protocol Requirements for Ephemeral Workflow: If using an SSE stream, servers MUST "
            "NOT send any message on the stream after the incomplete response message.")
def mrtr_sse_last(d: Derived, out: Outcome) -> Verdict:
    seen = 0
    for c in d.calls:
        for x in c.xs:
            evs = d.events.get(x, [])
            at = next((i for i, e in enumerate(evs) if is_response(e.message, c.rpc_id)
                       and ((e.message or {}).get("result") or {}).get("resultType") == "input_required"), None)
            if at is None:
                continue
            seen += 1
            after = [e for e in evs[at + 1:] if e.message is not None or e.data.strip()]
            if after:
                what = (after[0].message or {}).get("method") if isinstance(after[0].message, dict) else None
                return out.fail(f"{c.method} {c.params.get('name', '')!r}: {what or 'a message'} followed the "
                                "InputRequiredResult on its SSE stream", [evs[at].seq, after[0].seq])
    return out.ok(f"{seen} InputRequiredResult(s) on SSE, each the stream's last message") if seen else \
        out.unseen("no InputRequiredResult arrived on an SSE stream")


def _target(c: Call) -> tuple[str, Any, Any]:
    return c.client, c.method, c.params.get("name", c.params.get("uri"))


def _round_answered(d: Derived, retry: Call) -> dict[str, Any] | None:
    """The InputRequiredResult `retry` answers: the latest earlier round of the same client, method and
    tool/prompt/URI with the same requestState (none when the retry carries none)."""
    state = retry.params.get("requestState")
    best = None
    for c, seq, result in _rounds(d):
        if seq < retry.request.seq and _target(c) == _target(retry) and result.get("requestState") == state:
            best = result
    return best


def _is_error(resp: dict[str, Any] | None) -> str | None:
    if resp is None:
        return None
    if "error" in resp:
        return f"JSON-RPC error {(resp.get('error') or {}).get('code')}"
    return "a tool error (isError)" if (resp.get("result") or {}).get("isError") else None


@check("mrtr-missing-input", requirement="mrtr.missing-input", revisions=R26, level="SHOULD",
       spec=f"{MRTR} § Error Handling: If the client fails to send all the information requested in a previous "
            "InputRequests, and the missing information is necessary for the server to process the request, the "
            "server SHOULD respond with a new InputRequiredResult requesting the missing information again, rather "
            "than returning an error. If additional, unexpected parameters are provided in the InputResponses "
            "object, the server SHOULD ignore any information it does not recognize or need.")
def mrtr_missing_input(d: Derived, out: Outcome) -> Verdict:
    """A retry lacking a response its round asked for: another InputRequiredResult (or a result that did not need
    it), not an error. A retry with every asked response and an unknown extra one: not an error."""
    probes = 0
    for c in d.calls:
        if c.method not in ROUND_METHODS or _malformed(c.params) is not None:
            continue
        if "requestState" not in c.params and "inputResponses" not in c.params:
            continue  # a first round
        answered = _round_answered(d, c)
        if answered is None:
            continue
        asked = set(answered.get("inputRequests") or {})
        given = set(c.params.get("inputResponses") or {})
        missing, extra = sorted(asked - given), sorted(given - asked)
        if not missing and not extra:
            continue
        resp = d.response_of(c)
        if resp is None:
            continue  # unanswered: harness.outcome.determinate says so
        probes += 1
        error = _is_error(resp)
        if error is None:
            continue
        wit = [c.request.seq, d.response_seq(c) or 0]
        if missing:
            return out.fail(f"a retry of {c.params.get('name', c.method)!r} without the response(s) "
                            f"{', '.join(missing)} got {error}, not a new InputRequiredResult", wit)
        return out.fail(f"a retry of {c.params.get('name', c.method)!r} with every asked response and the unknown "
                        f"extra {', '.join(extra)} got {error}: unknown input responses are to be ignored", wit)
    return out.ok(f"{probes} retry(ies) with missing or extra input responses, none refused") if probes else \
        out.unseen("no retry left out an asked input response or added an unknown one")


def _without_meta(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != "_meta"}


@check("mrtr-resend", requirement="harness.mrtr.resend", revisions=R26, level="implied (SHOULD)",
       spec=f"{MRTR} § Basic Workflow: the requests in each step are completely independent: the server processing "
            "the retry does not need any information beyond what is directly present in the retry request; "
            "2026-07-28_basic_patterns_cancellation.mdx § Transport-Specific Cancellation: Closing the SSE response "
            "stream is the cancellation signal. The server MUST treat a client disconnect as cancellation of that "
            "request.")
def mrtr_resend(d: Derived, out: Outcome) -> Verdict:
    """A retry whose first copy got no response (the client closed its stream: a cancellation; or the network
    lost it) and that the client sends again unchanged (new id, same inputResponses and requestState) is served
    as the first copy would have been: not refused with a JSON-RPC error, as if the lost copy had used it up."""
    lost = [c for c in d.calls if c.method in ROUND_METHODS and d.response_of(c) is None and d.abandoned(c)
            and ("requestState" in c.params or "inputResponses" in c.params) and _malformed(c.params) is None]
    resent = 0
    for first in lost:
        again = next((c for c in d.calls if c.request.seq > first.request.seq and c.method == first.method
                      and _without_meta(c.params) == _without_meta(first.params)), None)
        resp = d.response_of(again) if again is not None else None
        if again is None or resp is None:
            continue
        resent += 1
        if "error" in resp:
            how = "its stream was closed (a cancellation)" if d.closed_by_client(first.xs[-1]) else "it was lost"
            return out.fail(f"a retry of {first.params.get('name', first.method)!r} re-sent unchanged after {how} "
                            f"was refused: JSON-RPC error {(resp.get('error') or {}).get('code')} "
                            f"{(resp.get('error') or {}).get('message', '')!r}",
                            [first.request.seq, again.request.seq, d.response_seq(again) or 0])
    return out.ok(f"{resent} retry(ies) re-sent after a cancellation or a loss, each served") if resent else \
        out.unseen("no retry was re-sent after its first copy went unanswered")
