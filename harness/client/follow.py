"""Following a server's deliberate close of a call's SSE stream (2025-11-25, SEP-1699 polling).

2025-11-25_basic_transports.mdx § Sending Messages to the Server: "After the server has sent an SSE
event with an event ID to the client, the server MAY close the connection (without terminating the
SSE stream) at any time ... The client SHOULD then 'poll' the SSE stream by attempting to reconnect",
and "The client MUST respect the `retry` field, waiting the given number of milliseconds before
attempting to reconnect". The SDK clients do so with GET + Last-Event-ID; so does the WireClient, in
every scenario, for a close that is the server's own: `deliberate_close` says whether an ended
exchange was one, `reconnect_delay` how long to wait before following it.

A close is NOT the server's own (and is never followed here; the scenario decides what to do) when the
client cut the stream (`cut_after`, the client's own close or deadline: those do not end in `eof`), when
the nemesis could have broken the connection (a breaking fault, harness/checks/model.py `BREAKING_TOXICS`,
`BREAKING_ACTIONS`, in force at any moment of the exchange), or when the client had ended the session or
cancelled the call before the close (`Derived.closed_by_client`, the checks' own reading).
"""

from __future__ import annotations

from typing import Any

import anyio

from harness.checks.model import BREAKING_ACTIONS, BREAKING_TOXICS, Derived
from harness.history import Fault, History, SseEvent
from harness.revisions import Revision

MAX_FOLLOWS = 16  # reconnects after deliberate closes, per call (the SDK resets its budget on each success)
MAX_IDLE_FOLLOWS = 2  # of those, in a row bringing no new event id (the SDK's MAX_RECONNECTION_ATTEMPTS)
DEFAULT_RETRY_MS = 1000  # the SDK clients' wait when the server sent no `retry` (DEFAULT_RECONNECTION_DELAY_MS)


def nemesis_struck(h: History, since: int) -> str | None:
    """What the nemesis did that could have broken a connection open from record `since` until now: a
    breaking toxic or the network down when it opened, or a breaking toxic, network down, restart or cut
    since. None if nothing."""
    active: dict[str, str] = {}  # breaking toxics in force at `since`: name -> type
    down = False
    for f in h.of(Fault):
        kind = str((f.toxic or {}).get("type") or "")
        breaking = f.action in BREAKING_ACTIONS or (f.action == "add" and kind in BREAKING_TOXICS)
        if f.seq > since:
            if breaking:
                return f"the nemesis struck while it was open ({f.action}{' ' + kind if kind else ''})"
            continue
        name = str((f.toxic or {}).get("name") or "")
        if f.action == "add" and kind in BREAKING_TOXICS:
            active[name] = kind
        elif f.action == "remove":
            active.pop(name, None)
        elif f.action in ("down", "up"):
            down = f.action == "down"
    if active:
        return f"the breaking fault {next(iter(active.values()))} was in force"
    return "the network was down" if down else None


def deliberate_close(h: History, revision: Revision, out: Any, resumed_from: str | None = None) -> str | None:
    """If the last exchange of the call `out` (a CallOutcome) ended by the server's deliberate close
    before the call's response, the event id to resume from (the newest the call has, else the one
    this exchange resumed from); None otherwise."""
    x = out.exchanges[-1]
    last_id = out.last_event_id or resumed_from
    if not revision.traits.resumable or not (out.stream or "").startswith("post:"):
        return None  # 2026-07-28 has no Last-Event-ID: a closed response stream is a cancellation there
    if out.response is not None or out.ended != "eof" or not last_id:
        return None
    resp = h.response(x)
    if resp is None or resp.status != 200 or resp.content_type != "text/event-stream":
        return None
    evs: list[SseEvent] = h.events(x)
    if not any(e.id or e.retry is not None for e in evs):
        return None  # nothing on this connection said "come back": an empty stream is not a poll
    req = h.request(x)
    if req is None or nemesis_struck(h, req.seq) is not None:
        return None
    if Derived(h).closed_by_client(x) is not None:  # the checks' own reading: a DELETE or cancel of ours ended it
        return None
    return str(last_id)


def reconnect_delay(retry_ms: int | None, cap: float) -> float:
    """Seconds to wait before reconnecting: the server's `retry` (else the SDK's default), at most `cap`."""
    ms = DEFAULT_RETRY_MS if retry_ms is None else max(0, retry_ms)
    return min(ms / 1000.0, cap)


def stream_retry(seen: list[SseEvent], stream: str | None) -> int | None:
    """The newest `retry` a client was sent on `stream` (an SSE retry holds until replaced)."""
    return next((e.retry for e in reversed(seen) if e.stream == stream and e.retry is not None), None)


def merge(call: Any, part: Any) -> None:
    """Fold one followed exchange's outcome into the call's (one logical call across its reconnects)."""
    call.exchanges += part.exchanges
    call.events += part.events
    call.response = part.response if part.response is not None else call.response
    call.status = part.status
    call.ended = part.ended
    call.last_event_id = part.last_event_id or call.last_event_id
    call.retry_ms = part.retry_ms if part.retry_ms is not None else call.retry_ms


async def follow_closes(client: Any, out: Any, *, resumed_from: str | None = None,
                        deadline: float | None = None) -> Any:
    """Follow the server's deliberate closes of the call `out` by GET + Last-Event-ID, each after the
    stream's `retry` (capped by `client.reconnect_cap`), until its response or another end; at most
    MAX_FOLLOWS reconnects, and MAX_IDLE_FOLLOWS in a row that bring no event id the stream had not had (a
    server that replays what it already sent, or nothing, is not resuming: the checks judge what it did).
    Every reconnect is an exchange of its own in the history; `out` becomes the one logical call.
    `resumed_from`: `out` is a resume from that id, followed only if this client was given that id on
    that stream (a call's own stream: not a probe's unknown or foreign id)."""
    if resumed_from is not None and not any(e.id == resumed_from and e.stream == out.stream for e in client.seen):
        return out
    last_id = deliberate_close(client.history, client.revision, out, resumed_from)
    follows = idle = 0
    while last_id is not None:
        if follows == MAX_FOLLOWS or idle == MAX_IDLE_FOLLOWS:
            client.history.note(f"the client stopped following the call's stream after {follows} reconnects "
                                f"({idle} in a row with no new event) without its response", follow=out.stream,
                                gave_up=True)
            break
        known = {e.id for e in client.seen if e.stream == out.stream and e.id}
        retry_ms = stream_retry(client.seen, out.stream)
        wait = reconnect_delay(retry_ms, client.reconnect_cap)
        client.history.note("the server closed the call's stream before its response: the client waits "
                            "`retry` and resumes it with GET + Last-Event-ID (SEP-1699 polling)",
                            follow=out.stream, last_event_id=last_id, retry_ms=retry_ms, wait_s=round(wait, 3))
        await anyio.sleep(wait)
        part = await client.resume(out.stream, last_id, purpose="follow", follow=False, deadline=deadline)
        merge(out, part)
        follows += 1
        idle = 0 if any(e.id and e.id not in known for e in part.events) else idle + 1
        last_id = deliberate_close(client.history, client.revision, out, last_id)
    return out
