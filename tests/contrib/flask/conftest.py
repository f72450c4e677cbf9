"""Fixtures for the Flask extension tests: an app with every kind of route, on the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from cloudbase_auth_mw.contrib.flask import (
    CloudBaseAuth,
    authorize,
    current_auth_error,
    current_user,
)
from cloudbase_auth_mw.core.errors import InsufficientScope
from cloudbase_auth_mw.emulator import Emulator


def flask_config(emulator: Emulator, **settings: Any) -> dict[str, Any]:
    """``app.config`` entries pointing the extension at the emulator (plus unrelated keys)."""
    config = {
        "SECRET_KEY": "not-a-cloudbase-setting",
        "CLOUDBASE_AUTH_ENV_ID": emulator.env_id,
        "CLOUDBASE_AUTH_BASE_URL": emulator.base_url,
    }
    config.update({f"CLOUDBASE_AUTH_{name.upper()}": value for name, value in settings.items()})
    return config


def add_routes(app: Flask, auth: CloudBaseAuth) -> None:
    """One route per feature under test."""

    @app.get("/public")
    def public() -> dict[str, Any]:
        error = current_auth_error()
        return {"user": current_user.sub, "error": type(error).__name__ if error else None}

    @app.get("/private")
    @auth.login_required
    def private() -> dict[str, Any]:
        return {"user": current_user.sub, "anonymous": current_user.is_anonymous}

    def whoami() -> dict[str, Any]:
        return {"user": current_user.sub}

    guarded = {
        "/members": auth.login_required(allow_anonymous=False),
        "/welcome": auth.login_required(allow_anonymous=True),
        "/admin": auth.require_groups("admin"),
        "/staff": auth.require_groups("admin", "staff"),
        "/orders": auth.require_scopes("orders:read"),
    }
    for path, decorate in guarded.items():
        app.add_url_rule(path, path, decorate(whoami))

    @app.get("/profile")
    @auth.login_required
    def profile() -> dict[str, Any]:
        return {"user": current_user.sub, "name": current_user.profile.name}

    @app.get("/imperative")
    def imperative() -> dict[str, Any]:
        user = authorize(allow_anonymous=False)
        return {"user": user.sub}

    @app.get("/raise")
    def raising() -> dict[str, Any]:
        raise InsufficientScope("Raised by the view.", required=("ops",))

    @app.get("/async/private")
    @auth.login_required
    async def async_private() -> dict[str, Any]:
        return {"user": current_user.sub, "anonymous": current_user.is_anonymous}

    @app.get("/async/profile")
    @auth.login_required
    async def async_profile() -> dict[str, Any]:
        return {"user": current_user.sub, "name": (await current_user.aprofile()).name}

    @app.get("/async/admin")
    @auth.require_groups("admin")
    async def async_admin() -> dict[str, Any]:
        return {"user": current_user.sub}

    @app.get("/async/public")
    async def async_public() -> dict[str, Any]:
        return {"user": current_user.sub}


AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(emulator: Emulator) -> AppFactory:
    """``make_app(**settings)``: a Flask app with every route, configured from ``app.config``."""

    def build(**settings: Any) -> Flask:
        app = Flask("flask_ext_tests")
        app.config.update(flask_config(emulator, **settings))
        add_routes(app, CloudBaseAuth(app))
        return app

    return build


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def settings(emulator: Emulator) -> Callable[..., dict[str, Any]]:
    """``settings(**extra)``: app.config entries for the emulator (see :func:`flask_config`)."""
    return lambda **extra: flask_config(emulator, **extra)
