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

from benchmarks.common import BenchResult, interleaved
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
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


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    return None


def _call(handler: WSGIHandler, environ: dict[str, Any]) -> Any:
    """One request as a server makes it: call, drain, close (request_finished fires)."""
    response = handler({**environ, "wsgi.input": io.BytesIO()}, _start_response)
    for _chunk in response:
        pass
    response.close()
    return response


def _batch(handler: WSGIHandler, environ: dict[str, Any], size: int) -> Callable[[], int]:
    def batch() -> int:
        for _ in range(size):
            _call(handler, environ)
        return size

    return batch


def _check(handler: WSGIHandler, environ: dict[str, Any]) -> None:
    response = _call(handler, environ)
    if response.status_code != 200:
        raise RuntimeError(f"warm-up failed: {response.status_code} {response.content!r}")


def run(quick: bool) -> list[BenchResult]:
    emulator = Emulator().start()
    guard: CloudBaseGuard | None = None
    try:
        user = emulator.add_user(username="bench", password="Passw0rd!", name="Bench")
        token = emulator.mint_access_token(user.sub)
        with _django(emulator):
            guard = CloudBaseGuard(
                CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url)
            )
            with override_guard(guard):
                return _measure(token, quick)
    finally:
        if guard is not None:
            guard.close()
        emulator.stop()


def _measure(token: str, quick: bool) -> list[BenchResult]:
    baseline_handler = _handler(STARTPROJECT_MIDDLEWARE)
    candidate_handler = _handler([*STARTPROJECT_MIDDLEWARE, OURS])
    plain = _environ("hello", token)
    cases = [
        ("django middleware + request.cloudbase.sub", "sub", 1.05),
        ("django middleware + @cloudbase_login_required", "gated", 1.05),
        ("django middleware + login_required + profile", "profile", 1.10),
    ]
    environs = {route: _environ(route, token) for _, route, _ in cases}
    _check(baseline_handler, plain)
    for environ in environs.values():
        _check(candidate_handler, environ)
    anonymous = _environ("hello", None)
    _check(candidate_handler, anonymous)
    size, rounds = (200, 9) if quick else (1_500, 21)
    baseline = _batch(baseline_handler, plain, size)
    results = [
        interleaved(
            name,
            "django hello world (startproject mw)",
            baseline,
            _batch(candidate_handler, environs[route], size),
            target=target,
            rounds=rounds,
        )
        for name, route, target in cases
    ]
    results.append(
        interleaved(
            "django middleware, public route, no token",
            "django hello world, no token",
            _batch(baseline_handler, anonymous, size),
            _batch(candidate_handler, anonymous, size),
            target=1.05,
            rounds=rounds,
        )
    )
    return results
