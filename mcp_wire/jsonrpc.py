"""JSON-RPC 2.0 message shapes, as MCP uses them: what a message is, and how one is built.

A message is a dict parsed from JSON; anything else (None, a list, a string) is none of the three kinds."""

from __future__ import annotations

from typing import Any, TypeGuard

VERSION = "2.0"


def is_request(msg: Any) -> TypeGuard[dict[str, Any]]:
    """A request: a method and an id (the other side must answer it)."""
    return isinstance(msg, dict) and "method" in msg and "id" in msg


def is_notification(msg: Any) -> TypeGuard[dict[str, Any]]:
    """A notification: a method and no id (nothing answers it)."""
    return isinstance(msg, dict) and "method" in msg and "id" not in msg


def is_response(msg: Any, rpc_id: Any = None) -> TypeGuard[dict[str, Any]]:
    """A response (a result or an error, no method); with `rpc_id`, the response to that request."""
    return (isinstance(msg, dict) and "method" not in msg and ("result" in msg or "error" in msg)
            and (rpc_id is None or msg.get("id") == rpc_id))


def request(rpc_id: int | str, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": VERSION, "id": rpc_id, "method": method}
    if params is not None:
        body["params"] = params
    return body


def notification(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": VERSION, "method": method}
    if params:
        body["params"] = params
    return body


def response(rpc_id: int | str | None, result: dict[str, Any] | None = None,
             error: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answer to request `rpc_id`: its `error` when given, else its `result` (`{}` when None)."""
    body: dict[str, Any] = {"jsonrpc": VERSION, "id": rpc_id}
    if error is not None:
        body["error"] = error
    else:
        body["result"] = result if result is not None else {}
    return body
