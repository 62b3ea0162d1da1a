"""Typed attributes of every toxic, shared by the proxy server (which parses them from the API) and
the client (which builds them): `Latency(latency=100, jitter=10)` rather than a dict of ints.

Each model is Toxiproxy's attribute struct: JSON integers, every field defaulting to 0, unknown keys
dropped (as Toxiproxy drops them). The few values a real Toxiproxy accepts and then crashes on are
refused here (the reasons are in harness/proxy/compat.py); a client therefore cannot send them to a
real Toxiproxy either. `faultline.*` types are Faultline's own and exist only in the embedded proxy.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, model_validator

Stream = Literal["upstream", "downstream"]
STREAMS: tuple[Stream, ...] = ("upstream", "downstream")  # upstream: client -> server; downstream: server -> client
EXTENSION_PREFIX = "faultline."


class BadAttributes(ValueError):
    """Attributes the API answers with 400 (the message is the API's error text)."""


class ToxicAttributes(BaseModel):
    """The attributes of one toxic type; `type` names it in the API."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    type: ClassVar[str] = ""

    @classmethod
    def extension(cls) -> bool:
        return cls.type.startswith(EXTENSION_PREFIX)

    def wire(self) -> dict[str, Any]:
        """The JSON object the API takes and shows."""
        return self.model_dump()

    def refusal(self) -> str | None:
        """Why the embedded proxy refuses these values (None: accepted)."""
        return None

    @model_validator(mode="after")
    def _refuse(self) -> ToxicAttributes:
        reason = self.refusal()
        if reason:
            raise ValueError(reason)
        return self

    @classmethod
    def parse(cls, data: Any) -> ToxicAttributes:
        """Attributes from an API body (None: all defaults); BadAttributes with Toxiproxy's wording."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise BadAttributes(f"bad request body: json: cannot unmarshal {json_kind(data)} into Go struct "
                                    f"field .attributes of type toxics.{cls.__name__}Toxic")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            if err["type"] == "value_error":
                raise BadAttributes(str(err["ctx"]["error"])) from None
            field = ".".join(str(p) for p in err["loc"])
            raise BadAttributes(f"bad request body: json: cannot unmarshal {json_kind(err.get('input'))} into "
                                    f"Go struct field .attributes.{field} of type {_go_type(cls, field)}") from None

    def merged(self, data: Any) -> ToxicAttributes:
        """These attributes with the keys of `data` replaced (an update is a partial merge)."""
        if data is None:
            return self
        if not isinstance(data, dict):
            return self.parse(data)  # raises
        return self.parse({**self.wire(), **data})


def json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return f"number {value}"
    return {str: "string", list: "array", dict: "object", type(None): "null"}.get(type(value), "value")


def _go_type(cls: type[ToxicAttributes], field: str) -> str:
    annotation = cls.model_fields[field].annotation if field in cls.model_fields else None
    return "int64" if annotation is int else "string"


# -- Toxiproxy's toxics ------------------------------------------------------------------------------


class Noop(ToxicAttributes):
    """Pass-through."""

    type = "noop"


class Latency(ToxicAttributes):
    """Each chunk leaves `latency` ± `jitter` ms after it arrived (chunks are pipelined, order kept)."""

    type = "latency"
    latency: StrictInt = Field(0, description="ms added to each chunk, counted from its arrival")
    jitter: StrictInt = Field(0, description="ms: the delay is uniform over [latency-jitter, latency+jitter)")


class Bandwidth(ToxicAttributes):
    """At most `rate` KB/s (1 KB = 1000 bytes) per connection and direction; 0 stalls until removed."""

    type = "bandwidth"
    rate: StrictInt = Field(0, description="KB/s; 0 holds every byte until the toxic is removed")

    def refusal(self) -> str | None:
        if self.rate < 0:
            return "bandwidth rate must not be negative (a negative rate crashes Toxiproxy 2.12)"
        return None


class SlowClose(ToxicAttributes):
    """Data passes; when the source ends, the close waits `delay` ms."""

    type = "slow_close"
    delay: StrictInt = Field(0, description="ms the close is held back")


