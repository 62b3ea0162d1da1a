"""A call whose stream timed out while the nemesis blackholed it (a breaking toxic still active downstream, or
upstream since before its request) is the scenario's silence, never the server's; any other timeout is judged."""

from __future__ import annotations

import pytest

from harness.checks import run_checks
from harness.history import End, Fault, History, Meta, Request, Response, SseEvent

URL = "http://127.0.0.1:1/mcp"
CALL = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "t", "arguments": {}}}


def history(*, toxic: dict | None, before_request: bool = False, removed: bool = False) -> History:
    h = History()
    h.append(Meta(scenario="toxic-blackhole-stream", revision="2026-07-28"))
    add = Fault(action="add", proxy="p", toxic={"name": "timeout-1", **(toxic or {})})
    if toxic and before_request:
        h.append(add)
    h.append(Request(x=1, method="POST", url=URL, body=CALL, stream="post:2", purpose="call"))
    h.append(Response(x=1, status=200, content_type="text/event-stream"))
    h.append(SseEvent(x=1, n=0, data="{}", message={"jsonrpc": "2.0", "method": "notifications/progress",
                                                    "params": {"progressToken": "p", "progress": 1}}))
    if toxic and not before_request:
        h.append(add)
    if removed:
        h.append(Fault(action="remove", proxy="p", toxic={"name": "timeout-1"}))
    h.append(End(x=1, reason="timeout", detail="no end within 4s"))
    return h


def statuses(h: History) -> dict[str, str]:
    return {v.requirement: v.status for v in run_checks(h)
            if v.requirement in ("http.post.eventually-response", "harness.outcome.determinate")}


BLACKHOLE = {"type": "timeout", "stream": "downstream", "attributes": {"timeout": 0}}


@pytest.mark.parametrize(("toxic", "before", "removed", "judged"), [
    (None, False, False, True),  # no fault: the server's silence
    (BLACKHOLE, False, False, False),  # blackholed downstream until the end: the scenario's
    (BLACKHOLE, False, True, True),  # removed before the end: the server had time to answer
    ({**BLACKHOLE, "stream": "upstream"}, False, False, True),  # upstream after the request: it reached the server
    ({**BLACKHOLE, "stream": "upstream"}, True, False, False),  # upstream before the request: it never arrived
    ({"type": "latency", "stream": "downstream"}, False, False, True),  # not a breaking toxic
])
def test_a_timeout_is_judged_unless_the_nemesis_held_the_way(toxic, before, removed, judged):
    got = statuses(history(toxic=toxic, before_request=before, removed=removed))
    if judged:
        assert got == {"http.post.eventually-response": "WARN", "harness.outcome.determinate": "ERROR"}, got
    else:  # a SHOULD: WARN when judged
        assert got.get("http.post.eventually-response") not in ("FAIL", "WARN"), got
        assert got.get("harness.outcome.determinate") != "ERROR", got


def refused(status: int) -> History:
    """A call the server answered with an HTTP error and no stream (the harness's cut had lost the session's
    initialize, so the call carried no session: 400 "Missing session ID"), the connection then closed."""
    h = History()
    h.append(Meta(scenario="fuzz", revision="2025-11-25"))
    h.append(Request(x=1, method="POST", url=URL, body=CALL, stream="post:2", purpose="call"))
    h.append(Response(x=1, status=status, content_type="application/json",
                      body={"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Missing session ID"}}))
    h.append(End(x=1, reason="eof"))
    return h


@pytest.mark.parametrize(("status", "judged"), [(400, False), (404, False), (500, True)])
def test_a_call_refused_at_the_http_level_had_no_stream_to_answer_on(status, judged):
    got = statuses(refused(status)).get("http.post.eventually-response")
    assert (got == "WARN") is judged, got
