"""`faultline proxy` runs the embedded server standalone and prints where its API is."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx


def test_faultline_proxy_serves_the_api_standalone():
    proc = subprocess.Popen([sys.executable, "-m", "harness", "proxy", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert m, line
        assert httpx.get(m.group(1) + "/version", timeout=5).json() == {"version": "2.12.0"}
    finally:
        proc.terminate()
        proc.wait(10)


def test_faultline_proxy_refuses_a_remote_host_without_allow_remote():
    proc = subprocess.run([sys.executable, "-m", "harness", "proxy", "--host", "0.0.0.0", "--port", "0"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "loopback" in proc.stderr and "Traceback" not in proc.stderr
