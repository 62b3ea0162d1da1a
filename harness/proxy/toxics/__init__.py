"""Toxics, one class per file. A toxic sees each chunk of its direction of one connection and
says what to forward; it may hold, close or reset the connection. Toxiproxy's types keep their
names and attributes; Faultline's own are namespaced `faultline.*`."""

from __future__ import annotations

from harness.proxy.toxics.bandwidth import Bandwidth
from harness.proxy.toxics.base import Toxic, ToxicError
from harness.proxy.toxics.http_drop import HttpDrop
from harness.proxy.toxics.latency import Latency
from harness.proxy.toxics.limit_data import LimitData
from harness.proxy.toxics.noop import Noop
from harness.proxy.toxics.reset_peer import ResetPeer
from harness.proxy.toxics.slicer import Slicer
from harness.proxy.toxics.slow_close import SlowClose
from harness.proxy.toxics.sse import SseCut, SseStall
from harness.proxy.toxics.timeout import Timeout

TOXICS: dict[str, type[Toxic]] = {t.type: t for t in (
    Noop, Latency, Bandwidth, SlowClose, Timeout, ResetPeer, Slicer, LimitData, SseCut, SseStall, HttpDrop)}

__all__ = ["TOXICS", "Toxic", "ToxicError"]
