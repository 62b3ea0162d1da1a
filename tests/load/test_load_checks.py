"""The load workload's pure parts: the seeded plan asks the same for the same seed, and each cross-client check
PASSes clean digests and FAILs (WARNs, for a SHOULD) the one corruption it is about."""

from __future__ import annotations

from harness.history import History, Request, Response, SseEvent
from harness.load.checks import run_load_checks
from harness.load.digest import Digest, Effect, digest
from harness.load.plan import Plan, describe
from harness.profiles import CONFORMANCE_FIXTURES, REFERENCE, Profile
from harness.revisions import Revision


def test_the_same_seed_asks_the_same_and_another_seed_does_not():
    a = describe(Plan(7, 3, REFERENCE, Revision.R2025), 40)
    assert a == describe(Plan(7, 3, REFERENCE, Revision.R2025), 40)
    assert a != describe(Plan(8, 3, REFERENCE, Revision.R2025), 40)
    assert a != describe(Plan(7, 4, REFERENCE, Revision.R2025), 40)  # each client its own sequence
    assert {s.split(":")[0] for s in a} >= {"call", "cut", "toxic"}


def test_a_plan_only_asks_what_the_profile_can_play():
    steps = describe(Plan(1, 0, CONFORMANCE_FIXTURES, Revision.R2025), 60)
    assert {s.split(":")[0] for s in steps} <= {"call", "burst", "answer", "cut", "toxic"}
    assert not Plan(1, 0, Profile("empty", {}), Revision.R2025).playable
    no_faults = describe(Plan(1, 0, REFERENCE, Revision.R2025, faults=0.0), 60)
    assert not {s.split(":")[0] for s in no_faults} & {"cut", "toxic"}


def _status(digests: list[Digest]) -> dict[str, str]:
    return {v.requirement: v.status for v in run_load_checks(digests, "2025-11-25")}


def _clean() -> list[Digest]:
    a = Digest("c000", 0, 0, ids=[("post:2", "1-1-1", "f1", 3), ("post:2", "1-1-2", "f2", 4)],
               tokens=[("c000#1", 3)], jobs=[("job@c000", 4)],
               effects=[Effect("job@c000", 1, 4, 0)])
    b = Digest("c001", 0, 0, ids=[("post:2", "2-1-1", "f3", 3)], tokens=[("c001#1", 3)],
               jobs=[("job@c001", 4)], effects=[Effect("job@c001", 1, 4, 0)])
    a2 = Digest("c000", 1, 0, ids=[("post:3", "3-2-1", "f4", 3)], effects=[Effect("job@c000", 2, 5, 0)],
                jobs=[("job@c000", 5)])
    return [a, b, a2]


def test_clean_digests_pass_every_cross_client_check():
    assert set(_status(_clean()).values()) == {"PASS"}


def test_another_clients_progress_or_result_is_a_leak():
    ds = _clean()
    ds[1].tokens.append(("c000#1", 9))
    assert _status(ds)["load.isolation"] == "FAIL"
    ds = _clean()
    ds[1].jobs.append(("job@c000", 9))
    assert _status(ds)["load.isolation"] == "FAIL"


def test_an_effect_count_twice_or_out_of_order_fails():
    ds = _clean()
    ds[2].effects = [Effect("job@c000", 1, 5, 0)]
    got = _status(ds)
    assert got["load.effect.exactly-once"] == "FAIL" and got["load.order.per-client"] == "FAIL"
    ds[2].restarts = 1  # across a restart (an in-memory counter starts again): not judged
    got = _status(ds)
    assert got["load.effect.exactly-once"] == "PASS" and got["load.order.per-client"] == "PASS"


def test_event_ids_one_session_fails_across_sessions_warns():
    ds = _clean()
    ds[2].ids.append(("post:3", "1-1-1", "other", 7))  # the same client (session), another message
    assert _status(ds)["http.sse.event-id-unique"] == "FAIL"
    ds = _clean()
    ds[1].ids.append(("post:2", "1-1-1", "other", 7))  # another client
    got = _status(ds)
    assert got["http.sse.event-id-unique"] == "PASS" and got["load.event-id.cross-session"] == "WARN"
    ds = _clean()
    ds[1].ids.append(("post:2", "1-1-1", "f1", 7))  # the same message under the same id: no finding
    assert _status(ds)["load.event-id.cross-session"] == "PASS"


def test_a_digest_reads_only_the_history():
    h = History()
    h.append(Request(x=0, method="POST", url="u", purpose="call", stream="post:2",
                     body={"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {}}))
    h.append(Response(x=0, status=200, content_type="text/event-stream"))
    h.append(SseEvent(x=0, n=0, id="9-1-1", stream="post:2", data="{}",
                      message={"jsonrpc": "2.0", "method": "notifications/progress",
                               "params": {"progressToken": "c000#1", "progress": 1}}))
    h.append(SseEvent(x=0, n=1, id="9-1-2", stream="post:2", data="{}",
                      message={"jsonrpc": "2.0", "id": 2, "result": {
                          "structuredContent": {"job": "j@c000", "job_runs_completed": 3}}}))
    d = digest(h, "c000", segment=4, epoch=1)
    assert [t for t, _ in d.tokens] == ["c000#1"] and [j for j, _ in d.jobs] == ["j@c000"]
    assert [(e.job, e.count, e.order) for e in d.effects] == [("j@c000", 3, 0)]
    assert [i for _, i, _, _ in d.ids] == ["9-1-1", "9-1-2"] and (d.segment, d.epoch) == (4, 1)
