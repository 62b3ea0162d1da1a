from __future__ import annotations

from mcp.server.subscriptions import ListenHandler, SubscriptionBus

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._listen import ListenHandlerCopy
from reference_agents.mutants._mutant import Mutant


class ListenUnrequested(Behaviour):
    def listen_handler(self, bus: SubscriptionBus) -> ListenHandler | None:
        return ListenHandlerCopy(bus, delivers_all=True)


MUTANT = Mutant(
    "listen-unrequested",
    "2026 subscriptions/listen delivers every change notification, also types and URIs the stream did not"
    " ask for",
    hook="listen_handler", behaviour=ListenUnrequested,
    requirements=("subs.filter",), scenarios=("resource-subscribe",))
