"""Asynchronous transport on a pooled ``httpx.AsyncClient`` (the ``async`` extra)."""

from __future__ import annotations

import asyncio
import weakref

import httpx

from ..core.http import HttpRequest, HttpResponse, TransportError


class HttpxTransport:
    """Sends requests through a pooled ``httpx.AsyncClient``, one per running event loop.

    An ``AsyncClient`` belongs to the loop it first ran on; servers and test runners that use
    several loops (Django's async-to-sync bridges, per-test loops) each get their own.
    """

    def __init__(self, *, connect_timeout: float = 3.0, read_timeout: float = 10.0) -> None:
        self._timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._clients = weakref.WeakKeyDictionary()

    def _http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None or client.is_closed:
            client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
            self._clients[loop] = client
        return client

    async def send(self, request: HttpRequest) -> HttpResponse:
        try:
            resp = await self._http().request(
                request.method,
                request.url,
                headers=dict(request.headers),
                params=dict(request.params) or None,
                json=request.json_body,
            )
        except httpx.HTTPError as exc:
            raise TransportError(
                f"{request.method} {request.url} failed: {type(exc).__name__}"
            ) from exc
        return HttpResponse(
            status=resp.status_code,
            headers={k.lower(): v for k, v in resp.headers.items()},
            body=resp.content,
            elapsed=resp.elapsed.total_seconds(),
        )

    async def aclose(self) -> None:
        """Close the client of the running loop (others close with their loops)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()
