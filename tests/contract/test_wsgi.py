"""The contract table through the plain WSGI middleware, driven by werkzeug's WSGI client.

Each protected route is its own middleware instance (the WSGI way to vary requirements per
path); ``/public`` and ``/private`` share one that requires auth under ``/private`` only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.test import Client

from cloudbase_auth_mw.contrib.wsgi import CloudBaseAuthMiddleware
from cloudbase_auth_mw.guard import CloudBaseGuard

from .harness import ContractResponse
from .scenarios import contract_test

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def routes(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The app behind the middleware: reports what ``environ["cloudbase.user"]`` says."""
    user = environ["cloudbase.user"]
    path = environ["PATH_INFO"]
    body: dict[str, Any] = {"user": user.sub if user else None}
    if path == "/private":
        body["anonymous"] = user.is_anonymous
    if path == "/profile":
        body["name"] = user.profile.name
    data = json.dumps(body).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [data]


def build_app(guard: CloudBaseGuard) -> WSGIApplication:
    site = CloudBaseAuthMiddleware(routes, guard, required_paths=["/private", "/profile"])
    members = CloudBaseAuthMiddleware(routes, guard, required=True, allow_anonymous=False)
    admin = CloudBaseAuthMiddleware(routes, guard, required=True, groups=["admin"])
    mounts: dict[str, WSGIApplication] = {"/members": members, "/admin": admin}

    def dispatch(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        app = mounts.get(environ.get("PATH_INFO", ""), site)
        return app(environ, start_response)

    return dispatch


class WsgiContractClient:
    def __init__(self, app: WSGIApplication) -> None:
        self.client = Client(app)

    def get(self, path: str, headers: Mapping[str, str]) -> ContractResponse:
        response = self.client.get(path, headers=dict(headers))
        body = json.loads(response.get_data()) if response.get_data() else None
        return ContractResponse.of(response.status_code, response.headers.items(), body)


def make_client(guard: CloudBaseGuard) -> WsgiContractClient:
    return WsgiContractClient(build_app(guard))


test_contract = contract_test(make_client)
