"""A FastAPI app whose users are CloudBase Auth v2 users.

Configuration comes from ``CLOUDBASE_AUTH_*`` environment variables only (at least
``CLOUDBASE_AUTH_ENV_ID``; ``CLOUDBASE_AUTH_BASE_URL`` for the emulator or a private endpoint;
``CLOUDBASE_AUTH_VERIFY_MODE`` ``jwks`` or ``introspect``...), so the same code serves against the
emulator or a real environment. Serve it with::

    uvicorn --host 127.0.0.1 --port $PORT sample_apps.starlette_app.app:app

Routes (JSON): ``/public`` (anyone), ``/private`` (signed in), ``/admin`` (group ``admin``),
``/profile`` (signed in; the ``/user/me`` profile, fetched once and cached), ``/docs`` (OpenAPI,
with the bearer scheme declared).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI

from cloudbase_auth_mw.contrib.fastapi import (
    CloudBaseAuth,
    current_user,
    optional_user,
    require_groups,
)
from cloudbase_auth_mw.guard import CloudBaseUser

User = Annotated[CloudBaseUser, Depends(current_user)]
MaybeUser = Annotated[CloudBaseUser | None, Depends(optional_user)]
Admin = Annotated[CloudBaseUser, Depends(require_groups("admin"))]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await auth.guard.aclose()  # the pooled connections to CloudBase


app = FastAPI(title="CloudBase auth sample", lifespan=lifespan)
auth = CloudBaseAuth(app)  # reads CLOUDBASE_AUTH_* now: a bad setting stops the start-up


def describe(user: CloudBaseUser) -> dict[str, Any]:
    return {"user": user.sub, "anonymous": user.is_anonymous, "groups": list(user.groups)}


@app.get("/public")
async def public(user: MaybeUser) -> dict[str, Any]:
    """Anyone; says who is calling when a token is sent."""
    return {"user": user.sub if user else None, "message": "Hello, world."}


@app.get("/private")
async def private(user: User) -> dict[str, Any]:
    """Signed-in users (CloudBase anonymous ones too unless CLOUDBASE_AUTH_ALLOW_ANONYMOUS=0)."""
    return describe(user)


@app.get("/admin")
async def admin(user: Admin) -> dict[str, Any]:
    """Members of the ``admin`` group only."""
    return describe(user)


@app.get("/profile")
async def profile(user: User) -> dict[str, Any]:
    """The caller's CloudBase profile (``GET /auth/v1/user/me``, cached per user)."""
    me = await user.aprofile()
    return {
        "user": user.sub,
        "name": me.name,
        "username": me.username,
        "email": me.email,
        "groups": list(me.groups),
        "status": me.status,
    }
