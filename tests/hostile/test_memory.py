"""The harness's peak memory stays bounded reading a 10,000-event stream and a 50 MB event
(measured as ru_maxrss of a fresh process running the whole harness: runner, proxy, client, checks)."""

from __future__ import annotations

import pytest

from hostile.memprobe import measure

PEAK_MB = 150.0  # the target, whole process


@pytest.mark.parametrize("case", ["many", "huge"])
def test_peak_memory_is_bounded(case: str) -> None:
    m = measure(case, deadline=8.0)
    print(m)
    assert m["peak_mb"] <= PEAK_MB, m
    if case == "many":
        assert m["events"] >= 10_000 and m["status"] != "ERROR", m  # it really read them all
    else:
        assert m["ends"], m  # the call ended (a limit, or the whole event), it did not hang
