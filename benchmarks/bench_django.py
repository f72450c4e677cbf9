"""Django: per-request overhead of ``CloudBaseAuthMiddleware`` with a token seen before.

Both projects are called in-process through a ``WSGIHandler`` (Django's own WSGI entry point,
the full middleware chain, URL resolution and signals; no test ``Client``, whose bookkeeping
would add noise to both sides) with the same prepared environ, ``Authorization`` header
included. The baseline is Django's hello world with the middleware of ``startproject``; the
candidate is the same project with ``CloudBaseAuthMiddleware`` added:

- the view returning ``request.cloudbase.sub`` (target 1.05x, issue 3), and the same behind
  ``@cloudbase_login_required``;
- the decorated view also reading ``request.cloudbase.profile`` (cached) (target 1.10x);
- the hello world itself called without a token, with and without the middleware: what the
  middleware costs a public request that sends no credentials.

The guard is warmed against a local emulator first (keys fetched, token and profile cached),
so no request measured touches the network. No view touches ``request.user``: the Django user
costs one database query, as with Django's session authentication. Every view sits behind one
URL pattern (a dict lookup picks it), so URL resolution costs the same on both sides.

Where the time goes (about 6 µs over a 95 µs hello world on the reference machine): reading
the header and the token-cache lookup (core), the ``CloudBaseUser``, and the lazy
``request.user``/``request.auser`` that must replace the session ones; the middleware layer
itself costs ~0.3 µs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, JsonResponse
from django.test.utils import override_settings
from django.urls import path

from benchmarks.common import BenchResult
from benchmarks.support import WsgiCase, compare_wsgi, provider
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard

OURS = "cloudbase_auth_mw.contrib.django.middleware.CloudBaseAuthMiddleware"
#: What ``django-admin startproject`` puts in MIDDLEWARE (messages aside: no messages app).
STARTPROJECT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
_BASE = {
    "DEBUG": False,
    "SECRET_KEY": "benchmark-only",
    "ALLOWED_HOSTS": ["testserver"],
    "USE_TZ": True,
    "INSTALLED_APPS": [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "cloudbase_auth_mw.contrib.django",
    ],
    "DATABASES": {},
}
if not settings.configured:  # else: a test session configured Django; URLs are overridden below
    settings.configure(**_BASE)
    django.setup()

from cloudbase_auth_mw.contrib.django.conf import override_guard  # noqa: E402
from cloudbase_auth_mw.contrib.django.decorators import cloudbase_login_required  # noqa: E402


def hello(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"hello": "world"})


def sub(request: Any) -> JsonResponse:
    return JsonResponse({"hello": request.cloudbase.sub})


@cloudbase_login_required
def gated(request: Any) -> JsonResponse:
    return JsonResponse({"hello": request.cloudbase.sub})


@cloudbase_login_required
def profile(request: Any) -> JsonResponse:
    return JsonResponse({"hello": request.cloudbase.sub, "name": request.cloudbase.profile.name})


VIEWS: dict[str, Callable[..., JsonResponse]] = {
    "hello": hello,
    "sub": sub,
    "gated": gated,
    "profile": profile,
}


def route(request: HttpRequest, name: str) -> JsonResponse:
    """One URL pattern for every view: URL resolution costs the same on both sides."""
    return VIEWS[name](request)


urlpatterns = [path("<str:name>", route)]


@contextmanager
def _django(emulator: Emulator) -> Iterator[None]:
    """This module as URLconf, the emulator as provider."""
    config = {"ENV_ID": emulator.env_id, "BASE_URL": emulator.base_url}
    with override_settings(ROOT_URLCONF=__name__, CLOUDBASE_AUTH=config, DEBUG=False):
        yield


def _handler(middleware: list[str]) -> WSGIHandler:
    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def _environ(route: str, token: str | None) -> dict[str, Any]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/{route}",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    if token is None:
        del environ["HTTP_AUTHORIZATION"]
    return environ


def run(quick: bool) -> list[BenchResult]:
    with provider() as local, _django(local.emulator):
        guard = CloudBaseGuard(local.config)
        try:
            with override_guard(guard):
                return _measure(local.token, quick)
        finally:
            guard.close()


def _measure(token: str, quick: bool) -> list[BenchResult]:
    baseline_handler = _handler(STARTPROJECT_MIDDLEWARE)
    candidate_handler = _handler([*STARTPROJECT_MIDDLEWARE, OURS])
    plain = (baseline_handler, _environ("hello", token))
    baseline_name = "django hello world (startproject mw)"
    cases = [
        WsgiCase(name, baseline_name, plain, (candidate_handler, _environ(route, token)), target)
        for name, route, target in [
            ("django middleware + request.cloudbase.sub", "sub", 1.05),
            ("django middleware + @cloudbase_login_required", "gated", 1.05),
            ("django middleware + login_required + profile", "profile", 1.10),
        ]
    ]
    anonymous = _environ("hello", None)
    cases.append(
        WsgiCase(
            "django middleware, public route, no token",
            "django hello world, no token",
            (baseline_handler, anonymous),
            (candidate_handler, anonymous),
            1.05,
        )
    )
    size, rounds = (200, 9) if quick else (1_500, 21)
    return compare_wsgi(cases, size=size, rounds=rounds)
