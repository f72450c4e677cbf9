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

from typing import Any

from flask import Flask
from werkzeug.test import EnvironBuilder

from benchmarks.common import BenchResult
from benchmarks.support import WsgiCase, compare_wsgi, provider
from cloudbase_auth_mw.contrib.flask import CloudBaseAuth, current_user
from cloudbase_auth_mw.emulator import Emulator


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


def environ_for(path: str, token: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return dict(EnvironBuilder(path=path, headers=headers).get_environ())


def run(quick: bool) -> list[BenchResult]:
    with provider() as local:
        hello, auth = hello_app().wsgi_app, _auth_app(local.emulator).wsgi_app
        plain = (hello, environ_for("/hello", local.token))
        cases = [
            WsgiCase(
                name,
                "flask hello world (no auth)",
                plain,
                (auth, environ_for(path, local.token)),
                target,
            )
            for name, path, target in [
                ("flask @login_required (gate only)", "/gate", 1.05),
                ("flask @login_required + current_user.sub", "/hello", 1.05),
                ("flask @login_required + cached profile", "/profile", 1.10),
            ]
        ]
        cases.append(
            WsgiCase(
                "flask public route, no token",
                "flask hello world, no token",
                (hello, environ_for("/hello", None)),
                (auth, environ_for("/public", None)),
                1.05,
            )
        )
        size, rounds = (300, 9) if quick else (2_000, 21)
        return compare_wsgi(cases, size=size, rounds=rounds)
