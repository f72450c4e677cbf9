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
``require_groups``, ``require_user``) find the guard that ``CloudBaseAuth(app)`` stored in
``app.state.cloudbase_auth``, so routers need no import of the app. A ``CloudBaseAuth`` also
carries the same dependencies bound to its own guard (``Depends(auth.current_user)``), for
sub-applications or several guards.

Every dependency stands on :class:`CloudBaseBearer`, a ``SecurityBase`` that OpenAPI shows as an
HTTP bearer (JWT) scheme. The token is read from every ``Authorization`` header (a doubled
header is a 400) and, when enabled, the cookie or query parameter; it is validated with the
async transport once per request (the result is kept in ``scope["cloudbase.user"]``, which the
ASGI/Starlette middlewares also fill). Failures raise :class:`CloudBaseHTTPException` (an
``HTTPException`` with our status and ``WWW-Authenticate``/``Retry-After`` headers); the handler
that ``CloudBaseAuth(app)`` installs answers it with the guard's exact JSON body. On a websocket
the failure closes the connection with code 1008.
"""

import json
from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, WebSocketException
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from ..core.config import CloudBaseAuthConfig
from ..core.errors import RequestAuthError
from ..core.rendering import ErrorResponse
from ..guard import CloudBaseGuard, CloudBaseUser

__all__ = [
    "CloudBaseAuth",
    "CloudBaseBearer",
    "CloudBaseHTTPException",
    "current_user",
    "optional_user",
    "require",
    "require_groups",
    "require_user",
]

WS_POLICY_VIOLATION = 1008
Dependency = Callable[..., Coroutine[Any, Any, CloudBaseUser]]


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


def _credentials(conn: HTTPConnection, config: CloudBaseAuthConfig) -> dict[str, Any]:
    found: dict[str, Any] = {"authorization": conn.headers.getlist("authorization")}
    if "cookie" in config.token_locations:
        found["cookies"] = conn.cookies
    if "query" in config.token_locations:
        found["query"] = {config.query_param: conn.query_params.getlist(config.query_param)}
    return found


class CloudBaseBearer(SecurityBase):
    """The bearer security scheme; as a dependency, the request's user or ``None``.

    With no ``guard`` it uses the one ``CloudBaseAuth(app)`` registered on the app.
    """

    def __init__(
        self,
        guard: CloudBaseGuard | None = None,
        *,
        scheme_name: str = "CloudBaseBearer",
        description: str = "A CloudBase Auth v2 access token.",
    ) -> None:
        self.model = HTTPBearerModel(bearerFormat="JWT", description=description)
        self.scheme_name = scheme_name
        self.guard = guard

    def guard_for(self, conn: HTTPConnection) -> CloudBaseGuard:
        if self.guard is not None:
            return self.guard
        auth = getattr(conn.app.state, "cloudbase_auth", None)
        if not isinstance(auth, CloudBaseAuth):
            raise RuntimeError("call CloudBaseAuth(app) before using its dependencies")
        return auth.guard

    async def __call__(self, conn: HTTPConnection) -> CloudBaseUser | None:
        scope = conn.scope
        if "cloudbase.user" in scope:  # validated already (another dependency, a middleware)
            if scope.get("cloudbase.error") is not None:
                raise self.failure(conn, scope["cloudbase.error"])
            user: CloudBaseUser | None = scope["cloudbase.user"]
            return user
        guard = self.guard_for(conn)
        try:
            user = await guard.aresolve(**_credentials(conn, guard.config))
        except RequestAuthError as exc:
            raise self.failure(conn, exc) from None
        scope["cloudbase.user"], scope["cloudbase.guard"] = user, guard
        return user

    async def authorize(
        self, conn: HTTPConnection, user: CloudBaseUser | None, **needs: Any
    ) -> CloudBaseUser:
        """``guard.aauthorize`` with failures raised as HTTP (or websocket) exceptions."""
        try:
            return await self.guard_for(conn).aauthorize(user, **needs)
        except RequestAuthError as exc:
            raise self.failure(conn, exc) from None

    def failure(self, conn: HTTPConnection, error: RequestAuthError) -> Exception:
        if conn.scope["type"] == "websocket":
            return WebSocketException(WS_POLICY_VIOLATION, error.description)
        return CloudBaseHTTPException(self.guard_for(conn).render_error(error))


class _Dependencies:
    """The dependencies over one :class:`CloudBaseBearer`."""

    def __init__(self, bearer: CloudBaseBearer) -> None:
        self.bearer = bearer
        #: The user, or ``None`` without a token (a bad token is still an error).
        self.optional_user = bearer
        #: A signed-in user (CloudBase anonymous users as the config says); 401 without a token.
        self.current_user = self.require_user()

        async def require(
            security_scopes: SecurityScopes,
            conn: HTTPConnection,
            user: Annotated[CloudBaseUser | None, Depends(bearer)],
        ) -> CloudBaseUser:
            return await bearer.authorize(conn, user, scopes=security_scopes.scopes)

        #: ``Security(require, scopes=[...])``: a signed-in user whose token has every scope.
        self.require = require

    def require_user(
        self,
        *,
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        allow_anonymous: bool | None = None,
    ) -> Dependency:
        """A dependency requiring a user in one of ``groups`` with every scope in ``scopes``.

        ``allow_anonymous`` (default: the config's) lets CloudBase anonymous users in or not;
        groups missing from the token come from the (cached) profile.
        """
        bearer = self.bearer
        needs = {
            "groups": tuple(groups),
            "scopes": tuple(scopes),
            "allow_anonymous": allow_anonymous,
        }

        async def dependency(
            conn: HTTPConnection, user: Annotated[CloudBaseUser | None, Depends(bearer)]
        ) -> CloudBaseUser:
            return await bearer.authorize(conn, user, **needs)

        return dependency

    def require_groups(self, *groups: str, allow_anonymous: bool | None = None) -> Dependency:
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
        scheme_name: str = "CloudBaseBearer",
        **settings: Any,
    ) -> None:
        self.guard = guard or CloudBaseGuard(config or CloudBaseAuthConfig.from_env(**settings))
        super().__init__(CloudBaseBearer(self.guard, scheme_name=scheme_name))
        if app is not None:
            self.init_app(app)

    def init_app(self, app: FastAPI) -> None:
        """Register this guard on ``app`` and answer auth failures with the guard's body."""
        app.state.cloudbase_auth = self
        app.add_exception_handler(CloudBaseHTTPException, handle_auth_error)


_default = _Dependencies(CloudBaseBearer())
optional_user = _default.optional_user
current_user = _default.current_user
require = _default.require
require_user = _default.require_user
require_groups = _default.require_groups
