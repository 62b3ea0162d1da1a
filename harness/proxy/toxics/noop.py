from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.toxics.base import Toxic


class NoopToxic(Toxic[attrs.Noop]):
    """Pass-through (also what a stage runs when its toxicity draw says no)."""

    attributes_type = attrs.Noop


NOOP: Toxic[Any] = NoopToxic("noop", "downstream", 1.0, attrs.Noop())
