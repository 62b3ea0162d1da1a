"""A call's result is its own: a result that names another request's effect job answered someone else's call
(a response cache keyed by request id alone, two sessions sharing a stream). `faultline load` marks every
client's job; any history whose effect tool echoes its `job` is judged the same way."""

from __future__ import annotations

from typing import Any

from harness.checks.model import Derived
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import ALL


def _echoed_job(response: dict[str, Any] | None) -> Any:
    result = (response or {}).get("result")
    content = result.get("structuredContent") if isinstance(result, dict) else None
    return content.get("job") if isinstance(content, dict) else None


@check("result-is-its-own", requirement="load.isolation", revisions=ALL, level="implied (MUST NOT)",
       spec="JSON-RPC 2.0 § 5: the response answers the request whose id it carries; 2025-11-25_basic_transports"
            ".mdx § Multiple Connections: each message goes to one stream (never another session's)")
def result_is_its_own(d: Derived, out: Outcome) -> Verdict:
    judged, bad = 0, []
    for call in d.tool_calls():
        asked = ((call.params or {}).get("arguments") or {}).get("job")
        got = _echoed_job(d.response_of(call))
        if not isinstance(asked, str) or not isinstance(got, str):
            continue
        judged += 1
        if got != asked:
            bad.append((call, got))
    if bad:
        call, got = bad[0]
        seq = d.response_seq(call)
        more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
        return out.fail(f"call {call.rpc_id} ({call.client}) asked for job {call.params['arguments']['job']!r} and "
                        f"got the result of job {got!r}: another request's response{more}",
                        [call.request.seq] + ([seq] if seq is not None else []))
    return out.ok(f"{judged} result(s), each naming its own job") if judged \
        else out.unseen("no result echoed the effect job it was asked for")
