"""The contract table through the Flask extension, with sync and ``async def`` views."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from flask import Flask

from cloudbase_auth_mw.contrib.flask import CloudBaseAuth, current_user
from cloudbase_auth_mw.guard import CloudBaseGuard

from .harness import ContractResponse
from .scenarios import contract_test

Body = Callable[[], dict[str, Any]]


class FlaskContractClient:
    """Sends requests through Flask's own test client."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def get(self, path: str, headers: Mapping[str, str]) -> ContractResponse:
        response = self.client.get(path, headers=dict(headers))
        return ContractResponse.of(
            response.status_code, response.headers.items(), response.get_json(silent=True)
        )


def _routes(auth: CloudBaseAuth) -> dict[str, tuple[Callable[[Body], Body], Body]]:
    """path -> (protection decorator, view body)."""

    def open_route(view: Body) -> Body:
        return view

    def user() -> dict[str, Any]:
        return {"user": current_user.sub}

    return {
        "/public": (open_route, user),
        "/private": (
            auth.login_required,
            lambda: {"user": current_user.sub, "anonymous": current_user.is_anonymous},
        ),
        "/members": (auth.login_required(allow_anonymous=False), user),
        "/admin": (auth.require_groups("admin"), user),
        "/profile": (
            auth.login_required,
            lambda: {"user": current_user.sub, "name": current_user.profile.name},
        ),
    }


def _as_async(path: str, body: Body) -> Callable[[], Any]:
    async def view() -> dict[str, Any]:
        if path == "/profile":
            await current_user.aprofile()  # loads without blocking; ``.profile`` is then cached
        return body()

    return view


def make_client(guard: CloudBaseGuard, *, async_views: bool = False) -> FlaskContractClient:
    """The standard contract routes on a Flask app wired to ``guard``."""
    app = Flask("contract")
    auth = CloudBaseAuth(app, guard=guard)
    for path, (protect, body) in _routes(auth).items():
        view = _as_async(path, body) if async_views else body
        app.add_url_rule(path, path, protect(view))
    return FlaskContractClient(app)


test_contract_sync_views = contract_test(make_client)
test_contract_async_views = contract_test(partial(make_client, async_views=True))
