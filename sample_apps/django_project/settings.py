"""Settings of the sample Django project.

CloudBase settings come only from ``CLOUDBASE_AUTH_*`` environment variables (at least
``CLOUDBASE_AUTH_ENV_ID``; ``CLOUDBASE_AUTH_BASE_URL`` for the emulator or a private endpoint;
``CLOUDBASE_AUTH_VERIFY_MODE``...), so the same project serves against the emulator, any Auth
v2-compatible server or a real environment. Django's own: ``DJANGO_SECRET_KEY``,
``DJANGO_DEBUG``, ``DJANGO_ALLOWED_HOSTS`` (comma-separated), ``DJANGO_DB_PATH`` (the SQLite file).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
PREFIX = "CLOUDBASE_AUTH_"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "sample-only-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "").lower() in {"1", "true", "yes", "on"}
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "cloudbase_auth_mw.contrib.django",  # system checks: `manage.py check` names what to fix
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After AuthenticationMiddleware: a bearer token wins over the session.
    "cloudbase_auth_mw.contrib.django.middleware.CloudBaseAuthMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "cloudbase_auth_mw.contrib.django.backends.CloudBaseBackend",  # CloudBase sub -> User
    "django.contrib.auth.backends.ModelBackend",  # passwords (e.g. the admin site)
]

# Every CLOUDBASE_AUTH_<NAME> variable becomes CLOUDBASE_AUTH["<NAME>"] (keys case-insensitive;
# string values are converted: "true", "30", "a,b").
CLOUDBASE_AUTH = {
    key[len(PREFIX) :]: value for key, value in os.environ.items() if key.startswith(PREFIX)
}

ROOT_URLCONF = "sample_apps.django_project.urls"
WSGI_APPLICATION = "sample_apps.django_project.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB_PATH", str(BASE_DIR / "db.sqlite3")),
        "OPTIONS": {"timeout": 20},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"httpx": {"level": "WARNING"}},  # one line per call to CloudBase is noise
}
