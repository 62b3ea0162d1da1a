"""The API's objects, shaped as Toxiproxy 2.12 sends them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.proxy.attributes import CATALOGUE, EXTENSIONS, ToxicAttributes

CAPABILITIES_PATH = "/faultline"  # Faultline's own endpoint: a real Toxiproxy answers 404 there


def capabilities_body(version: str) -> dict[str, Any]:
    """What the embedded proxy answers at CAPABILITIES_PATH (how a client tells it from a real Toxiproxy)."""
    return {"server": "faultline", "version": version, "toxics": list(CATALOGUE), "extensions": list(EXTENSIONS)}


class ToxicModel(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    type: str
    stream: str = "downstream"
    toxicity: float = 1.0
    attributes: dict[str, Any] = Field(default_factory=dict)

    def typed(self) -> ToxicAttributes:
        """The attributes as their model (`Latency`, `SseCut`, ...); KeyError for a type Faultline does not know."""
        return CATALOGUE[self.type].parse(self.attributes)


class ProxyModel(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    listen: str
    upstream: str
    enabled: bool = True
    toxics: list[ToxicModel] = Field(default_factory=list)
