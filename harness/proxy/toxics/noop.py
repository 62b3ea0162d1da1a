from harness.proxy.toxics.base import Toxic


class Noop(Toxic):
    """Pass-through."""

    type = "noop"
