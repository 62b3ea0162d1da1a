"""The recording MCP client: talks both revisions on the wire and records everything it sees."""
