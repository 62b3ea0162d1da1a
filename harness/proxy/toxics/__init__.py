"""Toxics, one class per file. A toxic runs on one stage of a link (harness/proxy/link.py) and says
what of each chunk of its direction goes on; it may hold, close or reset the connection. Toxiproxy's
types keep their names and attributes; Faultline's own are namespaced `faultline.*`. Their typed
attributes are in harness/proxy/attributes.py."""

from __future__ import annotations

from typing import Any

from harness.proxy.toxics.bandwidth import BandwidthToxic
from harness.proxy.toxics.base import Toxic
from harness.proxy.toxics.http_drop import HttpDropToxic
from harness.proxy.toxics.latency import LatencyToxic
from harness.proxy.toxics.limit_data import LimitDataToxic
from harness.proxy.toxics.noop import NoopToxic
from harness.proxy.toxics.reset_peer import ResetPeerToxic
from harness.proxy.toxics.slicer import SlicerToxic
from harness.proxy.toxics.slow_close import SlowCloseToxic
from harness.proxy.toxics.sse import SseCutToxic, SseStallToxic
from harness.proxy.toxics.timeout import TimeoutToxic

TOXICS: dict[str, type[Toxic[Any]]] = {t.attributes_type.type: t for t in (
    NoopToxic, LatencyToxic, BandwidthToxic, SlowCloseToxic, TimeoutToxic, ResetPeerToxic, SlicerToxic,
    LimitDataToxic, SseCutToxic, SseStallToxic, HttpDropToxic)}

__all__ = ["TOXICS", "Toxic"]
