"""A hostile MCP server and the robustness matrix the harness must survive."""
