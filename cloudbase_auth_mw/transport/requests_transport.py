"""Synchronous transport on a pooled ``requests.Session``."""

from __future__ import annotations

import threading

import requests

from ..core.http import HttpRequest, HttpResponse, TransportError


class RequestsTransport:
    """Sends requests through one pooled session per thread-safe transport.

    ``requests.Session`` is not documented as thread-safe, so each thread gets its own session
    (each with its own connection pool).
    """

    def __init__(self, *, connect_timeout: float = 3.0, read_timeout: float = 10.0) -> None:
        self._timeout = (connect_timeout, read_timeout)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def send(self, request: HttpRequest) -> HttpResponse:
        try:
            resp = self._session().request(
                request.method,
                request.url,
                headers=dict(request.headers),
                params=dict(request.params) or None,
                json=request.json_body,
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise TransportError(
                f"{request.method} {request.url} failed: {type(exc).__name__}"
            ) from exc
        return HttpResponse(
            status=resp.status_code,
            headers={k.lower(): v for k, v in resp.headers.items()},
            body=resp.content,
            elapsed=resp.elapsed.total_seconds(),
        )

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
