from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.client.sse import SseLimitError, SseParser

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
