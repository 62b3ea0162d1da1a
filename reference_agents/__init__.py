"""Reference MCP agents (travel, research, long-running) that Faultline measures servers against.

This package never imports `harness`: it is a server like any other the harness tests.
"""
