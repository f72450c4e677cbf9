"""The contract table through Starlette: ``CloudBaseAuthMiddleware`` + ``@require``, TestClient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cloudbase_auth_mw.contrib.starlette import CloudBaseAuthMiddleware, login_required, require
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard

from .scenarios import SCENARIOS, Scenario, run_scenario
from .test_asgi import AsgiContractClient


def _sub(request: Request) -> Any:
    return request.user.identity if request.user.is_authenticated else None


async def public(request: Request) -> JSONResponse:
    return JSONResponse({"user": _sub(request)})


@login_required
async def private(request: Request) -> JSONResponse:
    return JSONResponse({"user": _sub(request), "anonymous": request.user.is_anonymous})


@require(allow_anonymous=False)
async def members(request: Request) -> JSONResponse:
    return JSONResponse({"user": _sub(request)})


@require(groups=("admin",))
async def admin(request: Request) -> JSONResponse:
    return JSONResponse({"user": _sub(request)})


@login_required
async def profile(request: Request) -> JSONResponse:
    me = await request.user.cloudbase.aprofile()
    return JSONResponse({"user": _sub(request), "name": me.name})


ROUTES = [
    Route("/public", public),
    Route("/private", private),
    Route("/members", members),
    Route("/admin", admin),
    Route("/profile", profile),
]


def closing(guard: CloudBaseGuard) -> Any:
    """A lifespan that closes the guard's async connections (lifespan passes the middleware)."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield
        await guard.aclose()

    return lifespan


def make_client(guard: CloudBaseGuard) -> AsgiContractClient:
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(CloudBaseAuthMiddleware, guard=guard)],
        lifespan=closing(guard),
    )
    return AsgiContractClient(app)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_contract(scenario: Scenario, emulator: Emulator) -> None:
    run_scenario(scenario, emulator, make_client)
