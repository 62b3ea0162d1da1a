from __future__ import annotations

import pytest

from harness.history import End, History, HistoryFormatError, Meta, Request, SseEvent, Verdict, jsonrpc


def test_history_roundtrip_numbers_and_types(tmp_path):
    h = History()
    h.append(Meta(scenario="s", revision="2025-11-25"))
    x = h.new_exchange()
    h.append(Request(x=x, method="POST", url="http://127.0.0.1/mcp", body={"jsonrpc": "2.0", "id": 1}))
    h.append(SseEvent(x=x, n=0, id="e1", data='{"jsonrpc":"2.0","id":1,"result":{}}',
                      message={"jsonrpc": "2.0", "id": 1, "result": {}}))
    h.append(End(x=x, reason="eof"))
    h.append(Verdict(check="c", requirement="r", revision="2025-11-25", level="MUST", status="FAIL", witness=[2]))
    p = h.save(tmp_path / "h.jsonl")
    back = History.load(p)
    assert [r.kind for r in back] == ["meta", "request", "sse", "end", "verdict"]
    assert [r.seq for r in back] == [0, 1, 2, 3, 4]
    assert back.events(x)[0].id == "e1"
    assert jsonrpc(back.events(x)[0]) == [{"jsonrpc": "2.0", "id": 1, "result": {}}]
    assert back.new_exchange() == x + 1


def test_history_bad_line_names_line(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"kind":"meta","scenario":"s","revision":"r"}\n{"kind":"nope"}\n')
    with pytest.raises(HistoryFormatError, match="line 2"):
        History.load(p)
