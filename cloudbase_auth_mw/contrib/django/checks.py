"""System checks (``manage.py check``): each message names the setting to fix.

=====================  ===================================================================
``cloudbase_auth.E001``  ``CLOUDBASE_AUTH`` is missing (and no guard was installed)
``cloudbase_auth.E002``  ``CLOUDBASE_AUTH`` is not a dict
``cloudbase_auth.E003``  unknown key in ``CLOUDBASE_AUTH`` (with a "did you mean")
``cloudbase_auth.E004``  invalid value in ``CLOUDBASE_AUTH``
``cloudbase_auth.E005``  the middleware comes before ``AuthenticationMiddleware``
``cloudbase_auth.E006``  ``SESSION_LOGIN`` without the session and auth middleware
``cloudbase_auth.W001``  the middleware is not in ``MIDDLEWARE``
``cloudbase_auth.W002``  ``CloudBaseBackend`` is not in ``AUTHENTICATION_BACKENDS``
=====================  ===================================================================

The two warnings are not errors: a project may use only ``request.cloudbase`` and the
decorators (no Django users), or only the decorators; silence them with
``SILENCED_SYSTEM_CHECKS`` then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from ...core.errors import ConfigurationError
from . import conf

OUR_MIDDLEWARE = "cloudbase_auth_mw.contrib.django.middleware.CloudBaseAuthMiddleware"
OUR_BACKEND = "cloudbase_auth_mw.contrib.django.backends.CloudBaseBackend"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
_EXAMPLE = 'CLOUDBASE_AUTH = {"ENV_ID": "your-env-id"}'


def _error(message: str, number: int, hint: str | None = None) -> checks.CheckMessage:
    return checks.Error(message, hint=hint, id=f"cloudbase_auth.E{number:03d}")


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``CLOUDBASE_AUTH`` is present, a dict, with known keys and valid values."""
    if conf.installed_guard() is not None:
        return []
    mapping = conf.raw_settings()
    if mapping is None:
        return [_error(f"settings.{conf.SETTING} is not set.", 1, hint=f"Add {_EXAMPLE}.")]
    if not isinstance(mapping, Mapping):
        return [_error(f"settings.{conf.SETTING} must be a dict.", 2, hint=f"e.g. {_EXAMPLE}")]
    unknown = conf.unknown_key_errors(mapping)
    if unknown:
        return [_error(message, 3) for message in unknown]
    try:
        conf.load_config()
    except ConfigurationError as exc:
        return [_error(str(exc), 4)]
    return []


def _positions(paths: Sequence[str], base: str) -> list[int]:
    """Indexes of the entries of ``paths`` that are ``base`` or a subclass of it."""
    wanted = import_string(base)
    found = []
    for index, path in enumerate(paths):
        try:
            cls = import_string(path)
        except ImportError:
            continue
        if isinstance(cls, type) and issubclass(cls, wanted):
            found.append(index)
    return found


def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Our middleware is installed, after ``AuthenticationMiddleware``; sessions if opted in."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or ())
    ours = _positions(middleware, OUR_MIDDLEWARE)
    if not ours:
        return [
            checks.Warning(
                f"{OUR_MIDDLEWARE} is not in settings.MIDDLEWARE: request.user and "
                "request.cloudbase are not set from the bearer token.",
                hint="Add it to settings.MIDDLEWARE, after AuthenticationMiddleware if present.",
                id="cloudbase_auth.W001",
            )
        ]
    found: list[checks.CheckMessage] = []
    auth = _positions(middleware, AUTH_MIDDLEWARE)
    if auth and auth[-1] > ours[0]:
        found.append(
            _error(
                "In settings.MIDDLEWARE, CloudBaseAuthMiddleware must come after "
                "AuthenticationMiddleware (which would otherwise replace request.user).",
                5,
                hint=f"Move {OUR_MIDDLEWARE} below {AUTH_MIDDLEWARE}.",
            )
        )
    if conf.session_login() and not (auth and _positions(middleware, SESSION_MIDDLEWARE)):
        found.append(
            _error(
                f"settings.{conf.SETTING}['SESSION_LOGIN'] needs SessionMiddleware and "
                "AuthenticationMiddleware in settings.MIDDLEWARE.",
                6,
                hint="Add them, or set SESSION_LOGIN to False.",
            )
        )
    return found


def check_backends(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``CloudBaseBackend`` (or a subclass) is in ``AUTHENTICATION_BACKENDS``."""
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", None) or ())
    if _positions(backends, OUR_BACKEND):
        return []
    return [
        checks.Warning(
            f"{OUR_BACKEND} is not in settings.AUTHENTICATION_BACKENDS: a valid token "
            "leaves request.user anonymous.",
            hint=f"Add {OUR_BACKEND!r} to settings.AUTHENTICATION_BACKENDS.",
            id="cloudbase_auth.W002",
        )
    ]


def register_checks() -> None:
    """Register the checks with Django (called by the app config's ``ready``)."""
    for check in (check_settings, check_middleware, check_backends):
        checks.register(check, "cloudbase_auth")
