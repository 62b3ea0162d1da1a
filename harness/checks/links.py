"""A resource link a tool returned can be read by the client (tools.resource-link.fetchable)."""

from __future__ import annotations

from typing import Any

from harness.checks.model import Derived
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import ALL


def _links(result: Any) -> list[str]:
    content = result.get("content") if isinstance(result, dict) else None
    return [b["uri"] for b in content or [] if isinstance(b, dict) and b.get("type") == "resource_link"
            and isinstance(b.get("uri"), str)]


@check("resource-link-fetchable", requirement="tools.resource-link.fetchable", revisions=ALL,
       level="implied (SHOULD)",
       spec="2025-11-25_server_tools.mdx / 2026-07-28_server_tools.mdx § Resource Links: \"the tool will return "
            "a URI that can be subscribed to or fetched by the client\"")
def resource_link_fetchable(d: Derived, out: Outcome) -> Verdict:
    returned: dict[str, int] = {}  # uri -> where a tool result first carried it
    for call in d.tool_calls():
        seq = d.response_seq(call)
        for link in _links((d.response_of(call) or {}).get("result")):
            if seq is not None:
                returned.setdefault(link, seq)
    if not returned:
        return out.unseen("no tool returned a resource link")
    read, failed = 0, []  # failed: (uri, error message, witness) per read that answered an error
    for call in d.calls:
        uri = call.params.get("uri") if call.method == "resources/read" else None
        if not isinstance(uri, str) or uri not in returned or call.request.seq < returned[uri]:
            continue
        response, seq = d.response_of(call), d.response_seq(call)
        if response is None or seq is None:
            continue  # no answer (a cut, the network down): no evidence either way
        read += 1
        if "error" in response:
            error = response["error"] if isinstance(response["error"], dict) else {}
            failed.append((uri, error.get("message"), [returned[uri], call.request.seq, seq]))
    if failed:
        uri, message, witness = failed[0]
        return out.fail(f"{len(failed)} of {read} reads of a returned resource link failed: resources/read {uri} "
                        f"answered an error ({message!r})", [s for _, _, w in failed for s in w] or witness)
    if not read:
        return out.unseen(f"the client read none of the {len(returned)} resource link(s) a tool returned")
    return out.ok(f"{read} read(s) of {len(returned)} returned resource link(s) answered")
