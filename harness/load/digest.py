"""What the cross-client checks need of one segment of one client's history: a pure function of the history.

A load run keeps no history after its segment is checked (memory stays bounded at hundreds of clients); it
keeps this digest: the event ids with a fingerprint of what each carried, the progress tokens and effect jobs
it received, the restarts it lived through. `digest(history, client, ...)` reads nothing but the history.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from harness.history import Fault, History, Request, Response, SseEvent, dumps_compact


@dataclass
class Effect:
    job: str
    count: int
    seq: int  # the record that carried it, in its segment's history
    order: int  # the client's call number (the order it asked in)


@dataclass
class Digest:
    client: str
    segment: int
    epoch: int  # server restarts before this segment
    ids: list[tuple[str, str, str, int]] = field(default_factory=list)  # (stream, event id, fingerprint, seq)
    tokens: list[tuple[str, int]] = field(default_factory=list)  # progress tokens received, with the seq
    jobs: list[tuple[str, int]] = field(default_factory=list)  # effect jobs named in results received
    effects: list[Effect] = field(default_factory=list)
    restarts: int = 0  # restarts during this segment


def fingerprint(message: Any) -> str:
    return hashlib.blake2b(dumps_compact(message).encode(), digest_size=8).hexdigest()


def _messages(rec: SseEvent | Response) -> list[dict[str, Any]]:
    payload = rec.message if isinstance(rec, SseEvent) else rec.body
    if isinstance(payload, dict):
        return [payload]
    return [m for m in payload if isinstance(m, dict)] if isinstance(payload, list) else []


def _structured(msg: dict[str, Any]) -> dict[str, Any]:
    result = msg.get("result")
    content = result.get("structuredContent") if isinstance(result, dict) else None
    return content if isinstance(content, dict) else {}


def digest(history: History, client: str, *, segment: int, epoch: int) -> Digest:
    out = Digest(client, segment, epoch)
    order = {r.x: i for i, r in enumerate(r for r in history if isinstance(r, Request) and r.purpose == "call")}
    for rec in history:
        if isinstance(rec, Fault) and rec.action == "restart":
            out.restarts += 1
            continue
        if not isinstance(rec, SseEvent | Response):
            continue
        if isinstance(rec, SseEvent) and rec.id and rec.message is not None:
            out.ids.append((rec.stream or "", rec.id, fingerprint(rec.message), rec.seq))
        for msg in _messages(rec):
            params = msg.get("params")
            if msg.get("method") == "notifications/progress" and isinstance(params, dict):
                out.tokens.append((str(params.get("progressToken")), rec.seq))
            content = _structured(msg)
            job = content.get("job")
            if isinstance(job, str):
                out.jobs.append((job, rec.seq))
                count = content.get("job_runs_completed")
                if isinstance(count, int):
                    out.effects.append(Effect(job, count, rec.seq, order.get(rec.x, len(order))))
    return out
