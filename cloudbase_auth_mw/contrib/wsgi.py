"""Plain WSGI middleware: the CloudBase user for any WSGI application or framework.

::

    from cloudbase_auth_mw.contrib.wsgi import CloudBaseAuthMiddleware

    app = CloudBaseAuthMiddleware(app)                          # config from CLOUDBASE_AUTH_* env
    app = CloudBaseAuthMiddleware(app, required_paths=["/api"])  # answer 401/403/503 under /api

Credentials that are sent are always judged, on every path: a request whose token fails is
answered by the middleware itself, with the guard's JSON body, ``WWW-Authenticate`` and
``Retry-After`` -- 401 ``invalid_token`` (malformed, forged, expired, wrong audience, revoked...),
400 ``invalid_request`` (token sent twice), 503 (provider unreachable: never served as "signed
out"). A request without a token (another scheme, e.g. ``Basic``, counts as none) reaches the
app with no user. Paths that require auth (every path with ``required=True`` -- which
``groups`` or ``scopes`` imply when no ``required_paths`` are given -- or those under one of
``required_paths``, matched on ``PATH_INFO`` by whole segments) are also answered 401 without a
token and 403 when the user fails ``groups``/``scopes``/``allow_anonymous``.

Before calling the wrapped app the middleware sets these ``environ`` keys:

``"cloudbase.user"``
    the :class:`~cloudbase_auth_mw.guard.CloudBaseUser` (identity; ``.profile`` loads
    ``/user/me`` on first access) or ``None`` when the request has no token.
``"cloudbase.error"``
    the :class:`~cloudbase_auth_mw.core.errors.RequestAuthError` the request's credentials
    raised, else ``None``. Such a request reaches the app only through a subclass whose
    :meth:`CloudBaseAuthMiddleware.reject` passes it on; by default the app always sees ``None``.
``"cloudbase.guard"``
    the :class:`~cloudbase_auth_mw.guard.CloudBaseGuard`, to authorise further
    (``guard.authorize(user, groups=...)``) or render an error (``guard.render_error(exc)``).

Subclass and override :meth:`CloudBaseAuthMiddleware.reject` to render errors differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from ..core.config import CloudBaseAuthConfig
from ..core.errors import RequestAuthError
from ..core.policy import AccessRule
from ..guard import CloudBaseGuard, CloudBaseUser, guard_for

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["ERROR_KEY", "GUARD_KEY", "USER_KEY", "CloudBaseAuthMiddleware"]

USER_KEY = "cloudbase.user"
ERROR_KEY = "cloudbase.error"
GUARD_KEY = "cloudbase.guard"


def _cookies(environ: WSGIEnvironment) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    jar.load(environ.get("HTTP_COOKIE", ""))
    return {name: morsel.value for name, morsel in jar.items()}


class CloudBaseAuthMiddleware:
    """Wraps a WSGI app; see the module docstring for the ``environ`` keys it sets.

    Give a ready ``guard`` or a ``config`` (default: ``CLOUDBASE_AUTH_*`` environment variables).
    ``required``/``required_paths`` choose the paths that need a signed-in user; there
    ``groups`` (one of), ``scopes`` (all of) and ``allow_anonymous`` (default: the config's)
    are enforced too.
    """

    def __init__(
        self,
        app: WSGIApplication,
        guard: CloudBaseGuard | None = None,
        config: CloudBaseAuthConfig | None = None,
        *,
        required: bool = False,
        required_paths: Iterable[str] = (),
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        allow_anonymous: bool | None = None,
    ) -> None:
        self.app = app
        self.guard = guard_for(guard, config)
        self.rule = AccessRule.from_options(
            required=required,
            required_paths=required_paths,
            groups=groups,
            scopes=scopes,
            allow_anonymous=allow_anonymous,
        )
        locations = self.guard.config.token_locations
        self._read_cookies = "cookie" in locations
        self._read_query = "query" in locations

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        user, error = self.read(environ)
        environ[USER_KEY] = user
        environ[ERROR_KEY] = error
        environ[GUARD_KEY] = self.guard
        try:
            if error is not None:  # credentials that are sent are judged on every path
                raise error
            if self.is_required(environ.get("PATH_INFO", "")):
                self.authorize(user)
        except RequestAuthError as exc:
            return self.reject(exc, environ, start_response)
        return self.app(environ, start_response)

    def read(
        self, environ: WSGIEnvironment
    ) -> tuple[CloudBaseUser | None, RequestAuthError | None]:
        """The request's user (``None``: no credentials) or the error its credentials raised."""
        header = environ.get("HTTP_AUTHORIZATION")
        try:
            user = self.guard.resolve(
                authorization=(header,) if header else (),
                cookies=_cookies(environ) if self._read_cookies else None,
                query=parse_qs(environ.get("QUERY_STRING", "")) if self._read_query else None,
            )
        except RequestAuthError as exc:
            return None, exc
        return user, None

    def authorize(self, user: CloudBaseUser | None) -> None:
        """Enforce this middleware's requirements; raises :class:`RequestAuthError`."""
        self.guard.authorize(
            user,
            groups=self.rule.groups,
            scopes=self.rule.scopes,
            allow_anonymous=self.rule.allow_anonymous,
        )

    def is_required(self, path: str) -> bool:
        """Whether ``path`` (``PATH_INFO``) needs a signed-in user."""
        return self.rule.applies_to(path)

    def reject(
        self, error: RequestAuthError, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """Answer ``error`` (status, challenge, JSON body); override to render differently."""
        answer = self.guard.render_error(error)
        headers = [
            *answer.headers,
            ("Content-Type", answer.content_type),
            ("Content-Length", str(len(answer.body))),
        ]
        start_response(f"{answer.status} {answer.reason}", headers)
        return [answer.body]
