"""`faultline` command line: one subcommand per face, each in the module that owns it.

A subcommand module defines `configure(parser)` and `run(args) -> int`. Exit codes: 0 all good,
1 findings, 2 usage error, 3 harness error; 130 when interrupted (Ctrl-C, SIGINT), 143 on SIGTERM,
129 on SIGHUP, after the same clean unwinding (spawned servers stopped, reports not written; the
servers `agents` and `proxy` just stop, exit 0). A user mistake is one clear line, never a traceback
(set FAULTLINE_DEBUG=1 to see one for a harness error).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import textwrap
import threading
import traceback
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any

from harness import __version__
from harness.errors import HarnessError, UsageError

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "agents": ("reference_agents.server", "serve the reference agents (travel, research, long-running)"),
    "proxy": ("harness.proxy.cli", "run the embedded Toxiproxy-compatible fault proxy"),
    "check": ("harness.commands.check", "re-run the checks over a saved HISTORY.jsonl"),
    "run": ("harness.commands.run", "run the scenarios against a server (--target URL or --spawn CMD)"),
    "discover": ("harness.commands.discover", "list a server's tools, propose a role for each, write a profile"),
    "demo": ("harness.commands.demo", "reference agents + embedded proxy + all scenarios, with reports"),
    "list": ("harness.commands.list", "list scenarios, checks (requirement ids) and mutants"),
    "fuzz": ("harness.commands.fuzz", "explore fault schedules with Hypothesis; write shrunk repros"),
    "replay": ("harness.commands.replay", "re-run a repro file; exit 1 if the failure reproduces"),
    "load": ("harness.commands.load", "many concurrent clients under faults; per-client and cross-client checks"),
    "call": ("harness.commands.call", "an interactive MCP host: call a tool, answer it, resume it, judge what it saw"),
    "orchestrate": ("harness.commands.orchestrate", "the orchestrator plans a trip with two agents (--demo: with a fault)"),
}


EXIT_CODES = ("exit codes: 0 all good, 1 findings, 2 usage error, 3 harness error (target unreachable, spawned "
              "command died); ended by Ctrl-C 130, by SIGTERM 143, by SIGHUP 129, after stopping every server it "
              "spawned (the servers `agents` and `proxy` stop and exit 0)")


class HelpFormatter(argparse.HelpFormatter):
    """argparse's, but a line breaks only at spaces: never inside a hyphenated name (`progress-not-increasing`)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False, break_long_words=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return textwrap.fill(" ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=False, break_long_words=False)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen command's module is imported (start-up stays fast)."""
    parser = _Parser(prog="faultline", description="Prove an MCP server's agentic features survive a bad network.",
                     epilog=EXIT_CODES)
    parser.add_argument("--version", action="version", version=f"faultline {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(_module=module)
        if name == command:
            importlib.import_module(module).configure(p)
    return parser


_received: list[int] = []  # the terminating signals that arrived (SIGTERM, SIGHUP), in order
TERMINATING = (signal.SIGTERM, signal.SIGHUP)


def _as_interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM and SIGHUP do what Ctrl-C does: whatever handles SIGINT now (asyncio's runner cancels its
    main task, so every `finally` and exit stack runs; elsewhere KeyboardInterrupt) handles them."""
    _received.append(signum)
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler) and handler is not _as_interrupt:
        handler(signal.SIGINT, frame)
    else:
        raise KeyboardInterrupt


@contextlib.contextmanager
def signals_unwind() -> Iterator[None]:
    """While inside: SIGTERM and SIGHUP unwind like Ctrl-C (a signal the process was started ignoring stays
    ignored; only the main thread can install handlers). The previous handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in TERMINATING}
    _received.clear()
    for sig, old in previous.items():
        if old is not signal.SIG_IGN:
            signal.signal(sig, _as_interrupt)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def interrupted(prog: str = "faultline") -> int:
    """The one line and the exit code for a run ended by a signal: 128 + the signal's number."""
    sig = _received[-1] if _received else signal.SIGINT
    how = "interrupted" if sig == signal.SIGINT else "terminated"
    print(f"{prog}: {how} ({signal.Signals(sig).name})", file=sys.stderr)
    return 128 + sig


def innermost(exc: BaseException) -> BaseException:
    """What an exception group (a task group's) carries: a KeyboardInterrupt first, else its first exception."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        ki = exc.subgroup(KeyboardInterrupt)
        exc = (ki or exc).exceptions[0]
    return exc


def main(argv: Sequence[str] | None = None) -> int:
    with signals_unwind():
        try:
            return _main(argv)
        except KeyboardInterrupt:  # a second Ctrl-C while the first one unwinds
            return interrupted()


def _main(argv: Sequence[str] | None) -> int:
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        command = next((a for a in argv if not a.startswith("-")), None)
        parser = build_parser(command if command in COMMANDS else None)
        args = parser.parse_args(argv)
        if not getattr(args, "_module", None):
            parser.print_help()
            return 2
        return int(importlib.import_module(args._module).run(args) or 0)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the last line of defence: one line and an exit code
        return _exit_for(innermost(exc))


def _exit_for(exc: BaseException) -> int:
    if isinstance(exc, UsageError):
        msg = str(exc)
        print(msg if msg.startswith("faultline") else f"faultline: {msg}", file=sys.stderr)
        return 2
    if isinstance(exc, HarnessError):
        print(f"faultline: error: {exc}", file=sys.stderr)
        return 3
    if isinstance(exc, KeyboardInterrupt):
        return interrupted()
    if isinstance(exc, SystemExit):
        raise exc
    if os.environ.get("FAULTLINE_DEBUG"):
        traceback.print_exception(exc)
    print(f"faultline: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main())
