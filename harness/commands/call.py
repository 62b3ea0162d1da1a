"""`faultline call`: an interactive MCP host — call one tool, watch its progress, answer its elicitation and
sampling, lose the network and come back with the stored tokens, then see the checks' verdicts on what it
saw (harness/host/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import anyio

from harness.commands.options import output_file, positive_float
from harness.commands.run import add_target_options, make_target
from harness.errors import UsageError
from harness.host.call import CallOptions, new_call, resume_call
from harness.host.form import parse_elicit
from harness.host.picker import arguments_from_flags
from harness.host.sampling import parse_source
from harness.revisions import Revision


def configure(p: argparse.ArgumentParser) -> None:
    add_target_options(p, required=False)
    p.add_argument("tool", nargs="?", metavar="TOOL", help="the tool to call (none: pick one from the list)")
    p.add_argument("--args", dest="args_json", metavar="JSON", help="the tool's arguments as a JSON object")
    p.add_argument("--arg", dest="arg_pairs", action="append", default=[], metavar="K=V",
                   help="one argument, its value read as the inputSchema's type (repeatable)")
    p.add_argument("--revision", default=Revision.R2025.value, choices=[r.value for r in Revision],
                   help="the protocol revision to speak (default 2025-11-25)")
    p.add_argument("--state", type=output_file, metavar="FILE",
                   help="keep the resumption tokens here, rewritten atomically as each arrives (the history "
                        "beside it, FILE.history.jsonl)")
    p.add_argument("--resume", type=Path, metavar="FILE",
                   help="come back to the call of this state file: Last-Event-ID (2025-11-25), the task re-polled "
                        "or the call re-issued (2026-07-28)")
    p.add_argument("--history", type=output_file, metavar="PATH", help="write the history here (JSONL)")
    p.add_argument("--through-proxy", action="store_true",
                   help="put the embedded fault proxy in between; keys while a call runs: d network down, u up, "
                        "c cut the stream, l latency on/off")
    p.add_argument("--yes", action="store_true",
                   help="no questions: answers come from --elicit and --sampling (also when stdin is not a terminal)")
    p.add_argument("--elicit", metavar="ANSWER",
                   help="accept | accept:JSON | decline | cancel, for every elicitation (default accept, with the "
                        "schema's defaults)")
    p.add_argument("--sampling", metavar="SOURCE",
                   help="scripted:TEXT | refuse | ask (default: ask at a terminal, else refuse)")
    p.add_argument("--sampling-endpoint", metavar="URL",
                   help="an OpenAI-compatible chat-completions server answers sampling (llama.cpp, vLLM, Ollama: "
                        "http://HOST:PORT/v1; a key from $OPENAI_API_KEY)")
    p.add_argument("--sampling-model", metavar="NAME", help="the model to ask, with --sampling-endpoint")
    p.add_argument("--task", action="store_true", help="ask the server to run the call as a task, and follow it")
    p.add_argument("--no-twin", dest="twin", action="store_false",
                   help="after a resumed call, do not call the tool once more undisturbed (the checks then have "
                        "nothing to compare the resumed stream with)")
    p.add_argument("--repro", type=output_file, metavar="OUT.json",
                   help="write the call as a repro file that `faultline replay` re-runs")
    p.add_argument("--deadline", type=positive_float, default=600.0, metavar="S",
                   help="seconds one exchange may last (default 600)")


def run(args: argparse.Namespace) -> int:
    interactive = sys.stdin.isatty() and not args.yes
    opts = CallOptions(
        revision=Revision(args.revision), tool=args.tool, args_json=args.args_json, arg_pairs=args.arg_pairs,
        state=args.state, history=args.history, through_proxy=args.through_proxy,
        keys=args.through_proxy and sys.stdin.isatty(), interactive=interactive, elicit=parse_elicit(args.elicit),
        sampling=parse_source(args.sampling, args.sampling_endpoint, args.sampling_model, interactive=interactive),
        repro=args.repro, twin=args.twin, task=args.task, deadline=args.deadline)
    # the syntax of --args and --arg before connecting (the values are read against the inputSchema after)
    arguments_from_flags(args.args_json, [p.split("=", 1)[0] + "=" if "=" in p else p for p in args.arg_pairs], {})
    if args.resume is not None:
        if args.tool or args.args_json or args.arg_pairs or args.spawn:
            raise UsageError("--resume takes the call from its state file: no TOOL, --args, --arg or --spawn")
        if not args.resume.is_file():
            raise UsageError(f"--resume {args.resume}: no such state file")
        return anyio.run(resume_call, args.resume, opts, args.target)
    if not args.target and not args.spawn:
        raise UsageError("faultline call: give --target URL or --spawn CMD (or --resume FILE)")
    return anyio.run(new_call, make_target(args), opts)
