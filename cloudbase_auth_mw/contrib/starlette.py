"""Starlette: ``request.user``, ``request.auth.scopes`` and ``@requires`` for CloudBase users.

::

    app.add_middleware(CloudBaseAuthMiddleware)               # config from CLOUDBASE_AUTH_* env
    app.add_middleware(CloudBaseAuthMiddleware, guard=guard)  # or a guard / config / settings

    @require(groups=("admin",))                               # 401/403 rendered by the guard
    async def admin(request):
        profile = await request.user.cloudbase.aprofile()

or, with Starlette's own middleware::

    Middleware(AuthenticationMiddleware, backend=CloudBaseAuthBackend(guard),
               on_error=CloudBaseAuthBackend.on_error)

What a request carries (both ways):

- ``scope["user"]``: a :class:`CloudBaseStarletteUser` (Starlette ``BaseUser``; its
  ``identity`` is the ``sub`` string, ``.cloudbase`` the :class:`CloudBaseUser` with the lazy
  profile), or Starlette's ``UnauthenticatedUser`` when the request has no token;
- ``scope["auth"]``: ``AuthCredentials`` whose scopes are ``"authenticated"`` (any valid user,
  except CloudBase anonymous users when ``allow_anonymous`` is off), the token's scopes as sent
  (``"user"``, ``"sso"``, ``"anonymous"``) and ``"group:<id>"`` per group in the token, so
  ``@requires("authenticated")`` and ``@requires("group:admin")`` work (groups the token lacks
  are only known from the profile: use :func:`require` for those);
- ``scope["cloudbase.user"]`` / ``scope["cloudbase.guard"]``, as the plain ASGI middleware sets.

A token that fails (bad or expired 401, sent twice 400, provider down 503) is answered at once,
on every route, like Starlette's ``AuthenticationMiddleware`` answers an
``AuthenticationError``: a client that sends credentials must learn they are bad, and a provider
outage is never served as "signed out". To let such requests through as unauthenticated
instead, pass an ``on_error`` that returns ``None``. Websockets that fail are closed with code
1008 before the handshake completes. Only the async transport is used.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
    UnauthenticatedUser,
)
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from ..core.config import CloudBaseAuthConfig
from ..core.errors import RequestAuthError
from ..core.identity import UserProfile
from ..core.tokens import extract_token
from ..guard import CloudBaseGuard, CloudBaseUser, guard_for

__all__ = [
    "CloudBaseAuthBackend",
    "CloudBaseAuthMiddleware",
    "CloudBaseAuthenticationError",
    "CloudBaseCredentials",
    "CloudBaseStarletteUser",
    "login_required",
    "require",
]

WS_POLICY_VIOLATION = 1008
F = TypeVar("F", bound=Callable[..., Any])
OnError = Callable[[HTTPConnection, RequestAuthError], "Response | None"]


class CloudBaseStarletteUser(BaseUser):
    """A Starlette user for a valid CloudBase token; ``.cloudbase`` is the full user."""

    __slots__ = ("_sub", "cloudbase")

    def __init__(self, user: CloudBaseUser) -> None:
        self.cloudbase = user
        self._sub = user.sub

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        name = self.cloudbase.claims.get("name")
        return name if isinstance(name, str) and name else self.cloudbase.sub

    @property
    def identity(self) -> str:
        """Starlette's identity string: the ``sub`` (``.cloudbase.identity`` has more)."""
        return self._sub

    @property
    def sub(self) -> str:
        return self._sub

    @property
    def is_anonymous(self) -> bool:
        """Whether this is a CloudBase *anonymous* user (still signed in)."""
        return self.cloudbase.is_anonymous

    async def aprofile(self) -> UserProfile:
        """The ``/user/me`` profile (cached), fetched without blocking the loop."""
        return await self.cloudbase.aprofile()

    def __repr__(self) -> str:
        return f"<CloudBaseStarletteUser {self.cloudbase!r}>"


