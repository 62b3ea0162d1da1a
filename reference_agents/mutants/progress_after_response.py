from __future__ import annotations

import json

from reference_agents.behaviour import Behaviour
from reference_agents.event_store import SessionEventStore
from reference_agents.mutants._mutant import Mutant


class ProgressAfterResponse(Behaviour):
    def store_response(self, store: SessionEventStore, key: str, message_json: str | None) -> str:
        """The response, then one more progress notification for the stream's token."""
        event_id = store.append_raw(key, message_json, terminal=False).event_id
        token, value = None, 0.0
        for ev in store.stream_events(key):
            if ev.message and '"notifications/progress"' in ev.message:
                params = json.loads(ev.message).get("params", {})
                token, value = params.get("progressToken"), float(params.get("progress", 0))
        progress = json.dumps({"jsonrpc": "2.0", "method": "notifications/progress",
                               "params": {"progressToken": token if token is not None else key, "progress": value + 1}})
        store.append_raw(key, progress, terminal=True)
        return event_id


MUTANT = Mutant(
    "progress-after-response",
    "a progress notification follows the response on its stream (event_store.py)",
    hook="store_response", behaviour=ProgressAfterResponse,
    requirements=("progress.stop-after-completion",), scenarios=("resume-after-result",))
