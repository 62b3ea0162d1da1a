"""Errors the CLI turns into one line and an exit code."""


class UsageError(Exception):
    """The user asked for something that cannot be done as asked (exit 2)."""


class HarnessError(Exception):
    """The harness could not do its job: target unreachable, spawn died, ... (exit 3)."""
