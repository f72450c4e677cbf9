"""The pure, I/O-free request handler: ``(state, request parts) -> (status, headers, body)``.

Conventions reproduced (reference §2, §7, §10): the body is JSON whatever the Content-Type
(the JS SDK sends ``text/plain``); an empty body is ``{}``; CORS preflights are answered for
any origin; every answer carries ``x-request-id`` (the caller's, or a new one); every error
is ``{error, error_code, error_description}``; ``/auth/v2/...`` answers 501 ``unimplemented``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

# Importing the route modules registers their routes.
from . import captcha, routes_provider, routes_signin, routes_token, routes_user  # noqa: F401
from .errors import ApiFailure, invalid_argument
from .routing import Call, Reply, resolve
from .state import EmulatorState

log = logging.getLogger("cloudbase_auth_mw.emulator")

Headers = list[tuple[str, str]]
Result = tuple[int, Headers, bytes]

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = (
    "authorization, content-type, x-device-id, x-request-id, x-sdk-version, x-captcha-token, "
    "accept-language, x-tcb-source, x-client-timestamp, x-tcb-region"
)


def parse_query(query: str | Mapping[str, str]) -> dict[str, str]:
    """A query string (or mapping) as a dict; the first value of a repeated name wins."""
    if not isinstance(query, str):
        return dict(query)
    result: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        result.setdefault(name, value)
    return result


def parse_body(raw: bytes) -> dict[str, Any]:
    """JSON object whatever the Content-Type; empty -> ``{}``; else ``invalid_argument``."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_argument("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise invalid_argument("the request body must be a JSON object")
    return data


def cors_headers(headers: Mapping[str, str], preflight: bool) -> Headers:
    """Allow any origin (the emulator serves browser tests too)."""
    origin = headers.get("origin")
    result = [
        ("access-control-allow-origin", origin or "*"),
        ("access-control-expose-headers", "x-request-id"),
    ]
    if origin:
        result += [("access-control-allow-credentials", "true"), ("vary", "Origin")]
    if preflight:
        requested = headers.get("access-control-request-headers")
        result += [
            ("access-control-allow-methods", ALLOWED_METHODS),
            ("access-control-allow-headers", requested or ALLOWED_HEADERS),
            ("access-control-max-age", "86400"),
        ]
    return result


def json_bytes(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def api_subpath(state: EmulatorState, path: str) -> str:
    """``/auth/v1/signin`` -> ``/v1/signin``; ``not_found`` outside ``api_path``."""
    prefix = "/" + state.settings.api_path.strip("/")
    if prefix != "/" and (path == prefix or path.startswith(prefix + "/")):
        return path[len(prefix) :]
    if prefix == "/":
        return path
    raise ApiFailure("not_found", f"no such endpoint: {path}")


def dispatch(
    state: EmulatorState,
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    raw_body: bytes,
) -> Reply:
    """Route one API call; errors are raised as :class:`ApiFailure`."""
    sub = api_subpath(state, path.rstrip("/") or "/")
    if sub.startswith("/v2/"):
        raise ApiFailure("unimplemented", "the emulator does not implement /auth/v2 endpoints")
    func, params = resolve(method, sub)
    call = Call(state, method, sub, query, headers, parse_body(raw_body), params)
    with state.lock:
        result = func(call)
    return result if isinstance(result, Reply) else Reply(200, result)


def handle(
    state: EmulatorState,
    method: str,
    path: str,
    query: str | Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> Result:
    """Answer one HTTP request to the Auth API: ``(status, headers, body bytes)``."""
    method = method.upper()
    lower = {name.lower(): value for name, value in headers.items()}
    request_id = lower.get("x-request-id") or uuid.uuid4().hex
    base = [*cors_headers(lower, method == "OPTIONS"), ("x-request-id", request_id)]
    if method == "OPTIONS":
        return 204, base, b""
    try:
        reply = dispatch(state, method, path, parse_query(query), lower, body)
    except ApiFailure as failure:
        reply = Reply(failure.status, failure.body())
    except Exception:  # an emulator bug must still answer the documented error shape
        log.exception("emulator error on %s %s", method, path)
        reply = Reply(500, ApiFailure("internal", "internal emulator error").body())
    log.debug("emulator %s %s -> %s", method, path, reply.status)
    out = [*base, ("content-type", "application/json; charset=utf-8"), *reply.headers.items()]
    return reply.status, out, json_bytes(reply.body)
