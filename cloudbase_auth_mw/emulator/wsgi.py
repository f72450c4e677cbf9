"""The WSGI application: counters and faults around the pure handler, plus the admin API.

Usable in-process with any WSGI test client (``werkzeug.test.Client(app)``) or served by
:mod:`cloudbase_auth_mw.emulator.server`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING

from .faults import Counters, Faults
from .handler import Headers, Result, handle
from .state import EmulatorState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

ADMIN_PREFIX = "/_emulator"

#: ``(method, path, query, body) -> (status, headers, body)`` for ``/_emulator/...``.
AdminHandler = Callable[[str, str, str, bytes], Result]


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def request_headers(environ: WSGIEnvironment) -> dict[str, str]:
    """The HTTP request headers of a WSGI environ, lower-cased."""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return headers


def read_body(environ: WSGIEnvironment) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


class EmulatorApp:
    """WSGI callable serving ``/auth/...`` (faulted, counted) and ``/_emulator/...`` (admin)."""

    def __init__(
        self,
        state: EmulatorState,
        faults: Faults,
        counters: Counters,
        admin: AdminHandler | None = None,
    ) -> None:
        self.state = state
        self.faults = faults
        self.counters = counters
        self.admin = admin

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        status, headers, body = self.respond(environ)
        start_response(status_line(status), headers)
        return [body]

    def respond(self, environ: WSGIEnvironment) -> Result:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO") or "/")
        query = str(environ.get("QUERY_STRING") or "")
        body = read_body(environ)
        if self.admin is not None and (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")):
            return self.admin(method, path[len(ADMIN_PREFIX) :] or "/", query, body)
        self.counters.hit(path)
        self.faults.wait()
        injected = self._injected(path, request_headers(environ).get("x-request-id"))
        if injected is not None:
            return injected
        status, headers, out = handle(
            self.state, method, path, query, request_headers(environ), body
        )
        if method != "OPTIONS" and self.faults.malformed_for(path):
            out = out[: max(1, len(out) // 2)]
        return status, headers, out

    def _injected(self, path: str, request_id: str | None) -> Result | None:
        if self.faults.answering_503():
            headers = plain_headers("text/plain; charset=utf-8", request_id)
            return 503, headers, b"Service Unavailable"
        rule = self.faults.failure_for(path)
        if rule is None:
            return None
        return rule.status, plain_headers(rule.content_type, request_id), rule.body


def plain_headers(content_type: str, request_id: str | None) -> Headers:
    """Headers of an injected answer (it still carries a request id, like every answer)."""
    return [
        ("content-type", content_type),
        ("access-control-allow-origin", "*"),
        ("x-request-id", request_id or uuid.uuid4().hex),
    ]
