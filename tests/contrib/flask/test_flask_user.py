"""``current_user``: identity without network, lazy profile, once per request, async views."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from cloudbase_auth_mw.contrib import flask as flask_ext
from cloudbase_auth_mw.contrib.flask import current_user
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import UNAUTHENTICATED
from cloudbase_auth_mw.testing import bearer

ME = "/auth/v1/user/me"


def test_identity_needs_no_network_once_keys_are_known(
    app: Flask, emulator: Emulator, alice: Any
) -> None:
    client = app.test_client()
    first = emulator.mint_access_token(alice.sub)
    assert client.get("/private", headers=bearer(first)).status_code == 200
    calls = emulator.counters.snapshot()
    second = emulator.mint_access_token(alice.sub)  # a token never seen: verified locally
    for token in (first, second, second):
        assert client.get("/private", headers=bearer(token)).get_json()["user"] == alice.sub
    assert emulator.counters.snapshot() == calls
    assert emulator.counters[ME] == 0


def test_profile_is_fetched_once_across_requests(
    app: Flask, emulator: Emulator, alice: Any
) -> None:
    client = app.test_client()
    token = emulator.mint_access_token(alice.sub)
    assert client.get("/private", headers=bearer(token)).status_code == 200
    assert emulator.counters[ME] == 0  # identity only: the profile is lazy
    for path in ("/profile", "/profile", "/async/profile"):
        response = client.get(path, headers=bearer(token))
        assert response.get_json() == {"user": alice.sub, "name": "Alice"}
    assert emulator.counters[ME] == 1


def test_user_is_resolved_once_per_request(app: Flask, emulator: Emulator, alice: Any) -> None:
    @app.get("/twice")
    def twice() -> dict[str, Any]:
        first = current_user._get_current_object()  # type: ignore[attr-defined]
        second = current_user._get_current_object()  # type: ignore[attr-defined]
        return {"same": first is second}

    token = emulator.mint_access_token(alice.sub)
    assert app.test_client().get("/twice", headers=bearer(token)).get_json() == {"same": True}


def test_no_token_user_is_falsy_and_unauthenticated(app: Flask) -> None:
    @app.get("/who")
    def who() -> dict[str, Any]:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        return {
            "unauthenticated": user is UNAUTHENTICATED,
            "truthy": bool(current_user),
            "is_authenticated": current_user.is_authenticated,
        }

    body = app.test_client().get("/who").get_json()
    assert body == {"unauthenticated": True, "truthy": False, "is_authenticated": False}


def test_a_shared_app_context_does_not_leak_the_user(
    app: Flask, emulator: Emulator, alice: Any
) -> None:
    token = emulator.mint_access_token(alice.sub)
    client = app.test_client()
    with app.app_context():  # Flask reuses this context (and its ``g``) for each request
        assert client.get("/public", headers=bearer(token)).get_json()["user"] == alice.sub
        assert client.get("/public").get_json()["user"] is None


# ---------------------------------------------------------------------- async views
def test_async_views(app: Flask, emulator: Emulator, alice: Any) -> None:
    client = app.test_client()
    token = emulator.mint_access_token(alice.sub)
    anonymous = emulator.mint_access_token(alice.sub, scope="anonymous")
    assert client.get("/async/public").get_json() == {"user": None}
    assert client.get("/async/public", headers=bearer(token)).get_json() == {"user": alice.sub}
    refused = client.get("/async/private")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="cloudbase"'
    private = client.get("/async/private", headers=bearer(anonymous)).get_json()
    assert private == {"user": alice.sub, "anonymous": True}
    assert client.get("/async/admin", headers=bearer(token)).status_code == 403
    admin = emulator.mint_access_token(alice.sub, groups=("admin",))
    assert client.get("/async/admin", headers=bearer(admin)).status_code == 200


def test_async_profile(app: Flask, emulator: Emulator, alice: Any) -> None:
    token = emulator.mint_access_token(alice.sub)
    client = app.test_client()
    for _ in range(2):
        response = client.get("/async/profile", headers=bearer(token))
        assert response.get_json() == {"user": alice.sub, "name": "Alice"}
    assert emulator.counters[ME] == 1


def test_public_proxies_serve_when_flask_lacks_the_context_variable(
    app: Flask, emulator: Emulator, alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flask_ext, "_request_context", flask_ext._PublicContext)
    token = emulator.mint_access_token(alice.sub)
    client = app.test_client()
    assert client.get("/private", headers=bearer(token)).get_json()["user"] == alice.sub
    assert client.get("/private").status_code == 401
