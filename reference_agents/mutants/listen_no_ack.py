from __future__ import annotations

from mcp.server.subscriptions import ListenHandler, SubscriptionBus

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._listen import ListenHandlerCopy
from reference_agents.mutants._mutant import Mutant


class ListenNoAck(Behaviour):
    def listen_handler(self, bus: SubscriptionBus) -> ListenHandler | None:
        return ListenHandlerCopy(bus, updates_before_ack=True)


MUTANT = Mutant(
    "listen-no-ack",
    "2026 subscriptions/listen sends notifications/resources/updated for the requested URIs before the "
    "acknowledgment",
    hook="listen_handler", behaviour=ListenNoAck,
    requirements=("subs.ack-first",), scenarios=("resource-subscribe",))
