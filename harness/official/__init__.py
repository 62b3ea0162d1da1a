"""Faultline beside the official MCP conformance suite (npm `@modelcontextprotocol/conformance`).

install: Node 22 + the pinned suite in a cache folder; suite: run it, read every checks.json;
mapping: official check id → Faultline requirement ids; compare: the per-requirement table at a revision.
"""
