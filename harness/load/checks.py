"""The cross-client checks of a load run: pure functions over every client's digests (digest.py), each with a
requirement id (the catalogue's row where one fits, else a `load.*` id documented in README), a level and the
rule it quotes. Witnesses are `client/segment/seq` strings in the message (the segments' histories are saved
under --out only when one of their own checks failed)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from harness.checks.registry import CheckSpec, Outcome
from harness.history import Verdict
from harness.load.digest import Digest
from harness.revisions import ALL

T25 = "2025-11-25_basic_transports.mdx"
LoadCheck = Callable[[Sequence[Digest], Outcome], Verdict]
LOAD_CHECKS: dict[str, CheckSpec] = {}


def load_check(name: str, *, requirement: str, level: str, spec: str) -> Callable[[LoadCheck], LoadCheck]:
    def register(fn: LoadCheck) -> LoadCheck:
        LOAD_CHECKS[name] = CheckSpec(name, requirement, ALL, level, spec, fn)
        return fn
    return register


def token_owner(token: str) -> str:
    return token.split("#", 1)[0]


def job_owner(job: str) -> str:
    return job.rsplit("@", 1)[-1] if "@" in job else ""


def _where(d: Digest, seq: int) -> str:
    return f"{d.client}/segment {d.segment}/seq {seq}"


@load_check("load-isolation", requirement="load.isolation", level="implied (MUST NOT)",
            spec=f"{T25} § Multiple Connections: the server MUST send each of its JSON-RPC messages on only one of "
                 "the connected streams; § Session Management: a session's messages belong to it")
def isolation(digests: Sequence[Digest], out: Outcome) -> Verdict:
    """No progress notification for another client's token, no result naming another client's effect job."""
    seen, leaks = 0, []
    for d in digests:
        for token, seq in d.tokens:
            seen += 1
            if token_owner(token) != d.client:
                leaks.append(f"{d.client} received progress for {token_owner(token)}'s token {token} "
                             f"({_where(d, seq)})")
        for job, seq in d.jobs:
            seen += 1
            if job_owner(job) and job_owner(job) != d.client:
                leaks.append(f"{d.client} received the result of {job_owner(job)}'s call (job {job}, "
                             f"{_where(d, seq)})")
    if leaks:
        return out.fail(f"{len(leaks)} message(s) reached another client: {leaks[0]}", [])
    return out.ok(f"{seen} client-marked message(s), each at its own client") if seen \
        else out.unseen("no client-marked message (progress token or effect job) was received")


def _runs(digests: Sequence[Digest]) -> list[tuple[str, str, list[tuple[int, int, int, int]]]]:
    """(client, job, [(segment, order, count, seq)] in call order) per client, job and server process (epoch),
    of the effect counts outside restart segments."""
    runs: dict[tuple[str, str, int], list[tuple[int, int, int, int]]] = defaultdict(list)
    for d in digests:
        if d.restarts:
            continue  # a count reported across a restart belongs to neither side: not judged
        for e in d.effects:
            if job_owner(e.job) == d.client:
                runs[(d.client, e.job, d.epoch)].append((d.segment, e.order, e.count, e.seq))
    return [(client, job, sorted(counts)) for (client, job, _), counts in sorted(runs.items())]


@load_check("load-effect-once", requirement="load.effect.exactly-once", level="implied (MUST)",
            spec="JSON-RPC 2.0 § 5: a response answers the one request it names; the effect tool counts each "
                 "completed run once, so two completed runs of one job never report the same count")
def effect_once(digests: Sequence[Digest], out: Outcome) -> Verdict:
    n = 0
    for client, job, counts in _runs(digests):
        seen: dict[int, tuple[int, int]] = {}
        for seg, _, count, seq in counts:
            n += 1
            if count in seen:
                s0, q0 = seen[count]
                return out.fail(f"{client}: two completed runs of job {job} both report count {count} "
                                f"(segment {s0}/seq {q0} and segment {seg}/seq {seq}): one effect counted twice "
                                "or a result reused", [])
            seen[count] = (seg, seq)
    return out.ok(f"{n} effect count(s), none twice") if n else out.unseen("no effect count was received")


@load_check("load-order-per-client", requirement="load.order.per-client", level="implied (MUST)",
            spec="a client's sequential calls of one effect job complete in the order it made them: the counts "
                 "the server reports grow in that order (within one server process)")
def order_per_client(digests: Sequence[Digest], out: Outcome) -> Verdict:
    n = 0
    for client, job, counts in _runs(digests):
        n += len(counts)
        for (s0, _, c0, q0), (s1, _, c1, q1) in zip(counts, counts[1:], strict=False):
            if c1 <= c0:
                return out.fail(f"{client}: job {job}: count {c1} (segment {s1}/seq {q1}) came after count {c0} "
                                f"(segment {s0}/seq {q0}) of an earlier call", [])
    return out.ok(f"{n} effect count(s) in call order") if n else out.unseen("no effect count was received")


def _clash(digests: Sequence[Digest], per_client: bool) -> tuple[int, tuple[str, str, Digest, int] | None,
                                                                 tuple[str, str, Digest, int] | None]:
    """(ids seen, first sighting, clashing sighting) of the first id carrying two different messages: within one
    client (`per_client`) or at two different clients. A sighting: (fingerprint, stream, digest, seq)."""
    seen: dict[tuple[str, str], tuple[str, str, Digest, int]] = {}
    n = 0
    for d in digests:
        for stream, eid, fp, seq in d.ids:
            n += 1
            first = seen.setdefault((d.client if per_client else "", eid), (fp, stream, d, seq))
            if first[0] != fp and (per_client or first[2].client != d.client):
                return n, first, (fp, stream, d, seq)
    return n, None, None


@load_check("load-event-id-session", requirement="http.sse.event-id-unique", level="MUST",
            spec=f"{T25} § Resumability and Redelivery: event IDs MUST be globally unique across all streams "
                 "within that session")
def event_id_in_session(digests: Sequence[Digest], out: Outcome) -> Verdict:
    """One client is one session: across all its segments, one id never carries two different messages."""
    n, first, again = _clash(digests, per_client=True)
    if first is not None and again is not None:
        eid = next(i for s, i, f, q in again[2].ids if q == again[3])
        return out.fail(f"{again[2].client}: event id {eid} carried two different messages (stream {first[1]} at "
                        f"{_where(first[2], first[3])}; stream {again[1]} at {_where(again[2], again[3])})", [])
    return out.ok(f"{n} event id(s)") if n else out.unseen("no event ids")


@load_check("load-event-id-clients", requirement="load.event-id.cross-session", level="implied (SHOULD)",
            spec=f"{T25} § Resumability and Redelivery: these event IDs should be assigned by servers on a "
                 "per-stream basis, to act as a cursor within that particular stream")
def event_id_across_clients(digests: Sequence[Digest], out: Outcome) -> Verdict:
    """An id seen by two clients with different messages is a cursor into two streams (WARN: the spec asks
    uniqueness within a session only)."""
    n, first, again = _clash(digests, per_client=False)
    if first is not None and again is not None:
        eid = next(i for s, i, f, q in again[2].ids if q == again[3])
        return out.fail(f"event id {eid} named different messages at {first[2].client} "
                        f"({_where(first[2], first[3])}) and {again[2].client} ({_where(again[2], again[3])})", [])
    return out.ok(f"{n} event id(s), none shared across clients") if n else out.unseen("no event ids")


def run_load_checks(digests: Sequence[Digest], revision: str) -> list[Verdict]:
    verdicts = []
    for spec in LOAD_CHECKS.values():
        out = Outcome(spec, revision)
        try:
            v = spec.fn(digests, out)
        except Exception as exc:  # noqa: BLE001 - a check bug: ERROR, contained
            v = out._v("ERROR", f"the check raised {type(exc).__name__}: {exc}")
        v.scenario = "load"
        verdicts.append(v)
    return verdicts
