"""The contract table through FastAPI dependencies (``CloudBaseAuth(app)``), TestClient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI

from cloudbase_auth_mw.contrib.fastapi import (
    CloudBaseAuth,
    current_user,
    optional_user,
    require_groups,
    require_user,
)
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard, CloudBaseUser

from .scenarios import SCENARIOS, Scenario, run_scenario
from .test_asgi import AsgiContractClient

User = Annotated[CloudBaseUser, Depends(current_user)]


def build_app(guard: CloudBaseGuard) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await guard.aclose()

    app = FastAPI(lifespan=lifespan)
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


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_contract(scenario: Scenario, emulator: Emulator) -> None:
    run_scenario(scenario, emulator, make_client)
