"""FastAPI: per-request overhead of the ``Depends(current_user)`` dependency, token seen before.

Measured exactly as ``bench_starlette`` (whose helpers it uses): both apps called in-process
through their ASGI entry point with the same prepared scope, a one-message receive and a send
that drops everything, batches alternating on one event loop.

- a route with ``user = Depends(current_user)`` returning ``user.sub`` vs a no-auth hello world
  (target 1.3x, issue 3);
- a route with ``Depends(require_groups("admin"))`` (group from the token), same target.

The guard is warmed against a local emulator first, so no request measured touches the network.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Depends, FastAPI

from benchmarks.bench_starlette import asgi_batch, bench_guard, http_scope, warm
from benchmarks.common import BenchResult, interleaved
from cloudbase_auth_mw.contrib.fastapi import CloudBaseAuth, current_user, require_groups
from cloudbase_auth_mw.emulator import Emulator
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
    emulator = Emulator().start()
    loop = asyncio.new_event_loop()
    try:
        user = emulator.add_user(username="bench", password="Passw0rd!", name="Bench")
        token = emulator.mint_access_token(user.sub, groups=("user", "admin"))
        guard = bench_guard(emulator)
        baseline, candidate = _apps(guard)
        plain, admin = http_scope("/hello", token), http_scope("/admin", token)
        warm(loop, (baseline, plain), (candidate, plain), (candidate, admin))
        size, rounds = (300, 9) if quick else (2_000, 21)
        base = asgi_batch(loop, baseline, plain, size)
        rows = [
            ("fastapi Depends(current_user), cached token", plain),
            ("fastapi Depends(require_groups('admin'))", admin),
        ]
        results = [
            interleaved(
                name,
                "fastapi hello world (no auth)",
                base,
                asgi_batch(loop, candidate, scope, size),
                target=TARGET,
                rounds=rounds,
            )
            for name, scope in rows
        ]
        loop.run_until_complete(guard.aclose())
        return results
    finally:
        loop.close()
        emulator.stop()
