from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


class DuplicateIdAccepted(Behaviour):
    """The SDK's own handling (bug F): the second POST overwrites the first one's stream and dispatch."""

    def refuses_in_flight_ids(self) -> bool:
        return False


MUTANT = Mutant(
    "duplicate-id-accepted",
    "a POST reusing a request id still in flight is accepted, not refused with 409 (SDK bug F)",
    hook="refuses_in_flight_ids", behaviour=DuplicateIdAccepted,
    uncaught="no check can: the rule binds the sender (2026-07-28 basic/index: \"The request ID MUST NOT "
             "match the ID of any other request the sender has issued and not yet received a response "
             "for\"; 2025-11-25 likewise within a session), so serving a duplicate breaks no server rule, "
             "and the harness never sends one; the 409 is our fix of SDK bug F, tested in "
             "tests/agents/test_agents_transport.py")
