"""Checks on the standalone GET stream's resumes (2025-11-25): what the stream missed while it was cut is
replayed on the resume, once and in order, and nothing of another stream.

A POST stream's resume is compared with an undisturbed twin of the same call (streams.py); the standalone
stream has no twin, so its notifications say what they are: a burst (the `burst` role) numbers each log
message's data `{burst, seq, count}`, and the reassembled stream must carry seq 0..count-1 of each burst
exactly once, in that order. Duplicates (an event id twice) and foreign events need no numbering.
"""

from __future__ import annotations

from typing import Any

from harness.checks.model import Derived, Standalone, is_response, messages
from harness.checks.registry import Outcome, check
from harness.history import SseEvent, Verdict
from harness.revisions import Revision

R25 = (Revision.R2025,)
T25 = "2025-11-25_basic_transports.mdx"
RESUMABILITY = (f"{T25} § Resumability and Redelivery: the server MAY use this header to replay messages that "
                "would have been sent after the last event ID, on the stream that was disconnected, and to resume the "
                "stream from that point. [...] This mechanism applies regardless of how the original stream was "
                "initiated (via POST or GET)")
GRACE = 2.0  # seconds a resume stays open after its last burst message before a missing tail is a gap


def _resumed(d: Derived) -> list[Standalone]:
    return [s for s in d.standalone if len(s.xs) > 1]


def _burst_seqs(stream: list[SseEvent]) -> dict[str, tuple[int, list[tuple[int, int]]]]:
    """burst tag -> (count, [(seq, history seq of its event)] in stream order)."""
    out: dict[str, tuple[int, list[tuple[int, int]]]] = {}
    for e in messages(stream):
        m = e.message if isinstance(e.message, dict) else {}
        data = (m.get("params") or {}).get("data") if m.get("method") == "notifications/message" else None
        if isinstance(data, dict) and isinstance(data.get("seq"), int) and isinstance(data.get("count"), int):
            count, seen = out.setdefault(str(data.get("burst")), (data["count"], []))
            seen.append((data["seq"], e.seq))
    return out


def _waited(d: Derived, s: Standalone, after: float) -> bool:
    """The last exchange of the stream stayed open GRACE seconds past `after` (and past its own request), and
    nothing but the client or the server ended it: a tail still missing then is lost, not late."""
    last = s.xs[-1]
    end, req = d.ends.get(last), d.requests[last]
    if end is None or end.reason in ("error", "reset", "limit"):
        return False
    if d.closed_by_client(last) == "the nemesis broke connections while it was open":
        return False
    return end.t - max(after, req.t) >= GRACE or end.reason == "eof"


def _bursts_checked(d: Derived, out: Outcome, kind: str) -> Verdict:
    resumed = _resumed(d)
    if not resumed:
        return out.unseen("no standalone GET stream was resumed")
    n = 0
    for s in resumed:
        if kind == "dup":
            said = [e for e in messages(s.stream) if e.id]
            ids = [e.id for e in said]
            twice = [e.seq for e in said if ids.count(e.id) > 1]
            if twice:
                return out.fail(f"the standalone stream ({s.client}) delivered an event id twice across its "
                                f"{len(s.xs) - 1} resume(s)", twice[:8])
        for tag, (count, seen) in _burst_seqs(s.stream).items():
            n += 1
            seqs = [q for q, _ in seen]
            if kind == "dup" and len(seqs) != len(set(seqs)):
                return out.fail(f"burst {tag!r}: message(s) {sorted({q for q in seqs if seqs.count(q) > 1})[:6]} "
                                "delivered twice across the resume", [w for q, w in seen if seqs.count(q) > 1][:8])
            first = list(dict.fromkeys(seqs))
            if kind == "order" and first != sorted(first):
                at = next(i for i in range(1, len(first)) if first[i] < first[i - 1])
                return out.fail(f"burst {tag!r}: message {first[at]} came after {first[at - 1]} across the resume",
                                [w for q, w in seen if q in (first[at], first[at - 1])][:4])
            if kind == "gap":
                missing = sorted(set(range(count)) - set(seqs))
                inner = [q for q in missing if min(seqs) < q < max(seqs)]  # before the first: not yet open
                tail = [q for q in missing if q > max(seqs)]
                resume_seqs = [d.requests[x].seq for x in s.xs[1:]]
                if inner:
                    return out.fail(f"burst {tag!r}: {len(inner)} of {count} message(s) lost across the resume "
                                    f"(first {inner[:6]})", resume_seqs + [w for _, w in seen][-4:])
                if tail and _waited(d, s, d.h[seen[-1][1]].t):
                    end = d.ends[s.xs[-1]]
                    return out.fail(f"burst {tag!r}: the last {len(tail)} of {count} message(s) never came after "
                                    f"the resume (it ended: {end.reason})", resume_seqs + [seen[-1][1], end.seq])
    if not n and kind != "dup":
        return out.unseen("no numbered burst on a resumed standalone stream (the `burst` role)")
    return out.ok(f"{len(resumed)} resumed standalone stream(s), {n} burst(s) reassembled exactly")


@check("standalone-replay-no-gap", requirement="http.resume.no-gaps", revisions=R25, level="implied (MUST)",
       spec=RESUMABILITY)
def standalone_replay_no_gap(d: Derived, out: Outcome) -> Verdict:
    return _bursts_checked(d, out, "gap")


@check("standalone-replay-no-duplicate", requirement="http.resume.no-duplicates", revisions=R25,
       level="implied (MUST)", spec=RESUMABILITY + " (after the last event ID: not the ones the client already has)")
def standalone_replay_no_duplicate(d: Derived, out: Outcome) -> Verdict:
    return _bursts_checked(d, out, "dup")


@check("standalone-replay-in-order", requirement="http.resume.order", revisions=R25, level="implied (MUST)",
       spec=RESUMABILITY + " (resumed from that point: in the order they would have been sent)")
def standalone_replay_in_order(d: Derived, out: Outcome) -> Verdict:
    return _bursts_checked(d, out, "order")


@check("standalone-replay-per-stream", requirement="http.resume.per-stream", revisions=R25, level="MUST NOT",
       spec=f"{T25} § Resumability and Redelivery: the server MUST NOT replay messages that would have been "
            "delivered on a different stream")
def standalone_replay_per_stream(d: Derived, out: Outcome) -> Verdict:
    resumed = _resumed(d)
    if not resumed:
        return out.unseen("no standalone GET stream was resumed")
    for s in resumed:
        for x in s.xs[1:]:
            for e in messages(d.events.get(x, [])):
                m: Any = e.message if isinstance(e.message, dict) else {}
                origin = d.origin.get(e.id or "")
                if is_response(m) or (origin is not None and origin[1] not in s.xs):
                    return out.fail("the resume of the standalone GET stream replayed an event of a request's "
                                    "stream", [d.requests[x].seq, e.seq])
    return out.ok(f"{sum(len(s.xs) - 1 for s in resumed)} standalone resume(s) carried only their own stream")
