"""Small servers the proxy tests run behind the proxy."""

from __future__ import annotations

import asyncio


async def echo_handler(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    """Echo every byte back until the peer closes."""
    try:
        while data := await r.read(65536):
            w.write(data)
            await w.drain()
    except ConnectionError:
        pass
    finally:
        w.close()
