"""`faultline proxy`: the embedded Toxiproxy-compatible server, standalone."""

from __future__ import annotations

import argparse
import asyncio

from harness.errors import HarnessError, UsageError
from harness.proxy.api import ApiServer
from harness.proxy.proxy import ProxyError


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="API address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8474, help="API port (default 8474; 0 picks one)")
    p.add_argument("--allow-remote", action="store_true", help="allow non-loopback API and proxy addresses")


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"faultline proxy: --port must be between 0 and 65535, not {args.port}")

    async def main() -> None:
        server = ApiServer(args.host, args.port, allow_remote=args.allow_remote)
        try:
            await server.start()
        except ProxyError as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise HarnessError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
        print(f"faultline proxy: Toxiproxy API on {server.url}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    return 0
