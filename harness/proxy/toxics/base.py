"""What every toxic shares: attributes with defaults and validation, toxicity, the removal event."""

from __future__ import annotations

import random
from typing import Any, ClassVar

import anyio


class ToxicError(ValueError):
    """Bad attributes (answered with 400)."""


class CloseConnection(Exception):  # noqa: N818 - a signal, not an error
    """Close the whole connection (FIN), after forwarding `data`."""

    def __init__(self, data: bytes = b"", *, reset: bool = False, detail: str = "") -> None:
        super().__init__(detail)
        self.data, self.reset, self.detail = data, reset, detail


class Toxic:
    type: ClassVar[str] = ""
    defaults: ClassVar[dict[str, int]] = {}
    extension: ClassVar[bool] = False

    def __init__(self, name: str, stream: str, toxicity: float, attributes: dict[str, Any]) -> None:
        self.name, self.stream, self.toxicity = name, stream, toxicity
        self.attributes = self.check({**self.defaults, **attributes})
        self.removed = anyio.Event()

    @classmethod
    def check(cls, attributes: dict[str, Any]) -> dict[str, Any]:
        out = dict(attributes)
        for key in cls.defaults:
            value = out.get(key)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ToxicError(f"attribute {key!r} of a {cls.type} toxic must be an integer")
            if value < 0:
                raise ToxicError(f"attribute {key!r} of a {cls.type} toxic must not be negative")
        cls.validate(out)
        return out

    @classmethod
    def validate(cls, attributes: dict[str, Any]) -> None:
        """Type-specific checks (raise ToxicError)."""

    def update(self, attributes: dict[str, Any], toxicity: float | None) -> None:
        self.attributes = self.check({**self.attributes, **attributes})
        if toxicity is not None:
            self.toxicity = toxicity

    def roll(self) -> bool:
        """Toxicity is drawn once per connection and direction."""
        return self.toxicity >= 1 or random.random() < self.toxicity

    def state(self, conn: Any) -> dict[str, Any]:
        return conn.toxic_state.setdefault((self.name, id(self)), {})

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        """The pieces to forward for this chunk (raise CloseConnection to end the connection)."""
        return [chunk]

    async def on_eof(self, conn: Any) -> None:
        """The source of this direction ended; runs before the destination is closed."""

    def on_added(self, conns: list[Any]) -> None:
        """The toxic was added while these connections were open."""

    def on_removed(self, conns: list[Any]) -> None:
        self.removed.set()

    def model(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "stream": self.stream, "toxicity": self.toxicity,
                "attributes": dict(self.attributes)}
