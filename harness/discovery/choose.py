"""From probe observations to roles: each role gets the tool whose call showed what the role needs.

A role no probed tool showed keeps its tools/list guess (harness/discovery/roles.py) only if that
guess's tool was not called (skipped, or not annotated safe): a call that did not show the behaviour
refutes the guess.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.discovery.arguments import arguments_for
from harness.discovery.probe import Observation
from harness.discovery.roles import Proposal, candidates
from scenarios.api import EFFECT, ELICIT, LONG, PROGRESS, RESOURCE, SAMPLE, SERVER_CLOSE, TASK, TASK_INPUT

SLOW = 10.0  # seconds: a progress call slower than this makes the resume scenarios crawl


def _plain(o: Observation) -> bool:
    return o.variant in ("plain", "close")


def _tests() -> dict[str, tuple[Callable[[Observation], bool], Callable[[Observation], str]]]:
    """role -> (does this observation show what the role needs, the evidence in words)."""
    return {
        PROGRESS: (lambda o: o.variant == "plain" and o.answered and o.notifications >= 2 and not o.asked,
                   lambda o: f"{o.progress} progress + {o.logs} log notification(s) on its own stream in "
                             f"{o.seconds:.2f}s"),
        ELICIT: (lambda o: _plain(o) and o.answered and o.asked_form and not o.sampled,
                 lambda o: f"asked a form elicitation and answered in {o.seconds:.2f}s"),
        SAMPLE: (lambda o: _plain(o) and o.answered and o.sampled and not o.asked_form,
                 lambda o: f"asked sampling/createMessage and answered in {o.seconds:.2f}s"),
        SERVER_CLOSE: (lambda o: _plain(o) and o.answered and bool(o.closed),
                       lambda o: f"the server closed the call's stream before its response ({o.closed}); "
                                 f"{o.follows} reconnect(s) reached it"),
        EFFECT: (lambda o: _plain(o) and o.answered and o.job_runs is not None,
                 lambda o: f"its result counts completed runs (job_runs_completed {o.job_runs})"),
        RESOURCE: (lambda o: _plain(o) and o.answered and o.asked_form and bool(o.uris_before_question),
                   lambda o: f"named {o.uris_before_question[0]} in a progress message, then asked a form "
                             f"elicitation{'; ' + o.resources if o.resources else ''}"),
        TASK: (lambda o: o.variant == "task" and o.answered and "input_required" not in o.task_statuses,
               lambda o: "ran as a task: " + " → ".join(o.task_statuses)
                         + ("; its statusMessage says step k/N" if o.task_steps else
                            "; no statusMessage said 'step k/N' (task-restart-each-step kills at step 0 only)")),
        TASK_INPUT: (lambda o: o.variant.startswith("task") and o.answered and "input_required" in o.task_statuses
                     and o.asked_form,
                     lambda o: "ran as a task and asked a form elicitation: " + " → ".join(o.task_statuses)),
    }


def _rank(role: str, o: Observation, guessed: list[str]) -> tuple[float, ...]:
    hint = -guessed.index(o.tool) if o.tool in guessed else -len(guessed)
    if role == PROGRESS:  # quick calls first (resume scenarios repeat them), then more notifications
        return (o.seconds <= SLOW, hint, min(o.notifications, 10), -o.seconds)
    if role == TASK:
        return (o.task_steps, hint, -o.seconds)
    if role == SERVER_CLOSE:
        return (o.closed == "with retry", o.variant == "plain", hint, -o.seconds)
    return (hint, -len(o.arguments), -o.seconds)


def choose(observations: list[Observation], guesses: dict[str, Proposal], tools: dict[str, dict[str, object]],
           *, offers_tasks: bool, called: set[str]) -> dict[str, Proposal]:
    """The roles the observations fill (verified), then the guesses no call refuted (unverified)."""
    out: dict[str, Proposal] = {}
    for role, (shows, evidence) in _tests().items():
        fits = [o for o in observations if shows(o)]
        if not fits:
            continue
        guessed = candidates(role if role != RESOURCE else ELICIT, tools, offers_tasks=offers_tasks)  # type: ignore[arg-type]
        best = max(fits, key=lambda o: _rank(role, o, guessed))
        out[role] = Proposal(role, best.tool, dict(best.arguments), evidence(best), verified=True)
    if PROGRESS in out:
        p = out[PROGRESS]
        out[LONG] = Proposal(LONG, p.tool, arguments_for(tools[p.tool], longer=True),  # type: ignore[arg-type]
                             "the progress tool, with its count and duration knobs doubled where it has them "
                             f"(not called with these; the progress call took {_seconds(observations, p.tool):.2f}s)")
    for role, guess in guesses.items():
        if role not in out and guess.tool not in called:
            out[role] = guess
    return out


def _seconds(observations: list[Observation], tool: str) -> float:
    return next((o.seconds for o in observations if o.tool == tool and o.variant == "plain"), 0.0)

