"""`faultline` command line: one subcommand per face, each in the module that owns it.

A subcommand module defines `configure(parser)` and `run(args) -> int`. Exit codes: 0 all good,
1 findings, 2 usage error, 3 harness error. A user mistake is one clear line, never a traceback
(set FAULTLINE_DEBUG=1 to see one for a harness error).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

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
    "list": ("harness.commands.list", "list scenarios and checks with requirement ids"),
    "fuzz": ("harness.commands.fuzz", "explore fault schedules with Hypothesis; write shrunk repros"),
    "replay": ("harness.commands.replay", "re-run a repro file; exit 1 if the failure reproduces"),
    "orchestrate": ("harness.commands.orchestrate", "the orchestrator plans a trip with two agents (--demo: with a fault)"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen command's module is imported (start-up stays fast)."""
    parser = _Parser(prog="faultline", description="Prove an MCP server's agentic features survive a bad network.")
    parser.add_argument("--version", action="version", version=f"faultline {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(_module=module)
        if name == command:
            importlib.import_module(module).configure(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        command = next((a for a in argv if not a.startswith("-")), None)
        parser = build_parser(command if command in COMMANDS else None)
        args = parser.parse_args(argv)
        if not getattr(args, "_module", None):
            parser.print_help()
            return 2
        return int(importlib.import_module(args._module).run(args) or 0)
    except UsageError as exc:
        msg = str(exc)
        print(msg if msg.startswith("faultline") else f"faultline: {msg}", file=sys.stderr)
        return 2
    except HarnessError as exc:
        print(f"faultline: error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("faultline: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, exit 3
        if os.environ.get("FAULTLINE_DEBUG"):
            traceback.print_exc()
        print(f"faultline: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
