"""Settings and the process-wide guard of the Django integration.

Everything comes from one setting, a dict whose keys are matched case-insensitively::

    CLOUDBASE_AUTH = {
        "ENV_ID": "my-env-1a2b3c",          # every CloudBaseAuthConfig field, e.g.
        "VERIFY_MODE": "jwks",              # BASE_URL, ALLOW_ANONYMOUS, REALM, ...
        "SESSION_LOGIN": False,             # Django only: also log the user into the session
    }

One :class:`~cloudbase_auth_mw.guard.CloudBaseGuard` is built from it on first use and shared
by the middleware, the decorators, the backend and the DRF class. It is rebuilt when a test
changes ``CLOUDBASE_AUTH`` (``override_settings``). To give it your own transport, caches or
clock (a Redis token cache, a fake clock in tests), build it yourself and install it with
:func:`set_guard` (in your ``AppConfig.ready()``) or :func:`override_guard` (in a test).
"""

from __future__ import annotations

import dataclasses
import difflib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

from ...core.config import CloudBaseAuthConfig
from ...core.errors import ConfigurationError
from ...guard import CloudBaseGuard

SETTING = "CLOUDBASE_AUTH"
#: Keys of ``CLOUDBASE_AUTH`` that belong to the Django integration, with their defaults.
DJANGO_KEYS: Mapping[str, Any] = {"session_login": False}
CONFIG_KEYS = frozenset(f.name for f in dataclasses.fields(CloudBaseAuthConfig))

_lock = threading.Lock()
_built: CloudBaseGuard | None = None
_injected: CloudBaseGuard | None = None


def raw_settings() -> Mapping[str, Any] | None:
    """``settings.CLOUDBASE_AUTH`` as written, or ``None`` when it is not set."""
    value: Mapping[str, Any] | None = getattr(settings, SETTING, None)
    return value


def unknown_key_errors(mapping: Mapping[str, Any]) -> list[str]:
    """One message per unknown key of ``CLOUDBASE_AUTH``, each with a "did you mean"."""
    known = sorted(CONFIG_KEYS | set(DJANGO_KEYS))
    messages = []
    for key in mapping:
        name = str(key).strip().lower()
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0].upper()!r}?" if close else ""
        messages.append(f"unknown key {key!r} in settings.{SETTING}{hint}")
    return messages


def _split(mapping: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    core: dict[str, Any] = {}
    django_only = dict(DJANGO_KEYS)
    for key, value in mapping.items():
        name = str(key).strip().lower()
        if name in DJANGO_KEYS:
            django_only[name] = value
        else:
            core[name] = value
    return core, django_only


def load_config() -> CloudBaseAuthConfig:
    """Build the :class:`CloudBaseAuthConfig` from ``settings.CLOUDBASE_AUTH``.

    Raises :class:`ConfigurationError` naming the setting when it is missing or wrong.
    """
    mapping = raw_settings()
    if mapping is None:
        raise ConfigurationError(f"settings.{SETTING} is not set (a dict with at least ENV_ID)")
    if not isinstance(mapping, Mapping):
        raise ConfigurationError(f"settings.{SETTING} must be a dict")
    unknown = unknown_key_errors(mapping)
    if unknown:
        raise ConfigurationError(unknown[0])
    core, _ = _split(mapping)
    if not core.get("env_id"):
        raise ConfigurationError(f"settings.{SETTING}['ENV_ID'] is required (your env id)")
    try:
        return CloudBaseAuthConfig.from_mapping(core)
    except ConfigurationError as exc:
        raise ConfigurationError(f"settings.{SETTING}: {exc}") from None


def session_login() -> bool:
    """``CLOUDBASE_AUTH["SESSION_LOGIN"]``: log the mapped user into the session (opt-in)."""
    mapping = raw_settings()
    if not isinstance(mapping, Mapping):
        return False
    value = _split(mapping)[1]["session_login"]
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def get_guard() -> CloudBaseGuard:
    """The guard of this process: the installed one, else one built from settings (once)."""
    guard = _injected or _built
    if guard is not None:
        return guard
    return _build()


def _build() -> CloudBaseGuard:
    global _built
    with _lock:
        if _built is None:
            _built = CloudBaseGuard(load_config())
        return _built


def set_guard(guard: CloudBaseGuard | None) -> CloudBaseGuard | None:
    """Install ``guard`` for this process (``None`` goes back to settings); returns the previous.

    The caller keeps ownership: a guard installed here is never closed by this module.
    """
    global _injected
    previous, _injected = _injected, guard
    return previous


def installed_guard() -> CloudBaseGuard | None:
    """The guard installed with :func:`set_guard`, if any."""
    return _injected


@contextmanager
def override_guard(guard: CloudBaseGuard) -> Iterator[CloudBaseGuard]:
    """Use ``guard`` inside the ``with`` block (tests: a guard with a fake clock)."""
    previous = set_guard(guard)
    try:
        yield guard
    finally:
        set_guard(previous)


def reset_guard() -> None:
    """Forget (and close) the guard built from settings; the next request builds a new one."""
    global _built
    with _lock:
        old, _built = _built, None
    if old is not None:
        old.close()


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == SETTING:
        reset_guard()


setting_changed.connect(_on_setting_changed)
