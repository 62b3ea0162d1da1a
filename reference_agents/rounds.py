"""2026-07-28 multi-round-trip requests: a malformed round is a protocol error (SEP-2322).

`inputResponses` is a map from the server's input-request keys to the client's responses, and
`requestState` an opaque string echoed back. A request carrying either with another JSON type
(`null`, a number, a list) is not a retry the server can read: it is answered with JSON-RPC error
-32602 (Invalid params), never taken for a first round (which would ask the user again) or completed.
Every 2026 result then passes `Behaviour.result_as_sent` (the mutants' way to change a result's wire shape).
"""

from __future__ import annotations

from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from reference_agents.behaviour import Behaviour

ROUND_METHODS = frozenset({"tools/call", "prompts/get", "resources/read"})


def malformed_round(params: Any) -> str | None:
    """What is wrong with a request's round fields, or None."""
    if not isinstance(params, dict):
        return None
    if "inputResponses" in params and not isinstance(params["inputResponses"], dict):
        return f"inputResponses must be an object, not {type(params['inputResponses']).__name__}"
    if "requestState" in params and not isinstance(params["requestState"], str):
        return f"requestState must be a string, not {type(params['requestState']).__name__}"
    return None


def round_guard(behaviour: Behaviour) -> Any:
    async def guard(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method in ROUND_METHODS and ctx.protocol_version in MODERN_PROTOCOL_VERSIONS \
                and behaviour.checks_input_responses():
            problem = malformed_round(ctx.params)
            if problem is not None:
                raise MCPError(INVALID_PARAMS, f"Invalid params: {problem}")
        result = await call_next(ctx)
        if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS and isinstance(result, dict):
            return behaviour.result_as_sent(ctx.method, ctx.params, result)
        return result

    return guard
