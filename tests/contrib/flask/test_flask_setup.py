"""Setting the extension up: both styles, config read once, errors naming the setting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from cloudbase_auth_mw.contrib.flask import EXTENSION_KEY, CloudBaseAuth, current_user
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.errors import ConfigurationError
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard

Settings = Callable[..., dict[str, Any]]


def _add_private_route(app: Flask, auth: CloudBaseAuth) -> None:
    @app.get("/private")
    @auth.login_required
    def private() -> dict[str, Any]:
        return {"user": current_user.sub}


def test_constructor_style_reads_app_config(settings: Settings, emulator: Emulator) -> None:
    app = Flask("one")
    app.config.update(settings())
    auth = CloudBaseAuth(app)
    guard = app.extensions[EXTENSION_KEY].guard
    assert guard.config.env_id == emulator.env_id
    assert guard.config.base_url == emulator.base_url
    with app.app_context():
        assert auth.guard is guard


def test_init_app_style_serves_several_apps(settings: Settings) -> None:
    auth = CloudBaseAuth()
    first, second = Flask("first"), Flask("second")
    first.config.update(settings())
    second.config.update(settings(realm="second-realm"))
    for app in (first, second):
        auth.init_app(app)
        _add_private_route(app, auth)
    assert first.extensions[EXTENSION_KEY].guard is not second.extensions[EXTENSION_KEY].guard
    one = first.test_client().get("/private")
    two = second.test_client().get("/private")
    assert one.headers["WWW-Authenticate"] == 'Bearer realm="cloudbase"'
    assert two.headers["WWW-Authenticate"] == 'Bearer realm="second-realm"'


def test_settings_are_read_once(settings: Settings) -> None:
    app = Flask("once")
    app.config.update(settings(realm="first"))
    auth = CloudBaseAuth(app)
    _add_private_route(app, auth)
    app.config["CLOUDBASE_AUTH_REALM"] = "changed-later"
    assert app.test_client().get("/private").headers["WWW-Authenticate"] == 'Bearer realm="first"'


def test_string_settings_are_coerced(settings: Settings) -> None:
    app = Flask("coerce")
    app.config.update(
        settings(allow_anonymous="false", leeway="10", token_locations="header,cookie")
    )
    CloudBaseAuth(app)
    config = app.extensions[EXTENSION_KEY].guard.config
    assert config.allow_anonymous is False
    assert config.leeway == 10.0
    assert config.token_locations == ("header", "cookie")


@pytest.mark.parametrize("style", ["constructor", "init_app"])
def test_a_given_guard_needs_no_app_config(emulator: Emulator, style: str) -> None:
    guard = CloudBaseGuard(CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url))
    app = Flask("given")
    if style == "constructor":
        CloudBaseAuth(app, guard=guard)
    else:
        CloudBaseAuth().init_app(app, guard=guard)
    assert app.extensions[EXTENSION_KEY].guard is guard


def test_missing_env_id_names_the_setting() -> None:
    app = Flask("empty")
    app.config["SECRET_KEY"] = "unrelated"
    with pytest.raises(ConfigurationError) as caught:
        CloudBaseAuth(app)
    assert "env_id" in str(caught.value)
    assert "CLOUDBASE_AUTH_" in str(caught.value)


def test_unknown_setting_suggests_the_right_name(settings: Settings) -> None:
    app = Flask("typo")
    app.config.update(settings())
    app.config["CLOUDBASE_AUTH_VERIFYMODE"] = "jwks"
    with pytest.raises(ConfigurationError, match="did you mean 'CLOUDBASE_AUTH_VERIFY_MODE'"):
        CloudBaseAuth(app)


def test_invalid_value_names_the_setting(settings: Settings) -> None:
    app = Flask("invalid")
    app.config.update(settings(verify_mode="sometimes"))
    with pytest.raises(ConfigurationError, match="verify_mode"):
        CloudBaseAuth(app)


def test_setup_and_public_requests_do_no_network(settings: Settings, emulator: Emulator) -> None:
    before = emulator.counters.total()
    app = Flask("quiet")
    app.config.update(settings())
    CloudBaseAuth(app)

    @app.get("/public")
    def public() -> dict[str, Any]:
        return {"user": current_user.sub}

    assert app.test_client().get("/public").get_json() == {"user": None}
    assert emulator.counters.total() == before


def test_current_user_without_the_extension_explains() -> None:
    app = Flask("bare")
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="init_app"):
        _ = current_user.sub


def test_current_user_outside_a_request_raises(app: Flask) -> None:
    with app.app_context(), pytest.raises(RuntimeError):
        _ = current_user.sub


@pytest.mark.parametrize("method", ["require_groups", "require_scopes"])
def test_requirement_decorators_need_names(method: str) -> None:
    auth = CloudBaseAuth()
    with pytest.raises(TypeError, match="at least one"):
        getattr(auth, method)()

    def view() -> str:
        return ""

    with pytest.raises(TypeError):
        getattr(auth, method)(view)  # bare @auth.require_groups (a mistake)
