"""A small resumable fastmcp server for the third-party corpus (the same file runs on fastmcp 3.4.2 and 4.2.3).

One tool, `count {n, delay_ms}`, reports progress with `ctx.report_progress(i, n, msg)` at each step.
Served with `mcp.http_app(path="/mcp", event_store=EventStore())` under uvicorn on 127.0.0.1:

    FASTMCP_CHECK_FOR_UPDATES=off python fastmcp_progress.py PORT     # 0: any free port

It binds the port first, then prints `listening on http://127.0.0.1:PORT/mcp`.
It is run with the interpreter of a fastmcp venv, never imported by Faultline.
"""

import asyncio
import socket
import sys

import uvicorn
from fastmcp import Context, FastMCP
from fastmcp.server.event_store import EventStore

mcp = FastMCP("faultline-progress")


@mcp.tool
async def count(ctx: Context, n: int = 5, delay_ms: int = 100) -> str:
    """Counts to n, one step every delay_ms, reporting progress at each step."""
    for i in range(1, n + 1):
        await asyncio.sleep(delay_ms / 1000)
        await ctx.report_progress(i, n, f"step {i}/{n}")
    return f"counted to {n}"


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    app = mcp.http_app(path="/mcp", event_store=EventStore())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}/mcp", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    asyncio.run(server.serve(sockets=[sock]))


if __name__ == "__main__":
    main()
