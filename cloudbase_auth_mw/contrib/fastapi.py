"""FastAPI: CloudBase users as dependencies that also declare the bearer scheme in OpenAPI.

::

    app = FastAPI()
    CloudBaseAuth(app)                        # config from CLOUDBASE_AUTH_* env (or guard=/config=)

    @app.get("/me")
    async def me(user: CloudBaseUser = Depends(current_user)): ...          # 401 without a token

    @app.get("/admin")
    async def admin(user: CloudBaseUser = Depends(require_groups("admin"))): ...  # 403 if not in it

    @app.get("/sso")
    async def sso(user: CloudBaseUser = Security(require, scopes=["sso"])): ...   # token scopes

The module-level dependencies (``current_user``, ``optional_user``, ``require``,
``require_groups``, ``require_user``) find the guard that ``CloudBaseAuth(app)`` registered
(also in ``app.state.cloudbase_auth``), so routers need no import of the app. A
``CloudBaseAuth`` also carries the same dependencies bound to its own guard
(``Depends(auth.current_user)``), for sub-applications or several guards.

Every dependency *is* a :class:`CloudBaseScheme` (a ``SecurityBase`` that OpenAPI shows as the
HTTP bearer (JWT) scheme ``CloudBaseBearer``), so a route pays for one FastAPI dependency, not a
chain of them: FastAPI's own cost per dependency is most of the overhead.

The token is read from every ``Authorization`` header (a doubled header is a 400) and, when
enabled, the cookie or query parameter; it is validated with the async transport once per
request (the result is kept in ``scope["cloudbase.user"]``, which the ASGI/Starlette
middlewares also fill). Failures raise :class:`CloudBaseHTTPException` (an ``HTTPException``
with our status and ``WWW-Authenticate``/``Retry-After`` headers); the handler that
``CloudBaseAuth(app)`` installs answers it with the guard's exact JSON body. On a websocket the
failure closes the connection with code 1008.
"""

import json
import weakref
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, WebSocketException
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from ..core.config import CloudBaseAuthConfig
from ..core.errors import RequestAuthError
from ..core.rendering import ErrorResponse
from ..core.tokens import extract_token
from ..guard import CloudBaseGuard, CloudBaseUser, guard_for

__all__ = [
    "CloudBaseAuth",
    "CloudBaseBearer",
    "CloudBaseHTTPException",
    "CloudBaseRequirement",
    "CloudBaseScheme",
    "CloudBaseScopes",
    "current_user",
    "optional_user",
    "require",
    "require_groups",
    "require_user",
]

WS_POLICY_VIOLATION = 1008
SCHEME_NAME = "CloudBaseBearer"
DESCRIPTION = "A CloudBase Auth v2 access token."


class CloudBaseHTTPException(HTTPException):
    """An auth failure: our status, headers and (as ``detail``) the guard's JSON body."""

    def __init__(self, rendered: ErrorResponse) -> None:
        super().__init__(rendered.status, json.loads(rendered.body), dict(rendered.headers))
        self.rendered = rendered


async def handle_auth_error(request: Request, exc: Exception) -> Response:
    """Exception handler answering :class:`CloudBaseHTTPException` with the exact rendering."""
    assert isinstance(exc, CloudBaseHTTPException)
    rendered = exc.rendered
    return Response(rendered.body, rendered.status, dict(rendered.headers), rendered.content_type)


def _token(conn: HTTPConnection, guard: CloudBaseGuard) -> str | None:
    """The request's bearer token (``None``: none); raises ``RequestAuthError``."""
    config = guard.config
    authorization = [v.decode("latin-1") for k, v in conn.scope["headers"] if k == b"authorization"]
    if config.token_locations == ("header",):  # the default: no Headers object needed
        return extract_token(config, authorization=authorization)
    query = {config.query_param: conn.query_params.getlist(config.query_param)}
    return extract_token(config, authorization=authorization, cookies=conn.cookies, query=query)


#: FastAPI app -> its ``CloudBaseAuth`` (what ``app.state.cloudbase_auth`` holds, found faster).
_REGISTRY: "weakref.WeakKeyDictionary[Any, CloudBaseAuth]" = weakref.WeakKeyDictionary()


