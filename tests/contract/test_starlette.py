"""The contract table through Starlette: ``CloudBaseAuthMiddleware`` + ``@require``, TestClient."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cloudbase_auth_mw.contrib.starlette import CloudBaseAuthMiddleware, login_required, require
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing import closing_lifespan

from .harness import AsgiContractClient
from .scenarios import contract_test


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


def make_client(guard: CloudBaseGuard) -> AsgiContractClient:
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(CloudBaseAuthMiddleware, guard=guard)],
        lifespan=closing_lifespan(guard),  # lifespan passes the middleware
    )
    return AsgiContractClient(app)


test_contract = contract_test(make_client)
