from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant


class DisconnectCancels_2025(Behaviour):
    def stream_left_unanswered(self, store: SessionEventStore, key: str, raw_id: str) -> None:
        """The client left before the response: "cancel" the call (its resume gets this error)."""
        err = (f'{{"jsonrpc":"2.0","id":{raw_id},"error":{{"code":-32800,'
               '"message":"request cancelled: the client disconnected"}}')
        store.append_raw(key, err, terminal=True)


MUTANT = Mutant(
    "disconnect-cancels-2025",
    "a client disconnect on 2025-11-25 cancels the call: the resume gets an error",
    hook="stream_left_unanswered", behaviour=DisconnectCancels_2025,
    requirements=("http.disconnect.not-cancel",), scenarios=("disconnect-not-cancel",))
