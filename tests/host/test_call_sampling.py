"""The OpenAI-compatible sampling path (`--sampling-endpoint URL --sampling-model NAME`), against a STAND-IN: a
few lines of http.server that answer POST /v1/chat/completions as llama.cpp, vLLM or Ollama would, started by
the test on 127.0.0.1 (port 0). It is not a model: it records what it was sent and answers a fixed completion.
A real endpoint is the same flag with its own URL."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from host_terminal import FAULTLINE

COMPLETION = "Tides follow the moon; the stand-in says so."


class StandIn(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
        StandIn.received.append({"path": self.path, "body": body})
        answer = {"id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model"),
                  "choices": [{"index": 0, "finish_reason": "stop",
                               "message": {"role": "assistant", "content": COMPLETION}}]}
        data = json.dumps(answer if StandIn.status == 200 else {"error": "overloaded"}).encode()
        self.send_response(StandIn.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stand_in() -> Iterator[str]:
    StandIn.received, StandIn.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def call(url: str, endpoint: str, revision: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FAULTLINE, "call", "--target", url, "--revision", revision, "research_agent", "--arg",
                           "topic=tides", "--sampling-endpoint", endpoint, "--sampling-model", "stand-in-7b", "--yes"],
                          cwd=cwd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("revision", ["2025-11-25", "2026-07-28"])
def test_a_chat_completions_server_answers_the_sampling(agents, stand_in: str, tmp_path: Path, revision: str) -> None:
    server = agents()
    out = call(server.url, stand_in, revision, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Summary: {COMPLETION}" in out.stdout, out.stdout
    assert len(StandIn.received) == 1
    sent = StandIn.received[0]
    assert sent["path"] == "/v1/chat/completions" and sent["body"]["model"] == "stand-in-7b"
    assert sent["body"]["messages"][-1]["role"] == "user" and "tides" in sent["body"]["messages"][-1]["content"]


def test_a_failing_endpoint_is_an_error_answer_not_a_crash(agents, stand_in: str, tmp_path: Path) -> None:
    StandIn.status = 503
    server = agents()
    out = call(server.url, stand_in, "2025-11-25", tmp_path)
    assert "the sampling endpoint answered 503 without a completion" in out.stdout, out.stdout + out.stderr
    assert "Traceback" not in out.stderr and out.returncode in (0, 1), out.stdout + out.stderr
