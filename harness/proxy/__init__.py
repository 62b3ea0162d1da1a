"""The nemesis: an embedded TCP fault proxy speaking Toxiproxy's HTTP API, plus SSE-aware toxics.
It knows bytes and, in its SSE toxics only, SSE framing; never MCP semantics."""
