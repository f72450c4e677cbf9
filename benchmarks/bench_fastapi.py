"""FastAPI: per-request overhead of the ``Depends(current_user)`` dependency, token seen before.

Measured exactly as ``bench_starlette`` (``support.compare_asgi``): both apps called in-process
through their ASGI entry point with the same prepared scope, a one-message receive and a send
that drops everything, batches alternating on one event loop.

- a route with ``user = Depends(current_user)`` returning ``user.sub`` vs a no-auth hello world
  (target 1.3x, issue 3);
- a route with ``Depends(require_groups("admin"))`` (group from the token), same target.

The guard is warmed against a local emulator first, so no request measured touches the network.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI

from benchmarks.common import BenchResult
from benchmarks.support import compare_asgi
from cloudbase_auth_mw.contrib.fastapi import CloudBaseAuth, current_user, require_groups
from cloudbase_auth_mw.guard import CloudBaseGuard, CloudBaseUser

TARGET = 1.3
User = Annotated[CloudBaseUser, Depends(current_user)]
Admin = Annotated[CloudBaseUser, Depends(require_groups("admin"))]


def _apps(guard: CloudBaseGuard) -> tuple[FastAPI, FastAPI]:
    baseline = FastAPI()

    @baseline.get("/hello")
    async def hello() -> dict[str, Any]:
        return {"hello": "world"}

    candidate = FastAPI()
    CloudBaseAuth(candidate, guard=guard)

    @candidate.get("/hello")
    async def whoami(user: User) -> dict[str, Any]:
        return {"hello": user.sub}

    @candidate.get("/admin")
    async def admin(user: Admin) -> dict[str, Any]:
        return {"hello": user.sub}

    return baseline, candidate


def run(quick: bool) -> list[BenchResult]:
    rows = [
        ("fastapi Depends(current_user), cached token", "/hello"),
        ("fastapi Depends(require_groups('admin'))", "/admin"),
    ]
    return compare_asgi(quick, _apps, "fastapi hello world (no auth)", rows, TARGET)
