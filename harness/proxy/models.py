"""The API's objects, shaped as Toxiproxy 2.12 sends them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ToxicModel(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    type: str
    stream: str = "downstream"
    toxicity: float = 1.0
    attributes: dict[str, Any] = Field(default_factory=dict)


class ProxyModel(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    listen: str
    upstream: str
    enabled: bool = True
    toxics: list[ToxicModel] = Field(default_factory=list)
