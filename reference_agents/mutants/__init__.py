"""Mutants: the reference agents with ONE known bug each, for the kill matrix.

One module per mutant (its name with `_` for `-`), each declaring `MUTANT = Mutant(...)`: the name, a
one-line description, the one `Behaviour` hook (reference_agents/behaviour.py) its subclass overrides, and
the requirement ids and scenarios that must catch it. Modules starting with `_` are shared helpers.
`faultline agents --mutant NAME` / `running_agents(mutant=NAME)` serve `behaviour_for(NAME)`; the kill
matrix (harness/killmatrix.py), the fixture recorder and `faultline list mutants` read `REGISTRY`.
"""

from __future__ import annotations

import importlib
import pkgutil

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant


def _load() -> dict[str, Mutant]:
    found: dict[str, Mutant] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mutant = importlib.import_module(f"{__name__}.{info.name}").MUTANT
        if not isinstance(mutant, Mutant) or mutant.name.replace("-", "_") != info.name:
            raise RuntimeError(f"{__name__}.{info.name}: MUTANT must be the Mutant named {info.name.replace('_', '-')!r}")
        found[mutant.name] = mutant
    return found


REGISTRY: dict[str, Mutant] = _load()
MUTANTS: dict[str, str] = {name: m.description for name, m in REGISTRY.items()}  # name -> description


def check_mutant(name: str | None) -> str | None:
    """The name if known (or None); ValueError with one line listing the known names otherwise."""
    if name is None or name in REGISTRY:
        return name
    raise ValueError(f"unknown mutant {name!r}; known: {', '.join(REGISTRY)}")


def behaviour_for(name: str | None) -> Behaviour:
    """A fresh Behaviour for one server: the clean one (None) or the named mutant's."""
    return Behaviour() if check_mutant(name) is None else REGISTRY[str(name)].behaviour()


__all__ = ["MUTANTS", "REGISTRY", "Mutant", "behaviour_for", "check_mutant"]
