"""Checks on durable results as resources: subscriptions and update notifications (2025-11-25),
listen streams (2026-07-28), reads that never go backwards, unknown URIs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from harness.checks.model import Derived
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import Revision

R25 = (Revision.R2025,)
R26 = (Revision.R2026,)
BOTH = (Revision.R2025, Revision.R2026)
RES25 = "2025-11-25_server_resources.mdx"
RES26 = "2026-07-28_server_resources.mdx"
SUBS26 = "2026-07-28_basic_patterns_subscriptions.mdx"
UPDATED = "notifications/resources/updated"
LIST_CHANGED = "notifications/resources/list_changed"
ACK = "notifications/subscriptions/acknowledged"
SUB_ID = "io.modelcontextprotocol/subscriptionId"
INF = 1 << 60
# Forward order of the statuses Faultline knows (the reference agents'); unknown statuses are compared by
# the `version` a read carries, when it carries one.
RANK = {"pending": 0, "awaiting_confirmation": 1, "confirmed": 2, "cancelled": 2,
        "researching": 0, "summarizing": 1, "done": 2, "summary_unavailable": 2}


@dataclass
class Read:
    session: str
    uri: str
    req: int  # seq of the request
    resp: int  # seq of the response
    kind: str  # ok | empty | error | none
    text: str = ""
    status: str | None = None
    version: int | None = None
    code: Any = None


@dataclass
class Note:
    session: str
    uri: str
    seq: int
    x: int


@dataclass
class Sub:
    session: str
    uri: str
    start: int  # seq from which it is active (subscribe response / listen acknowledgment)
    end: int = INF  # seq from which it is not (unsubscribe response / end of the listen stream)


def _msg_params(msg: Any) -> dict[str, Any]:
    return (msg.get("params") or {}) if isinstance(msg, dict) else {}


class ResourceView:
    def __init__(self, d: Derived) -> None:
        self.reads: list[Read] = []
        self.updates: list[Note] = []
        self.list_changes: list[Note] = []
        self.subs: list[Sub] = []
        self.lists: list[tuple[str, int, int, set[str]]] = []  # (session, req seq, resp seq, uris)
        for call in d.calls:
            resp, rseq = d.response_of(call), d.response_seq(call)
            uri = str((call.params or {}).get("uri", ""))
            if call.method == "resources/read":
                self.reads.append(_read(call.session, uri, call.request.seq, rseq, resp))
            elif call.method == "resources/list" and resp is not None and "result" in resp:
                uris = {str(r.get("uri")) for r in (resp["result"].get("resources") or []) if isinstance(r, dict)}
                self.lists.append((call.session, call.request.seq, rseq or INF, uris))
            elif call.method == "resources/subscribe" and resp is not None and "result" in resp:
                self.subs.append(Sub(call.session, uri, rseq or INF))
            elif call.method == "resources/unsubscribe" and resp is not None and "result" in resp:
                for s in self.subs:
                    if s.session == call.session and s.uri == uri and s.end == INF:
                        s.end = rseq or INF
        for x, evs in d.events.items():
            session = d.session_of.get(x, "")
            for e in evs:
                m = e.message if isinstance(e.message, dict) else {}
                if m.get("method") == UPDATED:
                    self.updates.append(Note(session, str(_msg_params(m).get("uri")), e.seq, x))
                elif m.get("method") == LIST_CHANGED:
                    self.list_changes.append(Note(session, "", e.seq, x))
        self.listens = [c for c in d.calls if c.method == "subscriptions/listen"]
        for c in self.listens:
            evs = d.events.get(c.xs[0], [])
            ack = next((e for e in evs if isinstance(e.message, dict) and e.message.get("method") == ACK), None)
            if ack is None:
                continue
            end = d.ends.get(c.xs[0])
            wanted = (c.params.get("notifications") or {}).get("resourceSubscriptions") or []
            for uri in wanted:
                self.subs.append(Sub(c.session, str(uri), ack.seq, end.seq if end is not None else INF))
        self.updates.sort(key=lambda n: n.seq)
        self.reads.sort(key=lambda r: r.req)

    def ok_reads(self, session: str | None, uri: str) -> list[Read]:
        return [r for r in self.reads if r.kind == "ok" and r.uri == uri and (session is None or r.session == session)]


def _read(session: str, uri: str, req: int, resp_seq: int | None, resp: Any) -> Read:
    r = Read(session, uri, req, resp_seq if resp_seq is not None else INF, "none")
    if not isinstance(resp, dict):
        return r
    if "error" in resp:
        r.kind, r.code = "error", (resp.get("error") or {}).get("code")
        return r
    contents = (resp.get("result") or {}).get("contents")
    if not contents:
        r.kind = "empty"
        return r
    first = contents[0] if isinstance(contents[0], dict) else {}
    r.kind, r.text = "ok", str(first.get("text", first.get("blob", "")))
    try:
        data = json.loads(r.text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        r.status = data.get("status") if isinstance(data.get("status"), str) else None
        r.version = data.get("version") if isinstance(data.get("version"), int) else None
    return r


def _describe(r: Read) -> str:
    return r.status or (r.text[:40] if r.text else r.kind)


@check("resource-update-notified", requirement="resources.updated.notified", revisions=BOTH, level="implied (MUST)",
       spec=f"{RES25} § Subscriptions: clients can subscribe to specific resources and receive notifications when "
            f"they change; {SUBS26}: notifications/resources/updated on the listen stream whenever a watched "
            "resource changes")
def resource_update_notified(d: Derived, out: Outcome) -> Verdict:
    v = ResourceView(d)
    changes = 0
    for s in v.subs:
        reads = [r for r in v.ok_reads(s.session, s.uri) if s.start < r.req and r.resp < s.end]
        for a, b in zip(reads, reads[1:], strict=False):
            if a.text == b.text:
                continue
            changes += 1
            heard = [n for n in v.updates if n.session == s.session and n.uri == s.uri and s.start < n.seq < b.resp]
            if not heard:
                return out.fail(f"{s.uri} changed from {_describe(a)} to {_describe(b)} while subscribed, and no "
                                f"{UPDATED} came", [s.start, a.resp, b.resp])
    if not changes:
        return out.unseen("no subscribed resource was seen to change (two reads with different contents)")
    return out.ok(f"{changes} change(s) of subscribed resources, each notified")


@check("resource-update-after-commit", requirement="resources.updated.after-commit", revisions=BOTH,
       level="implied (MUST)",
       spec=f"{RES25} § Subscriptions (the notification says the resource changed; the client then reads it): a "
            "read made after the notification must show the new state, not the one before the change")
def resource_update_after_commit(d: Derived, out: Outcome) -> Verdict:
    v = ResourceView(d)
    n_checked = 0
    for u in v.updates:
        reads = v.ok_reads(u.session, u.uri)
        earlier = [n.seq for n in v.updates if n.session == u.session and n.uri == u.uri and n.seq < u.seq]
        floor = earlier[-1] if earlier else INF
        before = [r for r in reads if r.resp < u.seq and r.resp < floor]
        after = [r for r in reads if r.req > u.seq]
        if not before or not after:
            continue
        n_checked += 1
        if after[0].text == before[-1].text:
            return out.fail(f"after {UPDATED} for {u.uri}, a read still showed the state before the change "
                            f"({_describe(after[0])})", [before[-1].resp, u.seq, after[0].resp])
    if not n_checked:
        return out.unseen("no update notification had a read before and after it")
    return out.ok(f"{n_checked} notification(s), each followed by a read of the new state")


@check("resource-update-only-subscribed", requirement="resources.updated.only-subscribed", revisions=R25,
       level="implied (MUST NOT)",
       spec=f"{RES25} § Subscriptions: updates are sent for the resources a client subscribed to (and, after "
            "resources/unsubscribe, no longer)")
def resource_update_only_subscribed(d: Derived, out: Outcome) -> Verdict:
    v = ResourceView(d)
    if not v.updates:
        return out.unseen(f"no {UPDATED}")
    for u in v.updates:
        active = [s for s in v.subs if s.session == u.session and s.uri == u.uri and s.start < u.seq < s.end]
        if not active:
            ended = [s for s in v.subs if s.session == u.session and s.uri == u.uri and s.end < u.seq]
            why = "after the client unsubscribed" if ended else "without a subscription"
            return out.fail(f"{UPDATED} for {u.uri} {why}", [u.seq] + [s.end for s in ended[:1]])
    return out.ok(f"{len(v.updates)} update(s), each for a subscribed resource")


@check("resource-list-changed", requirement="resources.list-changed", revisions=BOTH, level="SHOULD",
       spec=f"{RES25} § List Changed Notification: servers that declared listChanged SHOULD send "
            f"{LIST_CHANGED} when the list of available resources changes")
def resource_list_changed(d: Derived, out: Outcome) -> Verdict:
    v = ResourceView(d)
    seen = 0
    for i, (session, _req, resp, uris) in enumerate(v.lists):
        later = [entry for entry in v.lists[i + 1:] if entry[0] == session]
        if not later:
            continue
        _, nreq, nresp, nuris = later[0]
        new = sorted(nuris - uris)
        if not new:
            continue
        seen += 1
        if not any(n.session == session and resp < n.seq < nreq for n in v.list_changes):
            return out.fail(f"{new[0]} appeared in resources/list with no {LIST_CHANGED} before it", [resp, nresp])
    return out.ok(f"{seen} new resource(s), each announced") if seen else out.unseen("no new resource was listed")


@check("resource-status-forward", requirement="resources.status.forward", revisions=BOTH, level="implied (MUST)",
       spec="Faultline's durability rule (the issue's pillar: results outlive a connection and a restart): reads "
            "of one resource never show an older state than an earlier read, across sessions, resumes and restarts")
def resource_status_forward(d: Derived, out: Outcome) -> Verdict:
    v = ResourceView(d)
    uris = sorted({r.uri for r in v.reads if r.kind == "ok"})
    if not uris:
        return out.unseen("no resource was read")
    for uri in uris:
        reads = sorted((r for r in v.reads if r.uri == uri and r.kind != "none"), key=lambda r: r.resp)
        best: Read | None = None
        for r in reads:
            if r.kind != "ok":
                if best is not None:
                    return out.fail(f"{uri} was readable ({_describe(best)}) and later answered "
                                    f"{'an error ' + str(r.code) if r.kind == 'error' else 'empty contents'}: "
                                    "the resource was lost", [best.resp, r.resp])
                continue
            if best is not None and _older(r, best):
                return out.fail(f"{uri} went back from {_describe(best)} to {_describe(r)}", [best.resp, r.resp])
            if best is None or not _older(r, best):
                best = r
    return out.ok(f"{len(uris)} resource(s), reads never went backwards")


def _older(r: Read, than: Read) -> bool:
    if r.version is not None and than.version is not None:
        return r.version < than.version
    if r.status in RANK and than.status in RANK:
        return RANK[r.status] < RANK[than.status] or (RANK[r.status] == RANK[than.status] == 2
                                                         and r.status != than.status)
    return False


@check("resource-read-unknown", requirement="resources.read.unknown", revisions=BOTH, level="MUST",
       spec=f"{RES26} § Error Handling: if the requested resource does not exist, servers MUST return a JSON-RPC "
            "error with code -32602 and MUST NOT return an empty contents array; "
            f"{RES25} § Error Handling: Resource not found: -32002")
def resource_read_unknown(d: Derived, out: Outcome) -> Verdict:
    probes = [c for c in d.calls if c.method == "resources/read" and c.request.purpose == "unknown-resource"]
    if not probes:
        return out.unseen("no read of an unknown URI was made")
    codes = d.traits.resource_not_found_codes
    for c in probes:
        resp, seq = d.response_of(c), d.response_seq(c)
        wit = [c.request.seq] + ([seq] if seq is not None else [])
        r = _read(c.session, "", c.request.seq, seq, resp)
        if r.kind == "none":
            return out.unseen("the read of an unknown URI got no JSON-RPC response")
        if r.kind == "empty":
            return out.fail(f"{c.params.get('uri')} does not exist and the read returned empty contents", wit)
        if r.kind == "ok":
            return out.fail(f"{c.params.get('uri')} does not exist and the read returned contents", wit)
        if r.code not in codes:
            return out.fail(f"{c.params.get('uri')} does not exist: error {r.code}, expected {codes[0]}", wit)
    return out.ok(f"{len(probes)} unknown URI(s) refused with {codes[0]}")


def _listens(d: Derived) -> list[tuple[Any, list[Any]]]:
    out = []
    for c in ResourceView(d).listens:
        evs = [e for e in d.events.get(c.xs[0], []) if isinstance(e.message, dict)]
        out.append((c, evs))
    return out


@check("listen-ack-first", requirement="subs.ack-first", revisions=R26, level="MUST",
       spec=f"{SUBS26} § Acknowledgment: the server MUST send notifications/subscriptions/acknowledged as the first "
            "message carrying the subscription's ID ... and MUST NOT send any notification on the subscription "
            "before it")
def listen_ack_first(d: Derived, out: Outcome) -> Verdict:
    streams = [(c, evs) for c, evs in _listens(d) if evs]
    if not streams:
        return out.unseen("no subscriptions/listen stream carried a message")
    for c, evs in streams:
        first = evs[0]
        sid = ((first.message.get("params") or {}).get("_meta") or {}).get(SUB_ID)
        if first.message.get("method") != ACK:
            return out.fail(f"listen {c.rpc_id}: the first message was {first.message.get('method')}, not the "
                            "acknowledgment", [c.request.seq, first.seq])
        if sid != c.rpc_id:
            return out.fail(f"listen {c.rpc_id}: the acknowledgment carries subscription id {sid!r}",
                            [c.request.seq, first.seq])
    return out.ok(f"{len(streams)} listen stream(s), each acknowledged first")


@check("listen-id-on-every", requirement="subs.id-on-every", revisions=R26, level="MUST",
       spec=f"{SUBS26} § Receiving Notifications: the server MUST include io.modelcontextprotocol/subscriptionId in "
            "_meta so the client can correlate the notification with the originating subscription request")
def listen_id_on_every(d: Derived, out: Outcome) -> Verdict:
    n = 0
    for c, evs in _listens(d):
        for e in evs:
            if "method" not in e.message:
                continue
            n += 1
            sid = ((e.message.get("params") or {}).get("_meta") or {}).get(SUB_ID)
            if sid != c.rpc_id or type(sid) is not type(c.rpc_id):
                return out.fail(f"listen {c.rpc_id!r}: {e.message.get('method')} carries subscription id {sid!r}",
                                [c.request.seq, e.seq])
    return out.ok(f"{n} notification(s), each with its subscription id") if n else out.unseen("no listen notification")


@check("listen-filter", requirement="subs.filter", revisions=R26, level="MUST NOT",
       spec=f"{SUBS26} § Opening a Stream: the server MUST NOT send notification types the client has not "
            "explicitly requested")
def listen_filter(d: Derived, out: Outcome) -> Verdict:
    n = 0
    for c, evs in _listens(d):
        asked = c.params.get("notifications") or {}
        uris = {str(u) for u in asked.get("resourceSubscriptions") or []}
        allowed = {ACK}
        for key, method in (("resourcesListChanged", LIST_CHANGED), ("toolsListChanged", "notifications/tools/"
                            "list_changed"), ("promptsListChanged", "notifications/prompts/list_changed")):
            if asked.get(key):
                allowed.add(method)
        for e in evs:
            method = e.message.get("method")
            if method is None:
                continue
            n += 1
            if method == UPDATED and str(_msg_params(e.message).get("uri")) in uris:
                continue
            if method not in allowed:
                what = f"{method} for {_msg_params(e.message).get('uri')}" if method == UPDATED else str(method)
                return out.fail(f"listen {c.rpc_id} asked for {sorted(k for k, v in asked.items() if v)} and got "
                                f"{what}", [c.request.seq, e.seq])
    return out.ok(f"{n} listen message(s), all requested") if n else out.unseen("no listen notification")
