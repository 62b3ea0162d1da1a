"""`faultline call` as a person uses it, at both revisions: a terminal (tmux on a private socket) where the
test types what a person would (send-keys) and reads the screen (capture-pane, polled with a hard timeout).
A travel booking with the price confirmation accepted, then declined; a research call answered with a typed
sampling completion; a long call cut with `c` through the fault proxy and resumed by the host."""

from __future__ import annotations

import re

import pytest

REVISIONS = ("2025-11-25", "2026-07-28")


def book(t, answer: str) -> None:
    t.wait_for(r"destination \(string, required\)")
    t.type("Lisbon")
    for field in ("travellers", "budget", "dates", "idempotency_key"):
        t.wait_for(rf"{field} \(")
        t.type("")
    t.wait_for(r"Book at this price\?:")
    t.wait_for(r"the server asks: Book the trip to Lisbon for \$\d+\?")
    t.type("yes")
    t.wait_for(r"notes \(string, optional")
    t.type("window seat")
    t.wait_for(r"accept, decline or cancel\? \[a/d/c\]:")
    t.type(answer)


@pytest.mark.parametrize("revision", REVISIONS)
def test_travel_booking_accepted_then_declined(agents, tmux, revision: str) -> None:
    server = agents()
    accepted = tmux(["--target", server.url, "--revision", revision, "travel_agent"])
    book(accepted, "a")
    assert accepted.exit_code() == 0, accepted.screen()
    screen = accepted.screen()
    assert re.search(r"result: Booked: Lisbon for \$\d+", screen), screen
    assert re.search(r"\d+ PASS, 0 FAIL", screen), screen

    declined = tmux(["--target", server.url, "--revision", revision, "travel_agent"])
    book(declined, "d")
    assert declined.exit_code() == 0, declined.screen()
    screen = declined.screen()
    assert "was cancelled by the user: the user declined the price confirmation" in screen, screen
    assert "Booked:" not in screen


@pytest.mark.parametrize("revision", REVISIONS)
def test_research_with_a_typed_sampling_answer(agents, tmux, revision: str) -> None:
    server = agents()
    t = tmux(["--target", server.url, "--revision", revision, "research_agent", "--arg", "topic=tides"])
    t.wait_for(r"the server asks your model:")
    t.wait_for(r"type the completion \(empty line: refuse\):")
    t.type("The moon pulls the sea twice a day.")
    assert t.exit_code() == 0, t.screen()
    assert "Summary: The moon pulls the sea twice a day." in t.screen(), t.screen()


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_cut_with_c_and_the_resume(agents, tmux, revision: str) -> None:
    server = agents("--step-delay", "0.15")
    t = tmux(["--target", server.url, "--revision", revision, "--through-proxy", "long_running_agent", "--args",
              '{"steps": 20}'])
    t.wait_for(r"keys: d network down, u up, c cut the stream, l latency on/off")
    t.wait_for(r"step 3/20")
    t.send("c")
    t.wait_for(r"\[c\] stream cut")
    how = r"resuming from event \S+" if revision == "2025-11-25" else r"re-issuing the call"
    t.wait_for(rf"the stream ended before the result \(\S+\): {how}")
    assert t.exit_code(90) == 0, t.screen()
    screen = t.screen()
    assert screen.count("result: Completed 20 steps.") == 1, screen
    if revision == "2025-11-25":  # the resumed stream compared with an undisturbed twin
        assert re.search(r"PASS\s+replay-no-gap\s+http.resume.no-gaps", screen), screen


@pytest.mark.parametrize("revision", REVISIONS)
def test_ctrl_c_then_resume_from_the_state_file(agents, tmux, revision: str) -> None:
    server = agents("--step-delay", "0.15")
    first = tmux(["--target", server.url, "--revision", revision, "long_running_agent", "--args", '{"steps": 20}',
                  "--state", "s.json"])
    first.wait_for(r"step 3/20")
    first.send("C-c")
    assert first.exit_code() == 130, first.screen()
    again = tmux(["--resume", "s.json"])
    how = r"resuming long_running_agent \(request \d+, session \w+\) from event" if revision == "2025-11-25" else \
        r"this revision has no Last-Event-ID \(a closed response stream cancels the call\): re-issuing the call"
    again.wait_for(how)
    assert again.exit_code(90) == 0, again.screen()
    assert again.screen().count("result: Completed 20 steps.") == 1, again.screen()


def test_keys_latency_down_and_up(agents, tmux) -> None:
    server = agents("--step-delay", "0.15")
    t = tmux(["--target", server.url, "--through-proxy", "long_running_agent", "--args", '{"steps": 20}'])
    t.wait_for(r"step 2/20")
    t.send("l")
    t.wait_for(r"\[l\] latency on \(500 ms\)")
    t.send("d")
    t.wait_for(r"\[d\] network down \(u brings it up\)")
    t.wait_for(r"the network is down: waiting for it to come up \(u\)")
    t.send("u")
    t.wait_for(r"\[u\] network up")
    assert t.exit_code(90) == 0, t.screen()
    screen = t.screen()
    assert screen.count("result: Completed 20 steps.") == 1 and "resuming from event" in screen, screen
