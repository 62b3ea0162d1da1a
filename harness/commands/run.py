"""`faultline run`: every selected scenario against one server, through the fault proxy."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import anyio

from harness.baseline import judge, load_expected
from harness.commands.options import (
    default_jobs,
    jobs,
    output_file,
    output_folder,
    positive_float,
    proxy_spec,
)
from harness.errors import UsageError
from harness.heartbeat import HEARTBEAT_S, Heartbeat
from harness.profiles import load_profile
from harness.report.junit import write_junit
from harness.report.summary import Tally, tally
from harness.report.terminal import Progress, summary, totals_line
from harness.report.verdicts import RunInfo, write_json
from harness.revisions import parse as parse_revisions
from harness.runner import RunConfig, ScenarioResult, run_suite
from harness.targets import SpawnTarget, Target, UrlTarget
from scenarios.api import select


def add_target_options(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    """--target URL | --spawn CMD [--url URL] [--startup-timeout S]: every face that takes a server
    (run, fuzz, replay, discover); `make_target(args)` turns them into a Target."""
    g = p.add_mutually_exclusive_group(required=required)
    g.add_argument("--target", metavar="URL", help="MCP endpoint of a running server")
    g.add_argument("--spawn", metavar="CMD",
                   help="start this command, wait until it serves (its URL printed on stdout or stderr, or --url), "
                        "stop its whole process group after")
    p.add_argument("--url", metavar="URL",
                   help="with --spawn: the MCP endpoint the command serves, for a server that prints no URL")
    p.add_argument("--startup-timeout", type=positive_float, default=30.0, metavar="S",
                   help="with --spawn: seconds for the command to print its URL and accept a connection (default 30)")


def add_run_options(p: argparse.ArgumentParser, *, target: bool = True) -> None:
    if target:
        add_target_options(p)
        p.add_argument("--profile", default=None,
                       help="reference | conformance-fixtures | FILE (YAML/JSON roles → tools, e.g. written by "
                            "`faultline discover`); default: reference on the reference agents, else roles "
                            "discovered from tools/list (no tool called)")
    p.add_argument("--revision", default="all", help="2025-11-25 | 2026-07-28 | all (default)")
    p.add_argument("-k", "--scenario", action="append", metavar="NAME",
                   help="run scenarios whose name or tag contains NAME (repeatable)")
    p.add_argument("--proxy", type=proxy_spec, default=os.environ.get("TOXIPROXY_URL") or "embedded",
                   help="embedded (default) or the API URL of a real Toxiproxy ($TOXIPROXY_URL)")
    p.add_argument("--out", default="faultline-out", type=output_folder, help="folder for histories (default faultline-out)")
    p.add_argument("--json", type=output_file, metavar="PATH", help="write verdicts as JSON")
    p.add_argument("--junit", type=output_file, metavar="PATH", help="write JUnit XML")
    p.add_argument("--html", type=output_file, metavar="PATH", help="write the HTML timeline report")
    p.add_argument("--expected-failures", type=Path, metavar="FILE", help="YAML baseline of known failures")
    p.add_argument("--strict", action="store_true", help="WARN (a broken SHOULD) fails the run too")
    p.add_argument("--allow-empty", action="store_true",
                   help="exit 0 even when nothing applied (every scenario run NOT-APPLICABLE or NOT-OBSERVED)")
    p.add_argument("--time-scale", type=positive_float, default=os.environ.get("FAULTLINE_TIME_SCALE", "1"),
                   help="multiply every deadline (default 1, or $FAULTLINE_TIME_SCALE)")
    p.add_argument("-j", "--jobs", type=jobs, default=default_jobs(), metavar="N",
                   help=f"scenario runs at once, each through its own embedded proxy; a run that restarts the "
                        f"target never shares it (run: they come alone after the rest; demo: on twins of the "
                        f"agents) (default: 4 per core, at most 16: {default_jobs()} here; 1: one after another)")


def configure(p: argparse.ArgumentParser) -> None:
    add_run_options(p)


def make_target(args: argparse.Namespace) -> Target:
    """The Target of add_target_options' flags (UsageError for --url or --startup-timeout without --spawn)."""
    url, startup = getattr(args, "url", None), getattr(args, "startup_timeout", 30.0)
    if getattr(args, "spawn", None) is None:
        if url:
            raise UsageError("--url goes with --spawn (with --target, the target URL is the endpoint)")
        return UrlTarget(args.target)
    if startup <= 0:
        raise UsageError("--startup-timeout must be positive")
    return SpawnTarget(args.spawn, url=url, startup_timeout=startup)


