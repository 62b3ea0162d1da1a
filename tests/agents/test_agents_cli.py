"""`faultline agents` user mistakes: one clear line and an exit code, never a traceback."""

from __future__ import annotations

import socket

import anyio
import pytest
from agents_wire import RawClient

from harness.cli import main
from reference_agents.behaviour import Behaviour
from reference_agents.mutants import MUTANTS
from reference_agents.server import running_agents


@pytest.mark.parametrize(("argv", "words"), [
    (["agents", "--mutant", "no-such-bug"], "unknown mutant 'no-such-bug'"),
    (["agents", "--store", "disk"], "--store must be"),
    (["agents", "--step-delay", "-1"], "--step-delay must be >= 0"),
    (["agents", "--port", "70000"], "--port must be between"),
    (["agents", "--port", "x"], "invalid int value"),
    (["agents", "--elicitation-timeout", "-1"], "--elicitation-timeout must be >= 0"),
])
def test_usage_errors_are_one_line_exit_2(argv: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and "\n" not in err and "Traceback" not in err


def test_busy_port_is_one_line_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        assert main(["agents", "--port", str(busy.getsockname()[1])]) == 3
    err = capsys.readouterr().err.strip()
    assert "cannot listen on 127.0.0.1" in err and "\n" not in err


def test_mutant_names_are_documented_one_line_each() -> None:
    assert "replay-handoff-gap" in MUTANTS
    assert all(desc and "\n" not in desc for desc in MUTANTS.values())


@pytest.mark.anyio
async def test_running_agents_rejects_unknown_mutant_and_serves_the_client_token() -> None:
    with pytest.raises(ValueError, match="unknown mutant"):
        async with running_agents(mutant="nope"):
            pass
    async with running_agents() as url, RawClient(url) as c:
        await c.open()
        with anyio.fail_after(5):
            body = c.request("tools/call", {"name": "long_running_agent", "arguments": {"steps": 3}},
                             id=3, progress_token=999)
            async with c.post(body) as s:
                evs = await s.read_all()
        tokens = {e.msg["params"]["progressToken"] for e in evs if e.msg and e.msg.get("method") ==
                  "notifications/progress"}
        assert tokens == {999}  # the client's token, never the request id




@pytest.mark.parametrize(("configured", "mutant", "waits"), [
    (3.0, None, 3.0), (300.0, None, 300.0), (None, None, None),  # `--elicitation-timeout 0`: None, for ever
    (300.0, "elicitation-waits-forever", None),  # the mutant's bug stays its own
])
def test_elicitation_timeout_reaches_the_travel_agent(configured: float | None, mutant: str | None,
                                                      waits: float | None, monkeypatch: pytest.MonkeyPatch) -> None:
    import reference_agents.server as server

    built: list[Behaviour] = []
    real = server.behaviour_for
    monkeypatch.setattr(server, "behaviour_for", lambda name: built.append(real(name)) or built[-1])
    server.build_app(server.AgentsConfig(elicitation_timeout=configured, mutant=mutant), server.open_storage("memory"))
    assert [b.elicitation_timeout() for b in built] == [waits]