class CloudBaseCredentials(AuthCredentials):
    """``AuthCredentials`` whose scopes are listed on first read (most requests never read them)."""

    def __init__(self, user: CloudBaseUser, allow_anonymous: bool) -> None:
        self._user = user
        self._allow_anonymous = allow_anonymous
        self._scopes: list[str] | None = None

    @property
    def scopes(self) -> list[str]:
        """``authenticated``, the token's scopes (sorted), then ``group:<id>`` per token group."""
        if self._scopes is None:
            user = self._user
            listed = ["authenticated"] if self._allow_anonymous or not user.is_anonymous else []
            listed.extend(sorted(user.scopes))
            listed.extend("group:" + group for group in user.groups)
            self._scopes = listed
        return self._scopes

    @scopes.setter
    def scopes(self, value: Sequence[str]) -> None:
        self._scopes = list(value)


def _token(guard: CloudBaseGuard, scope: Scope) -> str | None:
    """The connection's bearer token (``None``: none); raises ``RequestAuthError``.

    With the header as the only location (the default) no ``HTTPConnection`` is built: this
    and :func:`_install` are the whole per-request cost of a cached token
    (benchmarks/bench_starlette.py).
    """
    config = guard.config
    authorization = [v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"]
    if config.token_locations == ("header",):
        return extract_token(config, authorization=authorization)
    conn = HTTPConnection(scope)
    query = {config.query_param: conn.query_params.getlist(config.query_param)}
    return extract_token(config, authorization=authorization, cookies=conn.cookies, query=query)


def _install(
    guard: CloudBaseGuard, scope: Scope, user: CloudBaseUser | None
) -> tuple[AuthCredentials, BaseUser]:
    """Record ``user`` in the scope; return Starlette's ``(auth, user)`` pair for it."""
    scope["cloudbase.user"], scope["cloudbase.guard"] = user, guard
    if user is None:
        return AuthCredentials(), UnauthenticatedUser()
    return CloudBaseCredentials(user, guard.config.allow_anonymous), CloudBaseStarletteUser(user)


def error_response(guard: CloudBaseGuard, error: RequestAuthError) -> Response:
    """The guard's rendering of ``error`` as a Starlette response."""
    rendered = guard.render_error(error)
    return Response(rendered.body, rendered.status, dict(rendered.headers), rendered.content_type)


async def _refuse(
    conn: HTTPConnection, response: Response, error: RequestAuthError, receive: Receive, send: Send
) -> None:
    if conn.scope["type"] == "websocket":
        await send(
            {"type": "websocket.close", "code": WS_POLICY_VIOLATION, "reason": error.description}
        )
    else:
        await response(conn.scope, receive, send)


class CloudBaseAuthMiddleware:
    """Pure ASGI middleware setting ``scope["user"]``/``scope["auth"]`` from a CloudBase token.

    ``guard``, or ``config``, or config settings as keyword arguments (over
    ``CLOUDBASE_AUTH_*`` environment variables). ``on_error(conn, error)`` returns the response
    for a failed token, or ``None`` to continue unauthenticated; the default is
    :meth:`default_on_error` (the guard's 400/401/503).
    """

    def __init__(
        self,
        app: ASGIApp,
        guard: CloudBaseGuard | None = None,
        *,
        config: CloudBaseAuthConfig | None = None,
        on_error: OnError | None = None,
        **settings: Any,
    ) -> None:
        self.app = app
        self.guard = guard_for(guard, config, **settings)
        self.on_error: OnError = on_error if on_error is not None else self.default_on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        guard = self.guard
        try:  # guard.aresolve, unrolled: a cached token costs no coroutine
            token = _token(guard, scope)
            user = None
            if token is not None:
                identity = guard.authenticator.cached(token) or await guard.aauthenticate(token)
                user = CloudBaseUser(guard, identity, token)
            scope["auth"], scope["user"] = _install(guard, scope, user)
        except RequestAuthError as exc:
            conn = HTTPConnection(scope)
            response = self.on_error(conn, exc)
            if response is not None:
                await _refuse(conn, response, exc, receive, send)
                return
            scope["auth"], scope["user"] = _install(guard, scope, None)
        await self.app(scope, receive, send)

    def default_on_error(self, conn: HTTPConnection, error: RequestAuthError) -> Response | None:
        return error_response(self.guard, error)


class CloudBaseAuthenticationError(AuthenticationError):
    """An ``AuthenticationError`` carrying our error and its rendered response."""

    def __init__(self, error: RequestAuthError, response: Response) -> None:
        super().__init__(error.description)
        self.error = error
        self.response = response


class CloudBaseAuthBackend(AuthenticationBackend):
    """A backend for Starlette's ``AuthenticationMiddleware``; pair it with :meth:`on_error`."""

    def __init__(
        self,
        guard: CloudBaseGuard | None = None,
        *,
        config: CloudBaseAuthConfig | None = None,
        **settings: Any,
    ) -> None:
        self.guard = guard_for(guard, config, **settings)

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        guard = self.guard
        try:
            token = _token(guard, conn.scope)
            user = None
            if token is not None:
                user = CloudBaseUser(guard, await guard.aauthenticate(token), token)
        except RequestAuthError as exc:
            raise CloudBaseAuthenticationError(exc, error_response(guard, exc)) from None
        return _install(guard, conn.scope, user)

    @staticmethod
    def on_error(conn: HTTPConnection, exc: AuthenticationError) -> Response:
        """Our 400/401/503 answer (Starlette's default is a bare 400 for every failure)."""
        if isinstance(exc, CloudBaseAuthenticationError):
            return exc.response
        return PlainTextResponse(str(exc), status_code=400)


def _connection(args: Sequence[Any], kwargs: dict[str, Any]) -> HTTPConnection:
    for value in (*args, *kwargs.values()):
        if isinstance(value, HTTPConnection):
            return value
    raise TypeError("@require needs an endpoint that takes the request or websocket")


def require(
    *, groups: Sequence[str] = (), scopes: Sequence[str] = (), allow_anonymous: bool | None = None
) -> Callable[[F], F]:
    """Endpoint decorator: a signed-in user, one of ``groups`` and every token scope in ``scopes``.

    ``allow_anonymous`` (default: the config's) lets CloudBase anonymous users in or not.
    Groups missing from the token are read from the (cached) profile. Failures are the
    guard's 401/403 for HTTP and a 1008 close for websockets. Needs the middleware or backend.
    """

    def decorator(endpoint: F) -> F:
        is_async = _is_async(endpoint)

        @functools.wraps(endpoint)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            conn = _connection(args, kwargs)
            guard: CloudBaseGuard | None = conn.scope.get("cloudbase.guard")
            if guard is None:
                raise RuntimeError(
                    "add CloudBaseAuthMiddleware (or CloudBaseAuthBackend) to the app"
                )
            user = conn.scope.get("cloudbase.user")
            try:
                if groups:  # may need the profile: fetched without blocking
                    await guard.aauthorize(
                        user, groups=groups, scopes=scopes, allow_anonymous=allow_anonymous
                    )
                else:  # nothing to fetch: the sync check does no I/O
                    guard.authorize(user, scopes=scopes, allow_anonymous=allow_anonymous)
            except RequestAuthError as exc:
                if isinstance(conn, WebSocket):
                    await conn.close(WS_POLICY_VIOLATION, exc.description)
                    return None
                return error_response(guard, exc)
            if is_async:
                return await endpoint(*args, **kwargs)
            return await run_in_threadpool(endpoint, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def login_required(endpoint: F) -> F:
    """Endpoint decorator: a signed-in user (CloudBase anonymous users as the config says)."""
    return require()(endpoint)


def _is_async(func: Callable[..., Any]) -> bool:
    while isinstance(func, functools.partial):
        func = func.func
    return inspect.iscoroutinefunction(func)
