"""Transports for tests.

:class:`NoBlockingTransport` is a sync transport that fails the test the moment it is used.
Give it to a guard that serves an async adapter (ASGI, Starlette, FastAPI, Django's async
path): every token check and profile fetch there must go through the async transport, and a
blocking call on the event loop becomes a test failure instead of a silent stall::

    guard = CloudBaseGuard(config, transport=NoBlockingTransport())
"""

from __future__ import annotations

from ..core.http import HttpRequest, HttpResponse


class NoBlockingTransport:
    """A :class:`~cloudbase_auth_mw.transport.base.SyncTransport` whose ``send`` always fails.

    ``send`` raises :class:`AssertionError` naming the method and URL (never headers or body:
    they carry tokens); ``close`` does nothing.
    """

    def send(self, request: HttpRequest) -> HttpResponse:
        """Fail: something on the async path made a blocking call."""
        raise AssertionError(f"blocking I/O on the async path: {request!r}")

    def close(self) -> None:
        """Nothing to release."""
