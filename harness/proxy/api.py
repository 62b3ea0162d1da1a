"""The HTTP API, as Toxiproxy 2.12 answers it (status codes, bodies, error shape), on asyncio."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import unquote

from harness.proxy.models import CAPABILITIES_PATH, capabilities_body
from harness.proxy.proxy import Proxy, ProxyError, is_loopback, split_hostport

VERSION = "2.12.0"
MAX_BODY = 1024 * 1024


class ApiError(dict[str, Any]):
    """An error body: `{"error": message, "status": code}`, sent as Toxiproxy sends errors (text/plain)."""


class ApiServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 8474, *, allow_remote: bool = False) -> None:
        self.host, self.port, self.allow_remote = host, port, allow_remote
        self.proxies: dict[str, Proxy] = {}
        self._server: asyncio.base_events.Server | None = None
        # the API connections being served: their handler task and the writer that ends them
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        if not self.allow_remote and not is_loopback(self.host):
            raise ProxyError(f"{self.host} is not a loopback address (use --allow-remote)", 400)
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            # A keep-alive API connection waits for its next request: close it, so its handler reads EOF and
            # returns; wait for that, so no handler is left for the event loop to cancel at its end (asyncio 3.11
            # logs "Exception in callback ... CancelledError" for a start_server handler task that ends
            # cancelled, and "Task was destroyed but it is pending" for one never finished).
            handlers = [t for t in self._connections if t is not asyncio.current_task()]
            for task in handlers:
                self._connections[task].close()
            if handlers:
                _, pending = await asyncio.wait(handlers, timeout=1)
                for task in pending:  # stuck in a request: cancelled, which its handler turns into a close
                    task.cancel()
                if pending:
                    await asyncio.wait(pending, timeout=1)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)
        for p in list(self.proxies.values()):
            await p.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections[task] = writer
        try:
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = (lines[0].split(" ") + ["", ""])[:3]
                headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
                length = int(headers.get("content-length") or 0)
                if length > MAX_BODY:
                    await self._send(writer, 413, {"error": "request body too large", "status": 413})
                    return
                body = await reader.readexactly(length) if length else b""
                if headers.get("user-agent", "").startswith("Mozilla/"):
                    status, payload = 403, "User agent not allowed"
                else:
                    status, payload = await self.route(method, path.split("?")[0], body)
                await self._send(writer, status, payload, keep=headers.get("connection", "").lower() != "close")
                if headers.get("connection", "").lower() == "close":
                    return
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError, ValueError):
            return
        except asyncio.CancelledError:  # stop() gave up waiting: the connection just closes (see stop())
            return
        finally:
            if task is not None:
                self._connections.pop(task, None)
            with contextlib.suppress(Exception):
                writer.close()

    async def _send(self, writer: asyncio.StreamWriter, status: int, payload: Any, *, keep: bool = False) -> None:
        reason = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 403: "Forbidden",
                  404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large",
                  500: "Internal Server Error"}.get(status, "Status")
        if status == 204 or payload == "":
            data, ctype = b"", ""
        elif isinstance(payload, str):
            data, ctype = payload.encode(), "text/plain; charset=utf-8"
        elif isinstance(payload, bytes):
            data, ctype = payload, "application/json;charset=utf-8"
        elif isinstance(payload, ApiError):
            data, ctype = (json.dumps(payload, separators=(",", ":")) + "\n").encode(), "text/plain; charset=utf-8"
        else:
            data, ctype = json.dumps(payload, separators=(",", ":")).encode(), "application/json"
        ctype_line = f"Content-Type: {ctype}\r\n" if ctype else ""
        head = (f"HTTP/1.1 {status} {reason}\r\n{ctype_line}Content-Length: {len(data)}\r\n"
                f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n")
        writer.write(head.encode() + data)
        await writer.drain()

    # -- routing ------------------------------------------------------------------------------
    async def route(self, method: str, path: str, raw: bytes) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
        try:
            if path == "/version" and method == "GET":  # exactly: Toxiproxy 404s "/version/"
                return 200, json.dumps({"version": VERSION}).encode() + b"\n"
            if path == CAPABILITIES_PATH and method == "GET":
                return 200, capabilities_body(VERSION)
            if parts == ["reset"] and method == "POST":
                for p in self.proxies.values():
                    await p.remove_all_toxics()
                    if not p.enabled:
                        await p.start()
                return 204, None
            if parts == ["populate"] and method == "POST":
                return await self._populate(raw)
            if parts == ["proxies"]:
                if method == "GET":
                    return 200, {n: self.proxies[n].model() for n in sorted(self.proxies)}
                if method == "POST":
                    return 201, (await self._create(self._json(raw))).model()
                return 405, ""
            if len(parts) >= 2 and parts[0] == "proxies":
                proxy = self.proxies.get(parts[1])
                if proxy is None:
                    raise ProxyError("proxy not found", 404)
                return await self._proxy_route(proxy, method, parts[2:], raw)
            return 404, "404 page not found\n"
        except ProxyError as exc:
            return exc.status, ApiError(error=str(exc), status=exc.status)

    @staticmethod
    def _json(raw: bytes) -> Any:
        if not raw:
            raise ProxyError("bad request body: EOF", 400)
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ProxyError(f"bad request body: {exc}", 400) from None

    async def _create(self, body: Any) -> Proxy:
        if not isinstance(body, dict):
            raise ProxyError("bad request body: expected a JSON object", 400)
        for field in ("name", "upstream"):
            if not isinstance(body.get(field), str) or not body[field]:
                raise ProxyError(f"missing required field: {field}", 400)
        if body["name"] in self.proxies:
            raise ProxyError("proxy already exists", 409)
        split_hostport(body["upstream"])
        proxy = Proxy(body["name"], body.get("listen") or "127.0.0.1:0", body["upstream"],
                      allow_remote=self.allow_remote)
        if body.get("enabled", True):
            await proxy.start()
        self.proxies[proxy.name] = proxy
        return proxy

    async def _populate(self, raw: bytes) -> tuple[int, Any]:
        items = self._json(raw)
        if not isinstance(items, list):
            return 400, {"error": "bad request body: expected an array", "status": 400, "proxies": None}
        for i, item in enumerate(items, 1):
            for field in ("name", "upstream"):
                if not isinstance(item, dict) or not item.get(field):
                    return 400, {"error": f"missing required field: {field} at proxy {i}", "status": 400,
                                 "proxies": None}
        done: list[dict[str, Any]] = []
        try:
            for item in items:
                old = self.proxies.get(item["name"])
                if old is not None and old.upstream == item["upstream"] and (
                        not item.get("listen") or old.listen == item["listen"]):
                    done.append(old.model())
                    continue
                if old is not None:
                    await old.stop()
                    del self.proxies[old.name]
                done.append((await self._create(item)).model())
        except ProxyError as exc:
            return exc.status, {"error": str(exc), "status": exc.status, "proxies": done or None}
        return 201, {"proxies": done or None}

    async def _proxy_route(self, proxy: Proxy, method: str, rest: list[str], raw: bytes) -> tuple[int, Any]:
        if not rest:
            if method == "GET":
                return 200, proxy.model()
            if method == "DELETE":
                await proxy.stop()
                del self.proxies[proxy.name]
                return 204, None
            if method in ("POST", "PATCH"):
                body = self._json(raw)
                if not isinstance(body, dict):
                    raise ProxyError("bad request body: expected a JSON object", 400)
                restart = False
                if "upstream" in body and body["upstream"] != proxy.upstream:
                    split_hostport(str(body["upstream"]))
                    proxy.upstream, restart = str(body["upstream"]), True
                if "listen" in body and body["listen"] != proxy.listen:
                    proxy.listen, restart = str(body["listen"]), True
                enabled = body.get("enabled", proxy.enabled)
                if restart or not enabled:
                    await proxy.stop()
                if enabled and not proxy.enabled:
                    await proxy.start()
                return 200, proxy.model()
            return 405, ""
        if rest == ["toxics"]:
            if method == "GET":
                return 200, [t.model() for t in proxy.toxics]
            if method == "POST":
                body = self._json(raw)
                if not isinstance(body, dict):
                    raise ProxyError("bad request body: expected a JSON object", 400)
                return 200, (await proxy.add_toxic(body)).model()
            return 405, ""
        if rest == ["faultline", "events"] and method == "GET":
            return 200, list(proxy.events)
        if len(rest) == 2 and rest[0] == "toxics":
            if method == "GET":
                return 200, proxy.find_toxic(rest[1]).model()
            if method in ("POST", "PATCH"):
                body = self._json(raw)
                if not isinstance(body, dict):
                    raise ProxyError("bad request body: expected a JSON object", 400)
                return 200, (await proxy.update_toxic(rest[1], body)).model()
            if method == "DELETE":
                await proxy.remove_toxic(rest[1])
                return 204, None
            return 405, ""
        return 404, "404 page not found\n"
