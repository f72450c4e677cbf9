"""Plain WSGI middleware: per-request overhead with a token seen before.

The middleware (every path required, so each request is validated and authorised) wraps a
Flask hello world; the baseline is the same hello world unwrapped, both called in-process
with the same environ. Issue 3 sets no target for the plain middleware; the Flask one (1.05x)
is used, since this is what a Flask user gets by wrapping ``app.wsgi_app``.
"""

from __future__ import annotations

from benchmarks.bench_flask import check_ok, environ_for, hello_app, wsgi_batch
from benchmarks.common import BenchResult, interleaved
from cloudbase_auth_mw.contrib.wsgi import CloudBaseAuthMiddleware
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator


def run(quick: bool) -> list[BenchResult]:
    emulator = Emulator().start()
    try:
        user = emulator.add_user(username="bench", password="Passw0rd!", name="Bench")
        token = emulator.mint_access_token(user.sub)
        hello = hello_app().wsgi_app
        config = CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url)
        wrapped = CloudBaseAuthMiddleware(hello, config=config, required=True)
        environ = environ_for("/hello", token)
        check_ok(hello, environ)
        check_ok(wrapped, environ)  # fetches the keys, caches the token
        size, rounds = (300, 9) if quick else (2_000, 21)
        return [
            interleaved(
                "wsgi middleware (required), cached token",
                "flask hello world (no auth)",
                wsgi_batch(hello, environ, size),
                wsgi_batch(wrapped, environ, size),
                target=1.05,
                rounds=rounds,
            )
        ]
    finally:
        emulator.stop()
