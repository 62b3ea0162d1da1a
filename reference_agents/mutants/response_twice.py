from __future__ import annotations

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant


class ResponseTwice(Behaviour):
    def store_response(self, store: SessionEventStore, key: str, message_json: str | None) -> str:
        store.append_raw(key, message_json, terminal=False)
        return store.append_raw(key, message_json, terminal=True).event_id


MUTANT = Mutant(
    "response-twice",
    "the response is stored (and replayed) twice on its stream",
    hook="store_response", behaviour=ResponseTwice,
    requirements=("http.post.one-response",), scenarios=("resume-after-result",))
