"""mcp_wire: the JSON-RPC shapes, the per-revision envelope and the revision table."""

from __future__ import annotations

import pytest

from mcp_wire import jsonrpc
from mcp_wire.envelope import http_headers, stamp_params
from mcp_wire.revisions import ALL, META_CLIENT_CAPABILITIES, META_PROTOCOL_VERSION, TRAITS, Revision


def test_message_kinds():
    req, note, res = jsonrpc.request(7, "ping"), jsonrpc.notification("notifications/x"), jsonrpc.response(7)
    assert [jsonrpc.is_request(m) for m in (req, note, res)] == [True, False, False]
    assert [jsonrpc.is_notification(m) for m in (req, note, res)] == [False, True, False]
    assert jsonrpc.is_response(res, 7) and not jsonrpc.is_response(res, 8) and res["result"] == {}
    assert jsonrpc.is_response(jsonrpc.response(1, error={"code": -1, "message": "x"}))
    assert not any(jsonrpc.is_response(m) for m in (None, [res], {"id": 7}, "x"))


@pytest.mark.parametrize("revision", ALL)
def test_envelope_by_revision(revision):
    params = stamp_params({"name": "t"}, revision, capabilities={"sampling": {}}, progress_token="p")
    body = jsonrpc.request(1, "tools/call", params)
    headers = http_headers(revision, body, session_id="s1")
    assert params["_meta"]["progressToken"] == "p" and headers["MCP-Protocol-Version"] == revision.value
    if revision.traits.has_sessions:
        assert headers["Mcp-Session-Id"] == "s1" and "Mcp-Method" not in headers
        assert META_PROTOCOL_VERSION not in params["_meta"]
    else:
        assert "Mcp-Session-Id" not in headers and (headers["Mcp-Method"], headers["Mcp-Name"]) == ("tools/call", "t")
        assert params["_meta"][META_CLIENT_CAPABILITIES] == {"sampling": {}}
    assert "Content-Type" not in http_headers(revision) and "Content-Type" in headers


def test_every_revision_has_its_traits():
    assert set(TRAITS) == set(ALL) and Revision.R2025.traits.resumable and Revision.R2026.traits.disconnect_cancels
