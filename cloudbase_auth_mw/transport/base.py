"""Transport protocols: send one :class:`HttpRequest`, get one :class:`HttpResponse`.

A transport raises :class:`~cloudbase_auth_mw.core.http.TransportError` when no HTTP response
was obtained; any HTTP status (even 5xx) is a response, judged by core.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..core.http import HttpRequest, HttpResponse


@runtime_checkable
class SyncTransport(Protocol):
    def send(self, request: HttpRequest) -> HttpResponse: ...

    def close(self) -> None: ...


@runtime_checkable
class AsyncTransport(Protocol):
    async def send(self, request: HttpRequest) -> HttpResponse: ...

    async def aclose(self) -> None: ...
