"""Django settings for the Django integration tests, applied once per pytest process.

``settings.configure()`` is global to the process, so the same settings serve every Django test
(tests/contrib/django and tests/contract/test_django.py); non-Django tests never touch them.
Databases: ``default`` is a file-backed SQLite test database (threads can share it, which the
user-creation race needs), ``pg`` the PostgreSQL server on 127.0.0.1:5432; :class:`Router` sends
the ORM to ``pg`` while a PostgreSQL test runs. Test database names carry the process id, so two
runs at once never drop each other's database.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
from django.conf import settings

OURS = "cloudbase_auth_mw.contrib.django"
MIDDLEWARE = f"{OURS}.middleware.CloudBaseAuthMiddleware"
BACKEND = f"{OURS}.backends.CloudBaseBackend"
_SQLITE = str(Path(tempfile.gettempdir()) / f"cbauth_django_{os.getpid()}.sqlite3")
PG_HOST, PG_PORT = "127.0.0.1", 5432

SETTINGS: dict[str, Any] = {
    "DEBUG": False,
    "SECRET_KEY": "django-tests-only",
    "ALLOWED_HOSTS": ["testserver", "localhost", "127.0.0.1"],
    "USE_TZ": True,
    "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
    "INSTALLED_APPS": [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "rest_framework",
        OURS,
    ],
    "MIDDLEWARE": [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        MIDDLEWARE,
    ],
    "AUTHENTICATION_BACKENDS": [BACKEND, "django.contrib.auth.backends.ModelBackend"],
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "ROOT_URLCONF": "cbauth_django_urls",
    "DATABASES": {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _SQLITE,
            "TEST": {"NAME": _SQLITE},
        },
        "pg": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "postgres",
            "USER": "postgres",
            "HOST": PG_HOST,
            "PORT": PG_PORT,
            "TEST": {"NAME": f"test_cbauth_django_{os.getpid()}", "DEPENDENCIES": []},
        },
    },
    "DATABASE_ROUTERS": ["cbauth_django_settings.Router"],
    # The tests install their own guard (emulator + clock); this only has to be valid.
    "CLOUDBASE_AUTH": {"ENV_ID": "test-env", "BASE_URL": "http://127.0.0.1:9"},
    "REST_FRAMEWORK": {"UNAUTHENTICATED_USER": None},
}


class Router:
    """Sends every query to ``Router.alias`` while it is set (``None``: Django's default)."""

    alias: str | None = None

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return Router.alias

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return Router.alias


@contextmanager
def use_database(alias: str) -> Iterator[None]:
    """Route the ORM (all threads) to ``alias`` inside the block."""
    previous, Router.alias = Router.alias, alias
    try:
        yield
    finally:
        Router.alias = previous


def configure() -> None:
    """Apply :data:`SETTINGS` and set Django up, once per process."""
    if not settings.configured:
        settings.configure(**SETTINGS)
        django.setup()
