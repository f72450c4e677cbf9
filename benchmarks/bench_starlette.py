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

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks.common import BenchResult
from benchmarks.support import AsgiApp, compare_asgi
from cloudbase_auth_mw.contrib.starlette import CloudBaseAuthMiddleware, login_required
from cloudbase_auth_mw.guard import CloudBaseGuard

TARGET = 1.25


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": "world"})


async def whoami(request: Request) -> JSONResponse:
    return JSONResponse({"hello": request.user.identity})


def _apps(guard: CloudBaseGuard) -> tuple[AsgiApp, AsgiApp]:
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
    return compare_asgi(quick, _apps, "starlette hello world (no auth)", rows, TARGET)
