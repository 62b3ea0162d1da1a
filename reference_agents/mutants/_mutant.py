"""What a mutant module declares: `MUTANT = Mutant(...)`."""

from __future__ import annotations

from dataclasses import dataclass

from reference_agents.behaviour import HOOKS, Behaviour


@dataclass(frozen=True)
class Mutant:
    """One known bug: its name and one-line description, the one `Behaviour` hook it overrides (`behaviour`
    is a subclass overriding exactly that one), and what must catch it: one of `requirements` FAILed (WARNed,
    for a SHOULD) by the scenarios whose names contain one of `scenarios` (the kill matrix), or, with `by_load`,
    by the `faultline load` workload (a concurrency bug: many sessions at once, no single scenario). A bug no
    check can catch says why in `uncaught` instead, and has neither."""

    name: str
    description: str
    hook: str
    behaviour: type[Behaviour]
    requirements: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = ()
    uncaught: str = ""
    by_load: bool = False

    def __post_init__(self) -> None:
        if self.hook not in HOOKS:
            raise ValueError(f"mutant {self.name}: {self.hook!r} is not a Behaviour hook")
        overridden = {h for h in HOOKS for k in self.behaviour.__mro__
                      if k is not Behaviour and issubclass(k, Behaviour) and h in vars(k)}
        if overridden != {self.hook}:
            raise ValueError(f"mutant {self.name}: overrides {sorted(overridden)}, must override only {self.hook!r}")
        if not self.description or "\n" in self.description:
            raise ValueError(f"mutant {self.name}: the description is one line")
        if bool(self.requirements) != bool(self.scenarios or self.by_load) or \
                bool(self.requirements) == bool(self.uncaught):
            raise ValueError(f"mutant {self.name}: give requirements and scenarios, or say why it is uncaught")
