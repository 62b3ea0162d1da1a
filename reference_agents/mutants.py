"""Mutants: the reference agents with ONE known bug each, for the kill matrix.

`faultline agents --mutant NAME` / `running_agents(mutant=NAME)`. Each name maps to a one-line
description; the code that implements a mutant tests `runtime.mutant == NAME` (agents) or
`transport.mutant == NAME` (transport.py) or `config.mutant == NAME` (server.py) at the one
place the bug lives, so the clean path stays the default and each bug is a small, named change.
"""

from __future__ import annotations

MUTANTS: dict[str, str] = {
    "replay-handoff-gap": "resume uses the SDK's stock replay: events stored between the replay snapshot "
                          "and going live are never delivered (SDK bug B)",
    "duplicate-id-accepted": "a POST reusing a request id still in flight is accepted, not refused with 409 "
                             "(SDK bug F)",
    "no-origin-check": "requests with a non-local Origin header are served instead of refused with 403",
}


def check_mutant(name: str | None) -> str | None:
    """The name if known (or None); ValueError with one line listing the known names otherwise."""
    if name is None or name in MUTANTS:
        return name
    raise ValueError(f"unknown mutant {name!r}; known: {', '.join(sorted(MUTANTS))}")
