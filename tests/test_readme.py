"""README.md and `--help` say the same: every flag of every subcommand's `--help` is in the README's commands
table (on that command's row) or in a doc the README links (docs/*.md, naming the command); every nox session
is named in the README; the pytest ids it shows are the ones pytest prints; the quick start is two commands
that .ci/run runs literally (scripts/check_quickstart.py)."""

from __future__ import annotations

import argparse
import ast
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
quickstart_commands = runpy.run_path(str(ROOT / "scripts" / "check_quickstart.py"))["quickstart_commands"]


def table_row(command: str) -> str:
    rows = [ln for ln in README.splitlines() if ln.startswith(f"| `faultline {command}")]
    assert len(rows) == 1, f"README's commands table needs one row for `faultline {command}`, has {len(rows)}"
    return rows[0]


def linked_docs() -> str:
    return "\n".join((ROOT / m).read_text(encoding="utf-8") for m in sorted(set(re.findall(r"\((docs/[\w.-]+\.md)\)", README))))


def subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser(command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command]


def mentions(text: str, flag: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_flag_in_help_is_in_the_readme(command):
    p = subparser(command)
    row, docs = table_row(command), linked_docs()
    documented_elsewhere = f"faultline {command}" in docs
    missing = []
    for action in p._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        flags = action.option_strings  # one of its spellings is enough (`-k` for `-k/--scenario`)
        if flags and not any(mentions(row, f) or (documented_elsewhere and mentions(docs, f)) for f in flags):
            missing.append("/".join(flags))
        if not action.option_strings and action.choices:  # a positional's words: `list scenarios|checks|...`
            missing += [c for c in action.choices if not mentions(row, str(c))]
    assert not missing, f"`faultline {command} --help` has {missing}; README's row says: {row}"


def test_every_flag_in_the_readme_is_in_help():
    """The other way round: a flag the README's table gives a command exists (a renamed flag is caught)."""
    for command in COMMANDS:
        known = {f for a in subparser(command)._actions for f in a.option_strings}
        cell = table_row(command).split(" | ")[0]
        stale = [f for f in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", cell) if f not in known]
        assert not stale, f"README gives `faultline {command}` {stale}, which its --help does not have"


def test_every_nox_session_is_in_the_readme():
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    sessions = [f.name for f in tree.body if isinstance(f, ast.FunctionDef)
                and any("session" in ast.unparse(d) for d in f.decorator_list)]
    section = README.split("### nox sessions", 1)[1].split("\n### ", 1)[0]
    assert sessions and not [s for s in sessions if f"`{s}" not in section], (sessions, section)


def test_the_pytest_ids_the_readme_shows_are_what_pytest_prints(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "--faultline-target", "http://127.0.0.1:9/mcp", "-k", "resume-each-boundary"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    ids = [ln for ln in done.stdout.splitlines() if "resume-each-boundary@" in ln]
    assert ids, done.stdout + done.stderr
    assert f"`{ids[0]}`" in README, f"pytest prints {ids[0]!r}; README should show it"


def test_the_quick_start_is_two_commands_that_ci_runs():
    demo, tests = quickstart_commands(README)
    assert demo.endswith("faultline demo") and tests.endswith("nox -s tests")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/check_quickstart.py" in ci
    assert not re.search(r"(?m)^[^#]*python3 -m pip install", ci), "CI must not pip install outside a venv (PEP 668)"


def test_help_never_breaks_a_name_mid_word(monkeypatch):
    from reference_agents.mutants import REGISTRY

    monkeypatch.setenv("COLUMNS", "80")
    text = subparser("agents").format_help()
    assert not [m for m in REGISTRY if m not in text], "a mutant name was wrapped at a hyphen"
    assert not re.search(r"[a-z]-\n", text), text
