"""Error answers: raising from views, the error hook, overriding, and no token in logs/reprs."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from flask import Flask

from cloudbase_auth_mw.contrib.flask import (
    EXTENSION_KEY,
    CloudBaseAuth,
    current_auth_error,
    current_user,
)
from cloudbase_auth_mw.core.errors import RequestAuthError
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.testing import bearer


def _auth(app: Flask) -> CloudBaseAuth:
    return app.extensions[EXTENSION_KEY].extension  # type: ignore[no-any-return]


def test_views_may_raise_auth_errors(app: Flask) -> None:
    response = app.test_client().get("/raise")
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert 'scope="ops"' in response.headers["WWW-Authenticate"]
    assert response.get_json()["error_description"] == "Raised by the view."


def test_error_hook_replaces_the_rendering(app: Flask) -> None:
    seen: list[RequestAuthError] = []

    @_auth(app).error_handler
    def handle(error: RequestAuthError) -> Any:
        seen.append(error)
        return {"message": "please sign in"}, error.status, {"X-Why": type(error).__name__}

    response = app.test_client().get("/private")
    assert response.status_code == 401
    assert response.get_json() == {"message": "please sign in"}
    assert response.headers["X-Why"] == "MissingToken"
    assert len(seen) == 1


def test_error_hook_may_wrap_the_default_answer(app: Flask) -> None:
    auth = _auth(app)

    @auth.error_handler
    async def handle(error: RequestAuthError) -> Any:
        response = auth.render(error)
        response.headers["X-Handled"] = "yes"
        return response

    response = app.test_client().get("/admin", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401
    assert response.headers["X-Handled"] == "yes"
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="cloudbase", error=')


def test_error_hook_answers_refusals_on_public_routes(app: Flask) -> None:
    @_auth(app).error_handler
    def handle(error: RequestAuthError) -> Any:
        return {"message": "bad credentials"}, error.status

    response = app.test_client().get("/public", headers={"Authorization": "Bearer a.b.c"})
    assert (response.status_code, response.get_json()) == (401, {"message": "bad credentials"})


def test_current_auth_error_is_seen_around_the_refusal(app: Flask) -> None:
    @app.after_request
    def record(response: Any) -> Any:
        error = current_auth_error()
        response.headers["X-Auth-Error"] = type(error).__name__ if error else "none"
        return response

    client = app.test_client()
    refused = client.get("/public", headers={"Authorization": "Bearer a.b.c"})
    assert (refused.status_code, refused.headers["X-Auth-Error"]) == (401, "MalformedToken")
    assert client.get("/public").headers["X-Auth-Error"] == "none"


def test_app_error_handler_registered_later_wins(app: Flask) -> None:
    @app.errorhandler(RequestAuthError)
    def mine(error: RequestAuthError) -> Any:
        return "nope", error.status

    response = app.test_client().get("/private")
    assert (response.status_code, response.get_data(as_text=True)) == (401, "nope")


def test_tokens_never_reach_logs_reprs_or_bodies(
    app: Flask, emulator: Emulator, alice: Any, caplog: pytest.LogCaptureFixture
) -> None:
    good = emulator.mint_access_token(alice.sub)
    expired = emulator.mint_access_token(alice.sub, issued_at=time.time() - 10_000, lifetime=7200)
    forged = good[: good.rindex(".") + 1] + "A" * 40

    @app.get("/repr")
    def show_repr() -> dict[str, Any]:
        return {"repr": repr(current_user), "str": str(current_user)}

    client = app.test_client()
    bodies: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for token in (good, expired, forged):
            for path in ("/public", "/private", "/profile", "/repr"):
                response = client.get(path, headers=bearer(token))
                bodies.append(response.get_data(as_text=True) + str(response.headers))
    text = caplog.text + "".join(bodies)
    assert alice.sub in text  # the repr route did run
    for token in (good, expired, forged):
        assert token not in text
        assert token.split(".")[2] not in text  # nor its signature
