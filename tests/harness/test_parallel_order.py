"""The -j run's admission order (harness/parallel.py `longest_first`): the runs of the scenarios tagged `long`
first, each part in the scenario order, so the longest runs do not start last and make the tail."""

from __future__ import annotations

from harness.parallel import LONG_TAG, longest_first
from harness.revisions import ALL
from scenarios.api import all_scenarios


def test_long_runs_come_first_each_part_in_plan_order():
    plan = [(sc, rev) for sc in all_scenarios() for rev in ALL]
    runs = list(range(len(plan)))
    order = longest_first(plan, runs)
    tagged = [i for i in runs if LONG_TAG in plan[i][0].tags]
    assert tagged and len(tagged) < len(runs)
    assert order == tagged + [i for i in runs if i not in tagged]
    assert sorted(order) == runs  # nothing dropped, nothing twice


def test_the_suites_slowest_scenarios_are_tagged_long():
    # measured (README "Parallel runs"): each waits seconds on the server, not on the harness
    slow = {"task-lifecycle", "task-cut-poll", "task-restart-each-step", "toxic-thin-pipe", "toxic-lost-answer",
            "toxic-blackhole-stream"}
    assert slow <= {sc.name for sc in all_scenarios() if LONG_TAG in sc.tags}
