"""The contract table through FastAPI dependencies (``CloudBaseAuth(app)``), TestClient."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI

from cloudbase_auth_mw.contrib.fastapi import (
    CloudBaseAuth,
    current_user,
    optional_user,
    require_groups,
    require_user,
)
from cloudbase_auth_mw.guard import CloudBaseGuard, CloudBaseUser
from cloudbase_auth_mw.testing import closing_lifespan

from .harness import AsgiContractClient
from .scenarios import contract_test

User = Annotated[CloudBaseUser, Depends(current_user)]


def build_app(guard: CloudBaseGuard) -> FastAPI:
    app = FastAPI(lifespan=closing_lifespan(guard))
    CloudBaseAuth(app, guard=guard)

    @app.get("/public")
    async def public(user: Annotated[CloudBaseUser | None, Depends(optional_user)]) -> Any:
        return {"user": user.sub if user else None}

    @app.get("/private")
    async def private(user: User) -> Any:
        return {"user": user.sub, "anonymous": user.is_anonymous}

    @app.get("/members")
    async def members(
        user: Annotated[CloudBaseUser, Depends(require_user(allow_anonymous=False))],
    ) -> Any:
        return {"user": user.sub}

    @app.get("/admin")
    async def admin(user: Annotated[CloudBaseUser, Depends(require_groups("admin"))]) -> Any:
        return {"user": user.sub}

    @app.get("/profile")
    async def profile(user: User) -> Any:
        return {"user": user.sub, "name": (await user.aprofile()).name}

    return app


def make_client(guard: CloudBaseGuard) -> AsgiContractClient:
    return AsgiContractClient(build_app(guard))


test_contract = contract_test(make_client)
