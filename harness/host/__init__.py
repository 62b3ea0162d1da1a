"""`faultline call`: the interactive MCP host (harness/commands/call.py is its command line)."""
