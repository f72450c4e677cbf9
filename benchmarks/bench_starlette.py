"""Starlette: per-request overhead of ``CloudBaseAuthMiddleware`` with a token seen before.

Both apps are called in-process, straight through their ASGI entry point, with the same
prepared scope (same ``Authorization`` header), a receive that yields one empty body and a send
that drops every message: no server, no socket, no test client, so what is left is Starlette's
own request handling (routing, ``Request``, ``JSONResponse``) plus, in the candidate, ours. All
calls of a batch run on one event loop; baseline and candidate batches alternate.

- middleware + a route reading ``request.user`` vs the no-auth hello world (target 1.25x);
- the same route also under ``@login_required`` (our per-route check), same target.

The guard is warmed against a local emulator first (keys fetched, token cached), so no request
measured touches the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks.common import BenchResult, interleaved
from cloudbase_auth_mw.contrib.starlette import CloudBaseAuthMiddleware, login_required
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard

App = Callable[..., Any]
TARGET = 1.25


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


async def call_status(app: App, scope: dict[str, Any]) -> int:
    """One request through ``app``; returns the response status (for the warm-up check)."""
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(dict(scope), _receive, send)
    return statuses[0]


def asgi_batch(
    loop: asyncio.AbstractEventLoop, app: App, scope: dict[str, Any], size: int
) -> Callable[[], int]:
    """A batch of ``size`` requests to ``app`` on ``loop`` (a fresh scope copy each)."""

    async def many() -> None:
        for _ in range(size):
            await app(dict(scope), _receive, _drop)

    def batch() -> int:
        loop.run_until_complete(many())
        return size

    return batch


def warm(loop: asyncio.AbstractEventLoop, *calls: tuple[App, dict[str, Any]]) -> None:
    """Run each request once (keys and token cached); every answer must be a 200."""
    for app, scope in calls:
        status = loop.run_until_complete(call_status(app, scope))
        if status != 200:
            raise RuntimeError(f"warm-up of {scope['path']} answered {status}")


Build = Callable[[CloudBaseGuard], tuple[App, App]]


def compare(
    quick: bool, build: Build, baseline_name: str, rows: list[tuple[str, str]], target: float
) -> list[BenchResult]:
    """Measure each ``(name, path)`` row of the candidate app against ``GET /hello`` on the
    baseline app; ``build(guard)`` makes both, with the guard warmed on a local emulator."""
    emulator = Emulator().start()
    loop = asyncio.new_event_loop()
    try:
        user = emulator.add_user(username="bench", password="Passw0rd!", name="Bench")
        token = emulator.mint_access_token(user.sub, groups=("user", "admin"))
        config = CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url)
        guard = CloudBaseGuard(config)
        baseline, candidate = build(guard)
        hello_scope = http_scope("/hello", token)
        scopes = [http_scope(path, token) for _, path in rows]
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
        emulator.stop()


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": "world"})


async def whoami(request: Request) -> JSONResponse:
    return JSONResponse({"hello": request.user.identity})


def _apps(guard: CloudBaseGuard) -> tuple[App, App]:
    baseline = Starlette(routes=[Route("/hello", hello)])
    candidate = Starlette(
        routes=[Route("/hello", whoami), Route("/required", login_required(whoami))],
        middleware=[Middleware(CloudBaseAuthMiddleware, guard=guard)],
    )
    return baseline, candidate


def run(quick: bool) -> list[BenchResult]:
    rows = [
        ("starlette middleware, cached token", "/hello"),
        ("starlette middleware + @login_required", "/required"),
    ]
    return compare(quick, _apps, "starlette hello world (no auth)", rows, TARGET)
