"""Plain WSGI middleware: per-request overhead with a token seen before.

The middleware (every path required, so each request is validated and authorised) wraps a
Flask hello world; the baseline is the same hello world unwrapped, both called in-process
with the same environ. Issue 3 sets no target for the plain middleware; the Flask one (1.05x)
is used, since this is what a Flask user gets by wrapping ``app.wsgi_app``.
"""

from __future__ import annotations

from benchmarks.bench_flask import environ_for, hello_app
from benchmarks.common import BenchResult
from benchmarks.support import WsgiCase, compare_wsgi, provider
from cloudbase_auth_mw.contrib.wsgi import CloudBaseAuthMiddleware


def run(quick: bool) -> list[BenchResult]:
    with provider() as local:
        hello = hello_app().wsgi_app
        wrapped = CloudBaseAuthMiddleware(hello, config=local.config, required=True)
        environ = environ_for("/hello", local.token)
        case = WsgiCase(
            "wsgi middleware (required), cached token",
            "flask hello world (no auth)",
            (hello, environ),
            (wrapped, environ),  # the warm-up fetches the keys, caches the token
            1.05,
        )
        size, rounds = (300, 9) if quick else (2_000, 21)
        return compare_wsgi([case], size=size, rounds=rounds)
