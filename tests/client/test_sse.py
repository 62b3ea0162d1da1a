from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_wire.sse import SseLimitError, SseParser, parse_all

STREAM = (b"\xef\xbb\xbf: comment\r\nid: 1\r\ndata: {\"a\":1}\r\n\r\n"
          b"id: 2\nevent: note\ndata: line one\ndata: line two\nretry: 250\n\n"
          b"data: cr only\r\r"
          b"id: bad\x00id\ndata: x\n\n")


def events(chunks):
    p = SseParser()
    out = []
    for c in chunks:
        out += p.feed(c)
    return [(e.id, e.event, e.data, e.retry) for e in out]


def test_parses_crlf_cr_lf_comments_multiline_retry_bom_and_nul_ids():
    assert events([STREAM]) == [
        ("1", "message", '{"a":1}', None),
        ("2", "note", "line one\nline two", 250),
        (None, "message", "cr only", None),
        (None, "message", "x", None),
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, len(STREAM)), max_size=12))
def test_any_split_gives_the_same_events(cuts):
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    assert events(chunks) == events([STREAM])


def test_limits_are_enforced():
    p = SseParser(max_line=100, max_event=100)
    with pytest.raises(SseLimitError):
        p.feed(b"data: " + b"x" * 200)
    p = SseParser(max_line=1000, max_event=100)
    with pytest.raises(SseLimitError):
        p.feed(b"data: " + b"y" * 60 + b"\ndata: " + b"y" * 60 + b"\n")


def test_split_chunks_crlf_and_retry():
    p = SseParser()
    raw = b"id: 1\r\nretry: 50\r\ndata:\r\n\r\nid: 2\ndata: {\"a\"\ndata: :1}\n\n: comment\n\nid: 3\rdata: x\r\r\n"
    events = [ev for i in range(len(raw)) for ev in p.feed(raw[i:i + 1])]
    assert [(e.id, e.data, e.retry) for e in events] == [("1", "", 50), ("2", '{"a"\n:1}', None), ("3", "x", None)]


def test_priming_message_and_parse_all():
    prime, msg, bad, unterminated = b"id: p1\nretry: 10\ndata:\n\n", b'id: 2\ndata: {"id": 1}\n\n', b"data: {no\n\n", b"data: x"
    events = parse_all(prime + msg + bad + unterminated)
    assert [(e.priming, e.message()) for e in events] == [(True, None), (False, {"id": 1}), (False, None)]
