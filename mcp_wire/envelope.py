"""What a client puts around a JSON-RPC request at each revision, over Streamable HTTP.

- 2025-11-25: the session carries the state: `Mcp-Session-Id` (after initialize) and `MCP-Protocol-Version`.
- 2026-07-28: stateless: every request carries `params._meta` with the protocol version, the client's
  capabilities and its identity, and every POST `Mcp-Method` and `Mcp-Name` headers for routing.
"""

from __future__ import annotations

from typing import Any

from mcp_wire.revisions import META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_PROTOCOL_VERSION, Revision

ACCEPT = "application/json, text/event-stream"


def stamp_params(params: dict[str, Any] | None, revision: Revision | str, *, capabilities: dict[str, Any],
                 client_info: dict[str, Any] | None = None, progress_token: Any = None) -> dict[str, Any]:
    """A copy of `params` whose `_meta` carries the progress token and, at 2026-07-28, the protocol
    version, the client's capabilities and (when given) its identity."""
    params = dict(params or {})
    meta = dict(params.get("_meta") or {})
    if progress_token is not None:
        meta["progressToken"] = progress_token
    revision = Revision(revision)
    if revision.traits.envelope_meta:
        meta[META_PROTOCOL_VERSION] = revision.value
        meta[META_CLIENT_CAPABILITIES] = capabilities
        if client_info is not None:
            meta[META_CLIENT_INFO] = dict(client_info)
    if meta:
        params["_meta"] = meta
    return params


def routing_name(params: Any) -> str | None:
    """The `Mcp-Name` of a request: the tool or prompt name, the task id or the resource URI."""
    if not isinstance(params, dict):
        return None
    name = params.get("name") or params.get("taskId") or params.get("uri")
    return name if isinstance(name, str) and name else None


def http_headers(revision: Revision | str, body: Any = None, *, session_id: str | None = None) -> dict[str, str]:
    """The headers of a POST of `body` (or, with no body, a GET) at `revision`."""
    revision = Revision(revision)
    h = {"Accept": ACCEPT, "MCP-Protocol-Version": revision.value}
    if body is not None:
        h["Content-Type"] = "application/json"
    if session_id and revision.traits.has_sessions:
        h["Mcp-Session-Id"] = session_id
    if revision.traits.envelope_meta and isinstance(body, dict) and isinstance(body.get("method"), str):
        h["Mcp-Method"] = body["method"]
        name = routing_name(body.get("params"))
        if name is not None:
            h["Mcp-Name"] = name
    return h
