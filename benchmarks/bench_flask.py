"""Flask: per-request overhead of the extension with a token seen before.

Both apps are called in-process through their WSGI entry point with the same prepared
environ (the same ``Authorization`` header), so the ratio is the extension's cost over Flask's
own request handling:

- ``@auth.login_required`` on the hello world itself (the gate alone), and the same
  decorated view returning ``current_user.sub`` (what real views do), each vs the no-auth
  hello world (target 1.05x, issue 3);
- the decorated view also reading ``current_user.profile`` (cached) (target 1.10x);
- a public (undecorated) route called without a token, vs the hello world called the same
  way: what the extension's ``before_request`` credentials check costs a request that sends
  none (it should be next to nothing).

The guard is warmed against a local emulator first (keys fetched, token and profile cached),
so no request measured touches the network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.test import EnvironBuilder

from benchmarks.common import BenchResult, interleaved
from cloudbase_auth_mw.contrib.flask import CloudBaseAuth, current_user
from cloudbase_auth_mw.emulator import Emulator

WsgiCall = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    return None


def hello_app() -> Flask:
    app = Flask("bench_hello")

    @app.get("/hello")
    def hello() -> dict[str, Any]:
        return {"hello": "world"}

    return app


def _auth_app(emulator: Emulator) -> Flask:
    app = Flask("bench_auth")
    app.config.update(
        CLOUDBASE_AUTH_ENV_ID=emulator.env_id, CLOUDBASE_AUTH_BASE_URL=emulator.base_url
    )
    auth = CloudBaseAuth(app)

    @app.get("/gate")
    @auth.login_required
    def gate() -> dict[str, Any]:
        return {"hello": "world"}

    @app.get("/hello")
    @auth.login_required
    def hello() -> dict[str, Any]:
        return {"hello": current_user.sub}

    @app.get("/profile")
    @auth.login_required
    def profile() -> dict[str, Any]:
        return {"hello": current_user.sub, "name": current_user.profile.name}

    @app.get("/public")
    def public() -> dict[str, Any]:
        return {"hello": "world"}

    return app


def wsgi_batch(app: WsgiCall, environ: dict[str, Any], size: int) -> Callable[[], int]:
    def batch() -> int:
        for _ in range(size):
            for _chunk in app(dict(environ), _start_response):
                pass
        return size

    return batch


def environ_for(path: str, token: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return dict(EnvironBuilder(path=path, headers=headers).get_environ())


def check_ok(app: WsgiCall, environ: dict[str, Any]) -> None:
    statuses: list[str] = []
    body = b"".join(app(dict(environ), lambda status, headers, exc=None: statuses.append(status)))
    if not statuses or not statuses[0].startswith("200"):
        raise RuntimeError(f"warm-up failed: {statuses} {body!r}")


def run(quick: bool) -> list[BenchResult]:
    emulator = Emulator().start()
    try:
        user = emulator.add_user(username="bench", password="Passw0rd!", name="Bench")
        token = emulator.mint_access_token(user.sub)
        hello, auth = hello_app().wsgi_app, _auth_app(emulator).wsgi_app
        plain = environ_for("/hello", token)
        cases = [
            ("flask @login_required (gate only)", "/gate", 1.05),
            ("flask @login_required + current_user.sub", "/hello", 1.05),
            ("flask @login_required + cached profile", "/profile", 1.10),
        ]
        environs = {path: environ_for(path, token) for _, path, _ in cases}
        check_ok(hello, plain)
        for environ in environs.values():
            check_ok(auth, environ)
        anonymous, public = environ_for("/hello", None), environ_for("/public", None)
        check_ok(hello, anonymous)
        check_ok(auth, public)
        size, rounds = (300, 9) if quick else (2_000, 21)
        baseline = wsgi_batch(hello, plain, size)
        results = [
            interleaved(
                name,
                "flask hello world (no auth)",
                baseline,
                wsgi_batch(auth, environs[path], size),
                target=target,
                rounds=rounds,
            )
            for name, path, target in cases
        ]
        results.append(
            interleaved(
                "flask public route, no token",
                "flask hello world, no token",
                wsgi_batch(hello, anonymous, size),
                wsgi_batch(auth, public, size),
                target=1.05,
                rounds=rounds,
            )
        )
        return results
    finally:
        emulator.stop()
