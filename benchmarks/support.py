"""What the framework benchmarks share: a warmed-up provider, and calling apps in-process the
way a server does (WSGI: a fresh environ, the body drained, ``close()`` called; ASGI: a prepared
scope, a one-message ``receive``, a ``send`` that drops everything, one event loop).

The measurement itself is :func:`benchmarks.common.interleaved`.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from benchmarks.common import Batch, BenchResult, interleaved
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard


# ------------------------------------------------------------------ provider
@dataclass(frozen=True)
class Provider:
    """A local emulator with user ``bench``, an access token for it and settings pointing at it."""

    emulator: Emulator
    token: str
    config: CloudBaseAuthConfig


@contextmanager
def provider(*, groups: Iterable[str] = ()) -> Iterator[Provider]:
    """Start an emulator with user ``bench`` (token claims ``groups``); stop it on exit."""
    emulator = Emulator().start()
    try:
        user = emulator.add_user(username="bench", password="Passw0rd!", name="Bench")
        token = emulator.mint_access_token(user.sub, groups=groups)
        config = CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url)
        yield Provider(emulator, token, config)
    finally:
        emulator.stop()


# ------------------------------------------------------------------ WSGI
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _ignore_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    return None


def wsgi_call(
    app: WsgiApp, environ: dict[str, Any], start_response: Callable[..., Any] = _ignore_start
) -> bytes:
    """One request as a server makes it: its own environ and empty body stream, the response
    drained and closed (``request_finished`` and friends fire). Returns the body."""
    response = app({**environ, "wsgi.input": io.BytesIO()}, start_response)
    try:
        return b"".join(response)
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()


def wsgi_batch(app: WsgiApp, environ: dict[str, Any], size: int) -> Batch:
    """A batch of ``size`` requests to ``app`` with ``environ``."""

    def batch() -> int:
        for _ in range(size):
            wsgi_call(app, environ)
        return size

    return batch


def check_ok(app: WsgiApp, environ: dict[str, Any]) -> None:
    """Run the request once (keys fetched, token cached); the answer must be a 200."""
    statuses: list[str] = []
    body = wsgi_call(app, environ, lambda status, headers, exc_info=None: statuses.append(status))
    if not statuses or not statuses[0].startswith("200"):
        raise RuntimeError(f"warm-up failed: {statuses} {body!r}")


@dataclass(frozen=True)
class WsgiCase:
    """One row: ``candidate`` (app, environ) measured against ``baseline`` (app, environ)."""

    name: str
    baseline_name: str
    baseline: tuple[WsgiApp, dict[str, Any]]
    candidate: tuple[WsgiApp, dict[str, Any]]
    target: float


def compare_wsgi(cases: Iterable[WsgiCase], *, size: int, rounds: int) -> list[BenchResult]:
    """Warm every app and environ up (each must answer 200), then measure each case in batches
    of ``size`` requests."""
    cases = list(cases)
    for case in cases:
        check_ok(*case.baseline)
        check_ok(*case.candidate)
    return [
        interleaved(
            case.name,
            case.baseline_name,
            wsgi_batch(*case.baseline, size),
            wsgi_batch(*case.candidate, size),
            target=case.target,
            rounds=rounds,
        )
        for case in cases
    ]


# ------------------------------------------------------------------ ASGI
AsgiApp = Callable[..., Any]


def http_scope(path: str, token: str) -> dict[str, Any]:
    """A minimal ASGI ``http`` scope for ``GET path`` with a bearer token."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _drop(message: dict[str, Any]) -> None:
    return None


async def call_status(app: AsgiApp, scope: dict[str, Any]) -> int:
    """One request through ``app``; returns the response status (for the warm-up check)."""
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(dict(scope), _receive, send)
    return statuses[0]


def asgi_batch(
    loop: asyncio.AbstractEventLoop, app: AsgiApp, scope: dict[str, Any], size: int
) -> Batch:
    """A batch of ``size`` requests to ``app`` on ``loop`` (a fresh scope copy each)."""

    async def many() -> None:
        for _ in range(size):
            await app(dict(scope), _receive, _drop)

    def batch() -> int:
        loop.run_until_complete(many())
        return size

    return batch


def warm(loop: asyncio.AbstractEventLoop, *calls: tuple[AsgiApp, dict[str, Any]]) -> None:
    """Run each request once (keys and token cached); every answer must be a 200."""
    for app, scope in calls:
        status = loop.run_until_complete(call_status(app, scope))
        if status != 200:
            raise RuntimeError(f"warm-up of {scope['path']} answered {status}")


Build = Callable[[CloudBaseGuard], tuple[AsgiApp, AsgiApp]]


def compare_asgi(
    quick: bool, build: Build, baseline_name: str, rows: list[tuple[str, str]], target: float
) -> list[BenchResult]:
    """Measure each ``(name, path)`` row of the candidate app against ``GET /hello`` on the
    baseline app; ``build(guard)`` makes both, with the guard warmed on a local emulator."""
    loop = asyncio.new_event_loop()
    try:
        with provider(groups=("user", "admin")) as local:
            guard = CloudBaseGuard(local.config)
            baseline, candidate = build(guard)
            hello_scope = http_scope("/hello", local.token)
            scopes = [http_scope(path, local.token) for _, path in rows]
            warm(loop, (baseline, hello_scope), *((candidate, scope) for scope in scopes))
            size, rounds = (300, 9) if quick else (2_000, 21)
            base = asgi_batch(loop, baseline, hello_scope, size)
            results = [
                interleaved(
                    name,
                    baseline_name,
                    base,
                    asgi_batch(loop, candidate, scope, size),
                    target=target,
                    rounds=rounds,
                )
                for (name, _), scope in zip(rows, scopes, strict=True)
            ]
            loop.run_until_complete(guard.aclose())
            return results
    finally:
        loop.close()
