"""One client for the embedded proxy and a real Toxiproxy (httpx, pydantic models, timeouts)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx

from harness.errors import HarnessError
from harness.proxy.models import ProxyModel, ToxicModel


class ProxyApiError(HarnessError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"fault proxy API: {status}: {message}")
        self.status = status


class ExtensionUnavailable(HarnessError):
    """A faultline.* toxic asked of a real Toxiproxy, which has none."""


class ProxyClient:
    def __init__(self, api_url: str, *, timeout: float = 5.0, extensions: bool | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self.http = httpx.AsyncClient(base_url=self.api_url, timeout=timeout)
        self._extensions = extensions

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            r = await self.http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise HarnessError(f"fault proxy at {self.api_url} unreachable: {exc}") from None
        if r.status_code >= 400:
            try:
                message = r.json().get("error", r.text)
            except ValueError:
                message = r.text.strip()
            raise ProxyApiError(r.status_code, message)
        return r.json() if r.content else None

    @property
    def extensions(self) -> bool:
        return bool(self._extensions)

    async def detect(self) -> bool:
        """Whether the server is Faultline's (it answers the extension events endpoint)."""
        if self._extensions is None:
            try:
                r = await self.http.get("/proxies/__faultline_probe__/faultline/events")
                self._extensions = "proxy not found" in r.text and r.headers.get("content-type", "").startswith(
                    "application/json")
            except httpx.HTTPError:
                self._extensions = False
        return self._extensions

    async def version(self) -> str:
        return str((await self._call("GET", "/version") or {}).get("version", ""))

    async def create_proxy(self, name: str, upstream: str, listen: str = "127.0.0.1:0",
                           enabled: bool = True) -> ProxyModel:
        return ProxyModel.model_validate(await self._call(
            "POST", "/proxies", {"name": name, "upstream": upstream, "listen": listen, "enabled": enabled}))

    async def get_proxy(self, name: str) -> ProxyModel:
        return ProxyModel.model_validate(await self._call("GET", f"/proxies/{name}"))

    async def list_proxies(self) -> dict[str, ProxyModel]:
        return {k: ProxyModel.model_validate(v) for k, v in (await self._call("GET", "/proxies")).items()}

    async def update_proxy(self, name: str, **fields: Any) -> ProxyModel:
        return ProxyModel.model_validate(await self._call("POST", f"/proxies/{name}", fields))

    async def delete_proxy(self, name: str) -> None:
        await self._call("DELETE", f"/proxies/{name}")

    async def set_enabled(self, name: str, enabled: bool) -> ProxyModel:
        return await self.update_proxy(name, enabled=enabled)

    async def add_toxic(self, proxy: str, type: str, attributes: dict[str, Any], *, stream: str = "downstream",
                        toxicity: float = 1.0, name: str | None = None) -> ToxicModel:
        if type.startswith("faultline.") and not await self.detect():
            raise ExtensionUnavailable(f"the {type} toxic is a Faultline extension; the Toxiproxy at "
                                       f"{self.api_url} does not have it (use the embedded proxy)")
        body = {"type": type, "stream": stream, "toxicity": toxicity, "attributes": attributes,
                "name": name or f"{type}_{stream}"}
        return ToxicModel.model_validate(await self._call("POST", f"/proxies/{proxy}/toxics", body))

    async def update_toxic(self, proxy: str, name: str, attributes: dict[str, Any],
                           toxicity: float | None = None) -> ToxicModel:
        body: dict[str, Any] = {"attributes": attributes}
        if toxicity is not None:
            body["toxicity"] = toxicity
        return ToxicModel.model_validate(await self._call("POST", f"/proxies/{proxy}/toxics/{name}", body))

    async def remove_toxic(self, proxy: str, name: str) -> None:
        await self._call("DELETE", f"/proxies/{proxy}/toxics/{name}")

    @contextlib.asynccontextmanager
    async def toxic(self, proxy: str, type: str, attributes: dict[str, Any], **kw: Any) -> AsyncIterator[ToxicModel]:
        model = await self.add_toxic(proxy, type, attributes, **kw)
        try:
            yield model
        finally:
            with contextlib.suppress(ProxyApiError):
                await self.remove_toxic(proxy, model.name)

    async def events(self, proxy: str) -> list[dict[str, Any]]:
        """(extension) what the proxy's toxics did, newest last."""
        return list(await self._call("GET", f"/proxies/{proxy}/faultline/events") or [])

    async def reset(self) -> None:
        await self._call("POST", "/reset")

    async def aclose(self) -> None:
        await self.http.aclose()


@contextlib.asynccontextmanager
async def embedded_proxy(host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[ProxyClient]:
    """The embedded proxy server, in-process, and a client connected to it."""
    from harness.proxy.api import ApiServer

    server = ApiServer(host, port)
    await server.start()
    client = ProxyClient(server.url, extensions=True)
    try:
        yield client
    finally:
        await client.aclose()
        await server.stop()


@contextlib.asynccontextmanager
async def proxy_from_env() -> AsyncIterator[ProxyClient]:
    """A real Toxiproxy when TOXIPROXY_URL is set, else the embedded one."""
    url = os.environ.get("TOXIPROXY_URL")
    if not url:
        async with embedded_proxy() as client:
            yield client
        return
    client = ProxyClient(url)
    try:
        yield client
    finally:
        await client.aclose()
