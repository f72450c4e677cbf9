"""System checks and settings: each message names the setting to fix."""

from __future__ import annotations

from typing import Any

import pytest
from cbauth_django_settings import BACKEND, MIDDLEWARE, SETTINGS
from django.core import checks
from django.test import override_settings

from cloudbase_auth_mw.contrib.django import conf
from cloudbase_auth_mw.contrib.django.backends import CloudBaseBackend
from cloudbase_auth_mw.contrib.django.middleware import CloudBaseAuthMiddleware
from cloudbase_auth_mw.core.errors import ConfigurationError
from cloudbase_auth_mw.guard import CloudBaseGuard

AUTH_MW = "django.contrib.auth.middleware.AuthenticationMiddleware"
SESSION_MW = "django.contrib.sessions.middleware.SessionMiddleware"


class SubclassedBackend(CloudBaseBackend):
    pass


def run() -> dict[str, str]:
    """``{check id: message}`` of our checks."""
    return {m.id: m.msg for m in checks.run_checks(tags=["cloudbase_auth"])}


def test_the_test_settings_pass() -> None:
    assert run() == {}


def test_missing_setting(settings: Any) -> None:
    del settings.CLOUDBASE_AUTH
    assert run() == {"cloudbase_auth.E001": "settings.CLOUDBASE_AUTH is not set."}


def test_not_a_dict(settings: Any) -> None:
    settings.CLOUDBASE_AUTH = "test-env"
    assert "must be a dict" in run()["cloudbase_auth.E002"]


def test_unknown_key_with_did_you_mean(settings: Any) -> None:
    settings.CLOUDBASE_AUTH = {"ENV_ID": "e", "VERIFY_MOD": "jwks", "SESION_LOGIN": True}
    found = [m.msg for m in checks.run_checks(tags=["cloudbase_auth"])]
    assert found == [
        "unknown key 'VERIFY_MOD' in settings.CLOUDBASE_AUTH; did you mean 'VERIFY_MODE'?",
        "unknown key 'SESION_LOGIN' in settings.CLOUDBASE_AUTH; did you mean 'SESSION_LOGIN'?",
    ]


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ({"BASE_URL": "http://x"}, "env_id"),
        ({"ENV_ID": "e", "VERIFY_MODE": "rot13"}, "verify_mode"),
        ({"env_id": "e", "leeway": "soon"}, "leeway"),
    ],
)
def test_invalid_values_name_the_setting(settings: Any, value: dict[str, Any], named: str) -> None:
    settings.CLOUDBASE_AUTH = value
    message = run()["cloudbase_auth.E004"]
    assert message.startswith("settings.CLOUDBASE_AUTH") and named in message.lower()


def test_middleware_missing_is_a_warning(settings: Any) -> None:
    settings.MIDDLEWARE = [m for m in SETTINGS["MIDDLEWARE"] if m != MIDDLEWARE]
    assert "not in settings.MIDDLEWARE" in run()["cloudbase_auth.W001"]


def test_middleware_before_authentication_middleware(settings: Any) -> None:
    settings.MIDDLEWARE = [SESSION_MW, MIDDLEWARE, AUTH_MW]
    assert "must come after AuthenticationMiddleware" in run()["cloudbase_auth.E005"]


def test_middleware_alone_is_fine(settings: Any) -> None:
    settings.MIDDLEWARE = [MIDDLEWARE]
    assert run() == {}


def test_session_login_needs_sessions(settings: Any) -> None:
    settings.CLOUDBASE_AUTH = {"ENV_ID": "e", "SESSION_LOGIN": "true"}
    settings.MIDDLEWARE = [MIDDLEWARE]
    assert "SESSION_LOGIN" in run()["cloudbase_auth.E006"]


def test_backend_missing(settings: Any) -> None:
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    message = run()["cloudbase_auth.W002"]
    assert BACKEND in message and "AUTHENTICATION_BACKENDS" in message


def test_backend_subclass_counts(settings: Any) -> None:
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.SubclassedBackend"]
    assert run() == {}


def test_installed_guard_makes_the_setting_optional(settings: Any) -> None:
    del settings.CLOUDBASE_AUTH
    guard = CloudBaseGuard(conf.CloudBaseAuthConfig(env_id="e"))
    with conf.override_guard(guard):
        assert run() == {}
        assert conf.get_guard() is guard
    assert conf.installed_guard() is None


# ------------------------------------------------------------------------- the guard
def test_one_guard_per_process_rebuilt_when_the_setting_changes() -> None:
    first = conf.get_guard()
    assert conf.get_guard() is first
    assert first.config.env_id == "test-env"
    with override_settings(CLOUDBASE_AUTH={"env_id": "other", "Allow_Anonymous": "false"}):
        changed = conf.get_guard()
        assert changed is not first
        assert (changed.config.env_id, changed.config.allow_anonymous) == ("other", False)
    assert conf.get_guard().config.env_id == "test-env"


def test_load_config_errors_name_the_setting(settings: Any) -> None:
    del settings.CLOUDBASE_AUTH  # pytest-django sends no setting_changed for a deletion
    conf.reset_guard()
    with pytest.raises(ConfigurationError, match=r"settings\.CLOUDBASE_AUTH is not set"):
        conf.get_guard()
    settings.CLOUDBASE_AUTH = {"ENV_ID": "e", "REALMS": "x"}
    with pytest.raises(ConfigurationError, match="did you mean 'REALM'"):
        conf.load_config()


@pytest.mark.parametrize(("value", "expected"), [("on", True), ("0", False), (True, True)])
def test_session_login_values(settings: Any, value: object, expected: bool) -> None:
    settings.CLOUDBASE_AUTH = {"ENV_ID": "e", "session_login": value}
    assert conf.session_login() is expected
    assert conf.load_config().env_id == "e"  # Django-only keys never reach the core config


def test_a_wrong_setting_stops_the_middleware_from_loading() -> None:
    """Servers build the middleware at start-up: misconfiguration fails there, named."""
    with (
        override_settings(CLOUDBASE_AUTH={"ENV_ID": "e", "VERIFY_MODE": "rot13"}),
        pytest.raises(ConfigurationError, match=r"settings\.CLOUDBASE_AUTH.*verify_mode"),
    ):
        CloudBaseAuthMiddleware(lambda request: None)
