"""`faultline replay REPRO.json`: re-run a shrunk schedule; exit 1 if the failure reproduces."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.commands.options import proxy_spec
from harness.commands.run import add_target_options
from harness.errors import UsageError
from harness.fuzz import failing
from harness.fuzz_io import recorded_calibration, replay_once
from harness.profiles import load_profile
from harness.revisions import Revision
from harness.runner import RunConfig
from harness.targets import SpawnTarget, Target, UrlTarget
from scenarios.schedules import Schedule


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("repro", type=Path, help="a repro file written by `faultline fuzz`")
    add_target_options(p, required=False)  # without one: the repro's own target
    p.add_argument("--times", type=int, default=1, help="replay N times; reproduces if any run fails (default 1)")
    p.add_argument("--proxy", type=proxy_spec, default="embedded", help="embedded (default) or a real Toxiproxy API URL")


def load_repro(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("faultline_repro") != 1 or "schedule" not in data:
        raise UsageError(f"{path}: not a Faultline repro file")
    return data


def repro_target(data: dict, target: str | None = None, spawn: str | None = None, *, url: str | None = None,
                 startup_timeout: float = 30.0) -> Target:
    """The target given on the command line, else the repro's (a spawned one with the URL it was given)."""
    if url and not spawn and (target or not data.get("spawn")):
        raise UsageError("--url goes with --spawn (with --target, the target URL is the endpoint)")
    if target:
        return UrlTarget(target)
    if spawn:
        return SpawnTarget(spawn, url=url, startup_timeout=startup_timeout)
    if data.get("spawn"):
        return SpawnTarget(data["spawn"], url=url or data.get("spawn_url"), startup_timeout=startup_timeout)
    if data.get("url"):
        return UrlTarget(data["url"])
    raise UsageError("the repro names no target: give --target or --spawn")


def reproduces(data: dict, target: Target, proxy: str = "embedded") -> list[str]:
    """The requirement ids of the repro that fail again (empty: fixed)."""
    schedule = Schedule.from_json(data["schedule"])
    config = RunConfig(scenarios=[], revisions=(Revision(data["revision"]),),
                       profile=load_profile(data.get("profile") or "reference"), proxy=proxy,
                       time_scale=float(data.get("time_scale") or 1.0), calibration=recorded_calibration(data))
    result = replay_once(target, config, schedule, Revision(data["revision"]))
    return sorted(set(failing(result)) & set(data.get("failing") or []))


def run(args: argparse.Namespace) -> int:
    data = load_repro(args.repro)
    hits = 0
    for i in range(max(1, args.times)):
        target = repro_target(data, args.target, args.spawn, url=args.url, startup_timeout=args.startup_timeout)
        again = reproduces(data, target, args.proxy)
        hits += bool(again)
        print(f"run {i + 1}: {'reproduces: ' + ', '.join(again) if again else 'does not reproduce'}")
    print(f"{hits}/{max(1, args.times)} runs reproduce {data.get('describe', '')}")
    return 1 if hits else 0
