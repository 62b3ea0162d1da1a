"""One client for the embedded proxy and a real Toxiproxy (httpx, pydantic models, timeouts).

    async with embedded_proxy() as px:
        await px.create_proxy("p", "127.0.0.1:8000")
        await px.add_toxic("p", Latency(latency=100, jitter=20), stream="upstream")
        async with px.toxic("p", SseCut(events=3)):  # removed on exit
            ...

Toxics are given as typed attributes (harness/proxy/attributes.py; `CATALOGUE` lists them all), or
as a type name and a dict as in Toxiproxy's API. The client probes which server it talks to
(`capabilities()`): asking a real Toxiproxy for a `faultline.*` toxic raises ExtensionUnavailable
before any request is made.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from harness.errors import HarnessError
from harness.proxy.attributes import CATALOGUE, CLASSIC, Stream, ToxicAttributes
from harness.proxy.models import CAPABILITIES_PATH, ProxyModel, ToxicModel


class ProxyApiError(HarnessError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"fault proxy API: {status}: {message}")
        self.status = status


class ExtensionUnavailable(HarnessError):
    """A faultline.* toxic asked of a real Toxiproxy, which has none."""


@dataclass(frozen=True)
class Capabilities:
    embedded: bool  # Faultline's embedded proxy (else: a real Toxiproxy)
    toxics: frozenset[str]  # the toxic types the server has

    def supports(self, type: str) -> bool:
        return type in self.toxics


EMBEDDED = Capabilities(True, frozenset(CATALOGUE))
TOXIPROXY = Capabilities(False, frozenset(CLASSIC))


def toxic_request(toxic: str | ToxicAttributes, attributes: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """(type, attributes dict) from typed attributes, or from a type name and a mapping."""
    if isinstance(toxic, ToxicAttributes):
        if attributes is not None:
            raise TypeError("typed toxic attributes take no attributes mapping")
        return toxic.type, toxic.wire()
    return toxic, dict(attributes or {})


class ProxyClient:
    def __init__(self, api_url: str, *, timeout: float = 5.0, extensions: bool | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        from harness.client.session import shared_ssl_context  # one CA load for all (-j: a proxy per run)

        self.http = httpx.AsyncClient(base_url=self.api_url, timeout=timeout, verify=shared_ssl_context())
        self._capabilities = None if extensions is None else EMBEDDED if extensions else TOXIPROXY

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
        """Whether the server has the faultline.* toxics (known once capabilities() has run)."""
        return self._capabilities is not None and self._capabilities.embedded

    async def capabilities(self) -> Capabilities:
        """Which server this is: the embedded proxy answers GET /faultline with its toxic types; a
        real Toxiproxy answers 404. HarnessError when the server cannot be reached."""
        if self._capabilities is None:
            try:
                r = await self.http.get(CAPABILITIES_PATH)
            except httpx.HTTPError as exc:
                raise HarnessError(f"fault proxy at {self.api_url} unreachable: {exc}") from None
            try:
                body = r.json() if r.status_code == 200 else {}
            except ValueError:
                body = {}
            if isinstance(body, dict) and body.get("server") == "faultline":
                self._capabilities = Capabilities(True, frozenset(body.get("toxics") or CATALOGUE))
            else:
                self._capabilities = TOXIPROXY
        return self._capabilities

    async def detect(self) -> bool:
        """Whether the server is Faultline's embedded proxy."""
        return (await self.capabilities()).embedded

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

    async def add_toxic(self, proxy: str, toxic: str | ToxicAttributes, attributes: Mapping[str, Any] | None = None,
                        *, stream: Stream = "downstream", toxicity: float = 1.0,
                        name: str | None = None) -> ToxicModel:
        """Add a toxic: `add_toxic("p", Latency(latency=100), stream="upstream")`, or with a type name and
        a dict. ExtensionUnavailable if the server lacks the type (a faultline.* toxic on a real Toxiproxy)."""
        type, attrs = toxic_request(toxic, attributes)
        if type.startswith("faultline.") and not (await self.capabilities()).supports(type):
            raise ExtensionUnavailable(f"the {type} toxic is a Faultline extension; the Toxiproxy at "
                                       f"{self.api_url} does not have it (use the embedded proxy)")
        body = {"type": type, "stream": stream, "toxicity": toxicity, "attributes": attrs,
                "name": name or f"{type}_{stream}"}
        return ToxicModel.model_validate(await self._call("POST", f"/proxies/{proxy}/toxics", body))

    async def update_toxic(self, proxy: str, name: str, attributes: Mapping[str, Any] | ToxicAttributes | None = None,
                           toxicity: float | None = None) -> ToxicModel:
        """Change a toxic's attributes (a partial merge) and/or toxicity; its stages restart."""
        body: dict[str, Any] = {}
        if attributes is not None:
            body["attributes"] = attributes.wire() if isinstance(attributes, ToxicAttributes) else dict(attributes)
        if toxicity is not None:
            body["toxicity"] = toxicity
        return ToxicModel.model_validate(await self._call("POST", f"/proxies/{proxy}/toxics/{name}", body))

    async def remove_toxic(self, proxy: str, name: str) -> None:
        await self._call("DELETE", f"/proxies/{proxy}/toxics/{name}")

    @contextlib.asynccontextmanager
    async def toxic(self, proxy: str, toxic: str | ToxicAttributes, attributes: Mapping[str, Any] | None = None,
                    **kw: Any) -> AsyncIterator[ToxicModel]:
        """A toxic for the duration of the block."""
        model = await self.add_toxic(proxy, toxic, attributes, **kw)
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
    """A real Toxiproxy when TOXIPROXY_URL is set (HarnessError if it cannot be reached), else the
    embedded one."""
    url = os.environ.get("TOXIPROXY_URL")
    if not url:
        async with embedded_proxy() as client:
            yield client
        return
    client = ProxyClient(url)
    try:
        await client.capabilities()
        yield client
    finally:
        await client.aclose()