def config_from(args: argparse.Namespace, profile_spec: str | None) -> RunConfig:
    try:
        revisions = parse_revisions(args.revision)
        scenarios = select(args.scenario)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.time_scale <= 0:
        raise UsageError("--time-scale must be positive")
    return RunConfig(scenarios=scenarios, revisions=revisions, profile=load_profile(profile_spec),
                     proxy=args.proxy, time_scale=args.time_scale, out_dir=args.out,
                     jobs=getattr(args, "jobs", 1))


def execute(args: argparse.Namespace, target: Target, config: RunConfig) -> int:
    expected = load_expected(args.expected_failures) if args.expected_failures else []
    progress = Progress(len(config.scenarios) * len(config.revisions))
    started = time.time()
    with Heartbeat(progress.status, every=None if progress.tty else HEARTBEAT_S, stream=progress.out) as beat:
        progress.say = beat.say
        results: list[ScenarioResult] = anyio.run(
            lambda: run_suite(target, config, on_result=progress.result, on_start=progress.start,
                              on_notice=progress.notice, on_finish=progress.finish))
    info = RunInfo(target=target.description or target.url, profile=_profile_of(results, config),
                   revisions=tuple(r.value for r in config.revisions), started_at=started, finished_at=time.time())
    summary(results)
    counts = tally(results)
    write_reports(args, results, info, counts, expected={(e.scenario, e.check, e.revision or r) for e in expected
                                                         for r in ("2025-11-25", "2026-07-28")})
    j = judge(results, expected)
    failures = j.new_failures if args.strict else [f for f in j.new_failures if f[3] == "FAIL"]
    for e in j.stale:
        print(f"stale expected failure (now passes): {e.scenario} {e.check} {e.revision or ''}")
    if j.expected_failures:
        print(f"{len(j.expected_failures)} expected failure(s) ignored (baseline)")
    print(totals_line(counts))
    empty = counts.nothing_applied and not getattr(args, "allow_empty", False)
    if counts.nothing_applied:
        print(f"nothing applied: all {counts.runs} scenario run(s) were NOT-APPLICABLE or NOT-OBSERVED, so this run "
              "shows nothing about the server" + (" (--allow-empty: exit 0)" if not empty else
                                                   "; exit 1 (--allow-empty to accept it)"))
    return 1 if (failures or j.stale or j.errors or empty) else 0


def _profile_of(results: list[ScenarioResult], config: RunConfig) -> str:
    """The profile the scenarios ran with (the preflight may have discovered it), as their histories record it."""
    for r in results:
        meta = r.history.meta
        if meta is not None and meta.profile:
            return meta.profile
    return config.profile.name


def write_reports(args: argparse.Namespace, results: list[ScenarioResult], info: RunInfo, counts: Tally,
                  expected: set[tuple[str, str, str]]) -> None:
    if args.json:
        print(f"json:  {write_json(results, info, args.json, counts)}")
    if args.junit:
        print(f"junit: {write_junit(results, args.junit, expected)}")
    if args.html:
        from harness.report.html import write_html

        print(f"html:  {write_html(results, args.html, info, counts)}")
    if args.out:
        print(f"histories: {args.out / 'histories'}")


def run(args: argparse.Namespace) -> int:
    config = config_from(args, args.profile)
    return execute(args, make_target(args), config)
