"""Compatibility, held by a replay: the 66 API calls recorded against a real Toxiproxy 2.12.0
(tests/proxy/fixtures/toxiproxy-2.12.0-api-answers.json) are made again, in order, against the proxy
under test, and each answer's status, content type and body shape must be the recorded one -- except
where harness/proxy/compat.py lists a deliberate difference, whose answer must then be the one listed.
Against a real Toxiproxy (TOXIPROXY_URL) no difference applies; proxy names get a per-run prefix there,
and proxies of other runs are ignored (one named with a `/` cannot be deleted afterwards: Toxiproxy
cannot address it)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import REAL

from harness.proxy import compat

pytestmark = pytest.mark.anyio

RECORDING = json.loads((Path(__file__).parent / "fixtures" / "toxiproxy-2.12.0-api-answers.json").read_text())
DOCS = Path(__file__).parents[2] / "docs" / "proxy.md"


def shape(value: Any) -> Any:
    """The structure of a JSON value: keys and the JSON types of the leaves (1 and 1.0 are both numbers)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items() if k not in compat.IGNORED_KEYS}
    if isinstance(value, list):
        return [shape(v) for v in value]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else "string"


def expected_answer(call: dict[str, Any]) -> tuple[int, str, Any]:
    """(status, content type, body shape) the proxy under test must give."""
    diff = None if REAL else compat.api_differences().get(call["label"])
    if diff is not None:
        assert diff.status is not None
        return diff.status, "text/plain; charset=utf-8", shape({"error": "", "status": 0})
    body = shape(call["json"]) if call["json"] is not None else call["text"]
    return call["status"], call["content_type"], body


def substitute(value: Any, names: dict[str, str], upstream: str, a_listen: str) -> Any:
    if isinstance(value, str):
        return value.replace("{UPSTREAM}", upstream).replace("{A_LISTEN}", a_listen)
    if isinstance(value, list):
        return [substitute(v, names, upstream, a_listen) for v in value]
    if isinstance(value, dict):
        return {k: (names.get(v, v) if k == "name" else substitute(v, names, upstream, a_listen))
                for k, v in value.items()}
    return value


async def replay(api: httpx.AsyncClient, echo: int) -> list[tuple[str, tuple[int, str, Any], tuple[int, str, Any]]]:
    """Make every recorded call; (label, expected, actual) for each."""
    prefix = f"r{uuid.uuid4().hex[:6]}-" if REAL else ""
    recorded_names = {"a", "b", "x y/z", "u", "n", "busy", "nope", "p", "q", "r"}
    names = {n: prefix + n for n in recorded_names}
    upstream, a_listen, rows = f"127.0.0.1:{echo}", "", []
    for call in RECORDING["calls"]:
        path = re.sub(r"^/proxies/([^/]+)", lambda m: "/proxies/" + names.get(m.group(1), m.group(1)), call["path"])
        request = call["request"] or {}
        kw: dict[str, Any] = {}
        if "json" in request:
            kw["json"] = substitute(request["json"], names, upstream, a_listen)
        elif "raw" in request:
            kw["content"] = request["raw"].encode()
        r = await api.request(call["method"], path, **kw)
        try:
            body: Any = r.json()
        except ValueError:
            body = None
        if call["label"] == "POST /proxies good":
            a_listen = body["listen"]
        if prefix and isinstance(body, dict) and call["path"] == "/proxies" and call["method"] == "GET":
            body = {k.removeprefix(prefix): v for k, v in body.items() if k.startswith(prefix)}  # this run's only
        actual_body = shape(body) if call["json"] is not None and body is not None else r.text
        rows.append((call["label"], expected_answer(call), (r.status_code, r.headers.get("content-type", ""),
                                                            actual_body)))
    return rows


async def test_the_recorded_toxiproxy_answers_replay_with_only_the_listed_differences(px, echo):
    assert len(RECORDING["calls"]) == 66
    async with httpx.AsyncClient(base_url=px.api_url, timeout=5) as api:
        rows = await replay(api, echo)
    mismatches = [(label, want, got) for label, want, got in rows if want != got]
    status = sum(want[0] == got[0] for _, want, got in rows)
    body = sum(want[2] == got[2] for _, want, got in rows)
    print(f"replayed {len(rows)} calls: status equal {status}/{len(rows)}, body shape equal {body}/{len(rows)}, "
          f"content type equal {sum(want[1] == got[1] for _, want, got in rows)}/{len(rows)}")
    assert not mismatches, "\n".join(f"{label}: want {want}, got {got}" for label, want, got in mismatches)
    if not REAL:  # every listed API difference is one of the recorded calls
        assert set(compat.api_differences()) <= {c["label"] for c in RECORDING["calls"]}


def test_the_docs_show_the_table_of_differences():
    assert compat.markdown() in DOCS.read_text(), "docs/proxy.md: paste harness.proxy.compat.markdown() in"