class Timeout(ToxicAttributes):
    """Drops all data; closes after `timeout` ms with no incoming chunk (0 or less: never on its own)."""

    type = "timeout"
    timeout: StrictInt = Field(0, description="ms without an incoming chunk before the close; <= 0: never")


class ResetPeer(ToxicAttributes):
    """At the first chunk (or EOF) of its direction, wait `timeout` ms, drop it, and reset (RST)."""

    type = "reset_peer"
    timeout: StrictInt = Field(0, description="ms from the first chunk to the reset")


class Slicer(ToxicAttributes):
    """Splits each chunk into pieces of about `average_size` ± `size_variation` bytes, `delay` µs apart."""

    type = "slicer"
    average_size: StrictInt = Field(0, description="bytes per piece, at least 1")
    size_variation: StrictInt = Field(0, description="bytes, 0 <= size_variation < average_size")
    delay: StrictInt = Field(0, description="µs after each piece")

    def refusal(self) -> str | None:
        if self.average_size < 1:
            return "slicer average_size must be at least 1 (0 crashes Toxiproxy 2.12 on the first byte)"
        if not 0 <= self.size_variation < self.average_size:
            return "slicer size_variation must be at least 0 and smaller than average_size (Toxiproxy can panic)"
        return None


class LimitData(ToxicAttributes):
    """Forwards at most `bytes` bytes per connection and direction, then closes (0 or less: at once)."""

    type = "limit_data"
    bytes: StrictInt = Field(0, description="bytes forwarded before the close; <= 0 closes on the first chunk")


# -- Faultline's own (embedded proxy only) ------------------------------------------------------------


class SseCut(ToxicAttributes):
    """Cuts right after `events` complete SSE events (or `offset` bytes into the next one); `times`
    (0: no limit) cuts at most that many connections over the toxic's life. Downstream."""

    type = "faultline.sse_cut"
    events: StrictInt = Field(0, description="complete SSE events let through per connection")
    offset: StrictInt = Field(0, description="content bytes of the next event let through (0: cut at the boundary)")
    times: StrictInt = Field(0, description="connections cut at most (0: every connection)")

    def refusal(self) -> str | None:
        if min(self.events, self.offset, self.times) < 0:
            return "faultline.sse_cut attributes must not be negative"
        if self.events < 1 and self.offset < 1:
            return "faultline.sse_cut needs events >= 1 (or an offset)"
        return None


class SseStall(ToxicAttributes):
    """Holds the stream after `events` complete SSE events until the toxic is removed. Downstream."""

    type = "faultline.sse_stall"
    events: StrictInt = Field(0, description="complete SSE events let through before the stall")

    def refusal(self) -> str | None:
        return "faultline.sse_stall events must not be negative" if self.events < 0 else None


class HttpDrop(ToxicAttributes):
    """Drops the next `requests` HTTP messages of its direction (upstream: requests, downstream:
    responses), counted across connections: at a message's first byte, nothing of it is forwarded
    and the connection is closed (`mode` close) or reset (`mode` reset)."""

    type = "faultline.http_drop"
    requests: StrictInt = Field(0, description="HTTP messages dropped over the toxic's life")
    mode: Literal["close", "reset"] = Field("close", description="close (FIN) or reset (RST)")

    def refusal(self) -> str | None:
        return "faultline.http_drop requests must not be negative" if self.requests < 0 else None


CATALOGUE: dict[str, type[ToxicAttributes]] = {a.type: a for a in (
    Noop, Latency, Bandwidth, SlowClose, Timeout, ResetPeer, Slicer, LimitData, SseCut, SseStall, HttpDrop)}
CLASSIC: tuple[str, ...] = tuple(t for t, a in CATALOGUE.items() if not a.extension())
EXTENSIONS: tuple[str, ...] = tuple(t for t, a in CATALOGUE.items() if a.extension())


def attributes_of(type: str, data: Any = None) -> ToxicAttributes:
    """Typed attributes for a toxic type from a JSON object (KeyError: unknown type)."""
    return CATALOGUE[type].parse(data)