class CloudBaseScheme(SecurityBase):
    """The HTTP bearer (JWT) scheme OpenAPI shows; base of every dependency here.

    Each dependency *is* a scheme object, so a route pays for one dependency, not a chain.
    With no ``guard`` the one ``CloudBaseAuth(app)`` registered on the app is used.
    """

    def __init__(
        self,
        guard: CloudBaseGuard | None = None,
        *,
        scheme_name: str = SCHEME_NAME,
        description: str = DESCRIPTION,
    ) -> None:
        self.model = HTTPBearerModel(bearerFormat="JWT", description=description)
        self.scheme_name = scheme_name
        self.guard = guard

    def guard_for(self, conn: HTTPConnection) -> CloudBaseGuard:
        if self.guard is not None:
            return self.guard
        auth = _REGISTRY.get(conn.scope.get("app"))
        if auth is None:
            raise RuntimeError("call CloudBaseAuth(app) before using its dependencies")
        return auth.guard

    async def resolve(self, conn: HTTPConnection) -> CloudBaseUser | None:
        """The request's user (``None``: no token), validated once per request.

        ``guard.aresolve`` unrolled: a cached token costs no further coroutine.
        """
        scope = conn.scope
        if "cloudbase.user" in scope:  # validated already (another dependency, a middleware)
            if scope.get("cloudbase.error") is not None:
                raise self.failure(conn, scope["cloudbase.error"])
            known: CloudBaseUser | None = scope["cloudbase.user"]
            return known
        guard = self.guard_for(conn)
        user = None
        try:
            token = _token(conn, guard)
            if token is not None:
                identity = guard.authenticator.cached(token) or await guard.aauthenticate(token)
                user = CloudBaseUser(guard, identity, token)
        except RequestAuthError as exc:
            raise self.failure(conn, exc) from None
        scope["cloudbase.user"], scope["cloudbase.guard"] = user, guard
        return user

    async def authorize(
        self,
        conn: HTTPConnection,
        groups: Sequence[str],
        scopes: Sequence[str],
        allow_anonymous: bool | None,
    ) -> CloudBaseUser:
        """The request's user after the guard's checks; failures raised as HTTP exceptions."""
        user = await self.resolve(conn)
        guard: CloudBaseGuard = conn.scope["cloudbase.guard"]
        try:
            if groups:  # may need the profile: fetched without blocking
                return await guard.aauthorize(
                    user, groups=groups, scopes=scopes, allow_anonymous=allow_anonymous
                )
            return guard.authorize(user, scopes=scopes, allow_anonymous=allow_anonymous)  # no I/O
        except RequestAuthError as exc:
            raise self.failure(conn, exc) from None

    def failure(self, conn: HTTPConnection, error: RequestAuthError) -> Exception:
        """The exception for ``error``: a 1008 close on a websocket, else our HTTP error."""
        if conn.scope["type"] == "websocket":
            return WebSocketException(WS_POLICY_VIOLATION, error.description)
        return CloudBaseHTTPException(self.guard_for(conn).render_error(error))


class CloudBaseBearer(CloudBaseScheme):
    """Dependency: the request's user, or ``None`` without a token (a bad token is an error)."""

    async def __call__(self, conn: HTTPConnection) -> CloudBaseUser | None:
        return await self.resolve(conn)


class CloudBaseRequirement(CloudBaseScheme):
    """Dependency: a signed-in user in one of ``groups`` with every token scope in ``scopes``.

    ``allow_anonymous`` (default: the config's) lets CloudBase anonymous users in or not;
    groups missing from the token come from the (cached) profile.
    """

    def __init__(
        self,
        guard: CloudBaseGuard | None = None,
        *,
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        allow_anonymous: bool | None = None,
        scheme_name: str = SCHEME_NAME,
        description: str = DESCRIPTION,
    ) -> None:
        super().__init__(guard, scheme_name=scheme_name, description=description)
        self.groups, self.scopes = tuple(groups), tuple(scopes)
        self.allow_anonymous = allow_anonymous

    async def __call__(self, conn: HTTPConnection) -> CloudBaseUser:
        return await self.authorize(conn, self.groups, self.scopes, self.allow_anonymous)


class CloudBaseScopes(CloudBaseScheme):
    """``Security(require, scopes=[...])``: a signed-in user whose token has every scope."""

    async def __call__(
        self, security_scopes: SecurityScopes, conn: HTTPConnection
    ) -> CloudBaseUser:
        return await self.authorize(conn, (), security_scopes.scopes, None)


class _Dependencies:
    """The dependencies over one guard (``None``: the app's) and scheme name."""

    def __init__(self, guard: CloudBaseGuard | None, scheme_name: str = SCHEME_NAME) -> None:
        self._guard, self._scheme_name = guard, scheme_name
        #: The user, or ``None`` without a token (a bad token is still an error).
        self.optional_user = CloudBaseBearer(guard, scheme_name=scheme_name)
        #: A signed-in user (CloudBase anonymous users as the config says); 401 without a token.
        self.current_user = CloudBaseRequirement(guard, scheme_name=scheme_name)
        #: ``Security(require, scopes=[...])``: a signed-in user whose token has every scope.
        self.require = CloudBaseScopes(guard, scheme_name=scheme_name)

    def require_user(
        self,
        *,
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        allow_anonymous: bool | None = None,
    ) -> CloudBaseRequirement:
        """A dependency requiring a user in one of ``groups`` with every scope in ``scopes``."""
        return CloudBaseRequirement(
            self._guard,
            groups=groups,
            scopes=scopes,
            allow_anonymous=allow_anonymous,
            scheme_name=self._scheme_name,
        )

    def require_groups(
        self, *groups: str, allow_anonymous: bool | None = None
    ) -> CloudBaseRequirement:
        """A dependency requiring a user in one of ``groups`` (403 otherwise)."""
        return self.require_user(groups=groups, allow_anonymous=allow_anonymous)


class CloudBaseAuth(_Dependencies):
    """One guard for a FastAPI app and dependencies bound to it.

    ``CloudBaseAuth(app)`` (or ``init_app(app)`` later) stores itself in
    ``app.state.cloudbase_auth`` for the module-level dependencies and installs the error
    handler. Give a ``guard``, a ``config`` or config settings as keyword arguments (over
    ``CLOUDBASE_AUTH_*`` environment variables).
    """

    def __init__(
        self,
        app: FastAPI | None = None,
        *,
        guard: CloudBaseGuard | None = None,
        config: CloudBaseAuthConfig | None = None,
        scheme_name: str = SCHEME_NAME,
        **settings: Any,
    ) -> None:
        self.guard = guard_for(guard, config, **settings)
        super().__init__(self.guard, scheme_name)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: FastAPI) -> None:
        """Register this guard on ``app`` and answer auth failures with the guard's body."""
        app.state.cloudbase_auth = self
        _REGISTRY[app] = self
        app.add_exception_handler(CloudBaseHTTPException, handle_auth_error)


_default = _Dependencies(None)
optional_user = _default.optional_user
current_user = _default.current_user
require = _default.require
require_user = _default.require_user
require_groups = _default.require_groups
