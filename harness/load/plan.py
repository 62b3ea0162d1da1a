"""What each load client asks, seeded: a sequence of steps drawn from its own random generator, so the same
`--seed` asks the same things in the same order (how many steps fit in the run depends on the server's speed;
the sequence does not)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal

from harness.profiles import Profile
from harness.revisions import Revision

# step -> the profile role it needs (the first one the profile has)
ROLES: dict[str, tuple[str, ...]] = {
    "call": ("progress",),
    "burst": ("progress",),  # two calls at once in one session
    "effect": ("effect",),
    "answer": ("elicitation", "sampling"),
    "task": ("task",),
    "cut": ("long_running", "progress"),  # an undisturbed twin, then the same call cut and resumed
    "toxic": ("progress",),  # a toxic on this client's own proxy listener for one call
}
FAULTS = ("cut", "toxic")
PLAIN = tuple(a for a in ROLES if a not in FAULTS)
TOXICS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("latency", {"latency": 40, "jitter": 20}),
    ("latency", {"latency": 150, "jitter": 50}),
    ("slicer", {"average_size": 64, "size_variation": 32, "delay": 200}),
    ("bandwidth", {"rate": 64}),
)


@dataclass(frozen=True)
class Step:
    action: str
    role: str
    cut_after: int = 0  # cut: events received before the harness cuts the stream
    toxic: tuple[str, dict[str, Any]] | None = None
    stream: Literal["upstream", "downstream"] = "downstream"


@dataclass
class Plan:
    """One client's steps: `next()` draws the following one (only from the actions its profile can play)."""

    seed: int
    client: int
    profile: Profile
    revision: Revision
    faults: float = 0.3
    _rng: random.Random = field(init=False)
    _plain: list[str] = field(init=False)
    _faults: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"faultline-load:{self.seed}:{self.client}")
        self._plain = [a for a in PLAIN if self.role_for(a)]
        self._faults = [a for a in FAULTS if self.role_for(a)]
        if self.revision is not Revision.R2025:
            self._plain = [a for a in self._plain if a != "task"]  # the 2026 tasks extension: not in the mix

    def role_for(self, action: str) -> str | None:
        return next((r for r in ROLES[action] if self.profile.role(r) is not None), None)

    @property
    def playable(self) -> bool:
        return bool(self._plain or self._faults)

    def next(self) -> Step:
        rng = self._rng
        fault = rng.random() < self.faults
        pool = self._faults if (fault and self._faults) or not self._plain else self._plain
        action = rng.choice(pool)
        role = self.role_for(action) or ""
        cut_after = rng.randint(1, 3)
        toxic = rng.choice(TOXICS)
        stream: Literal["upstream", "downstream"] = rng.choice(("downstream", "downstream", "upstream"))
        if action == "cut":
            return Step(action, role, cut_after=cut_after)
        if action == "toxic":
            return Step(action, role, toxic=(toxic[0], dict(toxic[1])), stream=stream)
        return Step(action, role)


def describe(plan: Plan, n: int) -> list[str]:
    """The first `n` steps of a fresh copy of the plan, as words (the determinism test compares these)."""
    copy = Plan(plan.seed, plan.client, plan.profile, plan.revision, plan.faults)
    out = []
    for _ in range(n):
        s = copy.next()
        out.append(f"{s.action}:{s.role}:{s.cut_after}:{s.toxic[0] if s.toxic else ''}:{s.stream}")
    return out
