"""The request context routes receive, and the route registry.

A route is a function ``(call) -> dict | Reply``; a plain ``dict`` is a 200 JSON answer.
Routes raise :class:`~cloudbase_auth_mw.emulator.errors.ApiFailure` for error answers.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiFailure, invalid_argument
from .state import EmulatorState


@dataclass(frozen=True)
class Reply:
    """A JSON answer with a status other than 200, or extra headers."""

    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One API request as routes see it: path below ``api_path``, lower-cased headers."""

    state: EmulatorState
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]
    params: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # headers and body carry tokens
        return f"Call({self.method} {self.path})"

    @property
    def bearer(self) -> str | None:
        """The Bearer token of the ``Authorization`` header, else ``?access_token=``.

        The query form is what the SDK sends with its ``tokenInURL`` option.
        """
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return self.query.get("access_token") or None

    @property
    def basic(self) -> tuple[str, str] | None:
        """``(client_id, client_secret)`` from HTTP Basic, if sent (accepted, never required)."""
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, secret = base64.b64decode(value.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user, secret

    @property
    def client_id(self) -> str:
        """``?client_id=``, Basic user, body ``client_id``, else the env id (CloudBase default)."""
        basic = self.basic
        return (
            self.query.get("client_id")
            or (basic[0] if basic else None)
            or self.text("client_id")
            or self.state.settings.env_id
        )

    @property
    def device_id(self) -> str | None:
        return self.headers.get("x-device-id") or None

    def text(self, name: str) -> str | None:
        """A non-empty string field of the JSON body (``None`` otherwise)."""
        value = self.body.get(name)
        return value if isinstance(value, str) and value else None

    def require(self, name: str) -> str:
        """A string body field that must be present, else ``invalid_argument``."""
        value = self.text(name)
        if value is None:
            raise invalid_argument(f"{name} is required")
        return value


Route = Callable[[Call], "dict[str, Any] | Reply"]


@dataclass(frozen=True)
class RouteEntry:
    method: str
    pattern: re.Pattern[str]
    func: Route


ROUTES: list[RouteEntry] = []


def route(method: str, *paths: str) -> Callable[[Route], Route]:
    """Register ``func`` for ``method`` on each path (``{name}`` captures one segment)."""

    def register(func: Route) -> Route:
        for path in paths:
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
            ROUTES.append(RouteEntry(method, re.compile(f"^{regex}$"), func))
        return func

    return register


def resolve(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for ``method path``: 404 ``not_found`` or 405 ``unimplemented`` otherwise."""
    allowed = False
    for entry in ROUTES:
        match = entry.pattern.match(path)
        if match is None:
            continue
        if entry.method == method:
            return entry.func, match.groupdict()
        allowed = True
    if allowed:
        raise ApiFailure("unimplemented", f"method {method} is not allowed here", status=405)
    raise ApiFailure("not_found", f"no such endpoint: {path}")
