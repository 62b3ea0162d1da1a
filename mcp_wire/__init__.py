"""The MCP wire protocol as data: what every part of Faultline that speaks MCP shares.

- `mcp_wire.revisions`: the protocol revisions and their constants (`Revision`, `_meta` keys, task statuses);
- `mcp_wire.jsonrpc`: JSON-RPC 2.0 message shapes (`is_request`, `is_response`, `request`, ...);
- `mcp_wire.envelope`: what a client puts around a request at each revision (`_meta`, HTTP headers);
- `mcp_wire.sse`: THE one Server-Sent Events parser.

Both `harness/` and `reference_agents/` import it, so neither needs the other's copy. It imports only the
standard library (tests/test_walls.py holds that wall): no I/O, no HTTP client, no harness, no agents.
"""
