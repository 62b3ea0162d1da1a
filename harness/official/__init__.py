"""Faultline beside the official MCP conformance suite (npm `@modelcontextprotocol/conformance`).

install: Node 22 + the pinned suite in a cache folder; suite: run it, read every checks.json;
areas: official scenarios and Faultline requirements → requirement areas; compare: the table.
"""
