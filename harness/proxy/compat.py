"""Every deliberate difference between the embedded proxy and Toxiproxy 2.12.0, in one place, with
its reason. The API replay test (tests/proxy/test_compat.py) expects exactly the API differences
below on the recorded calls and nothing else; docs/proxy.md shows `markdown()` of this table.
"""

from __future__ import annotations

from dataclasses import dataclass

TOXIPROXY_VERSION = "2.12.0"


@dataclass(frozen=True)
class Difference:
    topic: str
    toxiproxy: str  # what Toxiproxy 2.12.0 does
    embedded: str  # what the embedded proxy does
    reason: str
    kind: str = "behaviour"  # or "API": what a client sees in the answers
    call: str = ""  # the label of the recorded API call it changes (tests/proxy/fixtures/...); "" if none
    status: int | None = None  # the embedded proxy's HTTP status for that call


_CRASH = ("a fault proxy that dies takes every connection of every proxy with it, and the run with it: refusing "
          "the value is better than accepting it")

DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "bandwidth `rate` < 0", "accepted (200); the first chunk through it panics the server (negative slice bound)",
        "refused: 400 with the reason", _CRASH, "API", call="POST toxic bandwidth bad {'rate': -1}", status=400),
    Difference(
        "slicer `average_size` < 1, or `size_variation` outside [0, `average_size`)",
        "accepted (200); sizes summing to <= 0 recurse until the stack overflows on the first byte (PR #770), "
        "`size_variation` >= `average_size` can panic (#541)",
        "refused: 400 with the reason", _CRASH, "API", call="POST toxic slicer bad {'average_size': 0}", status=400),
    Difference(
        "`\"Logger\":{}` in every proxy object", "sent (an exported logger field without a JSON tag)", "not sent",
        "an accident of Go's encoder; no client reads it (the replay ignores the key)", "API"),
    Difference(
        "adding a toxic to open connections",
        "interrupts and restarts the stage before it: a chunk a latency toxic holds there leaves at once, and "
        "that stage's toxicity is drawn again",
        "the stage before sends its next chunk to the new stage; nothing is interrupted",
        "an unrelated toxic should not change the timing or the draw of another; on one asyncio loop the chain "
        "can be re-linked without stopping anyone, in order, nothing lost"),
    Difference(
        "removing a toxic from open connections",
        "also interrupts and restarts the stage before it (same effects as above)",
        "only the removed toxic's stage is interrupted (it sends on what it holds); its queued chunks move on in "
        "order and the stage before sends straight past it",
        "as above"),
    Difference(
        "two latency toxics in a row",
        "a chunk's stamp moves on by the time it slept, not to its release: one that queued behind another in "
        "the first toxic gets less than the second latency",
        "every chunk gets both latencies (its stamp moves on to its scheduled release)",
        "Toxiproxy's own stated intent is that latencies add up"),
    Difference(
        "`reset_peer` and the RST",
        "SO_LINGER=0 is set at accept on connections made while any `reset_peer` is in either chain, whatever "
        "its toxicity: every close of such a connection is an RST (#603), and one added later closes with a FIN",
        "an RST exactly when a `reset_peer` fires, on connections old and new; other closes are FINs",
        "a scenario must know which fault it injected"),
    Difference(
        "removing a `reset_peer` while it waits its `timeout`",
        "the wait cannot be interrupted: the removal blocks until the reset",
        "the wait is interrupted: the chunk goes on and nothing is reset",
        "like every other toxic, an interrupted one sends on what it holds; removals must not hang"),
    Difference(
        "a toxic change on a connection whose peer reads nothing",
        "the API call hangs until the handler's 25 s deadline (503; #159, #412, #558)",
        "after 5 s that connection is closed (recorded in the proxy's events) and the call answers",
        "the API must answer; a stuck connection is the fault, not the API"),
    Difference(
        "listen and upstream addresses",
        "any address", "loopback only, unless the server runs with `--allow-remote` (400 otherwise)",
        "a test harness must not open a port to the network by accident", "API"),
    Difference(
        "a proxy or toxic name containing `/`",
        "can be created but never addressed (a path segment cannot hold it)",
        "addressable with `%2F` in the path", "nothing is gained by an object one cannot delete", "API"),
    Difference(
        "Faultline's extensions",
        "404 / 400 `invalid toxic type`",
        "`faultline.sse_cut`, `faultline.sse_stall`, `faultline.http_drop` toxics; `GET /faultline` (capabilities: "
        "how a client tells the embedded proxy from a real Toxiproxy); `GET /proxies/{p}/faultline/events`",
        "HTTP/SSE-aware faults Toxiproxy cannot express (issues #50, #518); scenarios needing them are "
        "NOT-APPLICABLE against a real Toxiproxy", "API"),
)


def api_differences() -> dict[str, Difference]:
    """The differences in recorded API answers, by the recorded call's label."""
    return {d.call: d for d in DIFFERENCES if d.call}


IGNORED_KEYS = frozenset({"Logger"})  # see the difference above


def markdown() -> str:
    """The table, for docs/proxy.md."""
    rows = ["| | Toxiproxy 2.12.0 | embedded proxy | why |", "|---|---|---|---|"]
    for d in DIFFERENCES:
        rows.append(f"| {d.topic} ({d.kind}) | {d.toxiproxy} | {d.embedded} | {d.reason} |")
    return "\n".join(rows) + "\n"
