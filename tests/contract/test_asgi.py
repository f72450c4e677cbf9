"""The contract table through the plain ASGI middleware.

The app is a bare ASGI router: each route is its own app wrapped in a
``CloudBaseAuthMiddleware`` with that route's requirement, all sharing one guard.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from cloudbase_auth_mw.contrib.asgi import CloudBaseAuthMiddleware
from cloudbase_auth_mw.guard import CloudBaseGuard

from .harness import AsgiContractClient
from .scenarios import contract_test

App = Callable[..., Awaitable[None]]


async def send_json(send: Callable[..., Awaitable[None]], status: int, data: Any) -> None:
    body = json.dumps(data).encode()
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def endpoint(profile: bool = False) -> App:
    """An ASGI app answering ``{"user": sub}`` from ``scope["cloudbase.user"]``."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        user = scope["cloudbase.user"]
        data: dict[str, Any] = {"user": user.sub if user else None}
        if user is not None:
            data["anonymous"] = user.is_anonymous
        if profile:
            data["name"] = (await user.aprofile()).name
        await send_json(send, 200, data)

    return app


def router(guard: CloudBaseGuard) -> App:
    """A path -> app table plus a lifespan that closes the guard's connections."""
    routes = {
        "/public": CloudBaseAuthMiddleware(endpoint(), guard),
        "/private": CloudBaseAuthMiddleware(endpoint(), guard, required=True),
        "/members": CloudBaseAuthMiddleware(
            endpoint(), guard, required=True, allow_anonymous=False
        ),
        "/admin": CloudBaseAuthMiddleware(endpoint(), guard, groups=("admin",)),
        "/profile": CloudBaseAuthMiddleware(endpoint(profile=True), guard, required=True),
    }

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await guard.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        route = routes.get(scope["path"])
        if route is None:
            await send_json(send, 404, {"error": "not_found"})
            return
        await route(scope, receive, send)

    return app


def make_client(guard: CloudBaseGuard) -> AsgiContractClient:
    return AsgiContractClient(router(guard))


test_contract = contract_test(make_client)
