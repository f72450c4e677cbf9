"""Plain ASGI middleware: CloudBase users for any ASGI framework (Quart, Litestar, raw ASGI...).

::

    app = CloudBaseAuthMiddleware(app)                         # config from CLOUDBASE_AUTH_* env
    app = CloudBaseAuthMiddleware(app, guard=guard)            # or a ready guard (or config=)
    app = CloudBaseAuthMiddleware(app, required_paths=["/api"])  # answer failures under /api
    admin = CloudBaseAuthMiddleware(admin_app, guard=guard, groups=("admin",))  # all required

For ``http`` and ``websocket`` connections it reads the bearer token (every ``Authorization``
header, so a doubled header is a 400; the cookie or query parameter only when
``token_locations`` enables them), validates it with the async transport (the event loop never
blocks) and sets these scope keys before calling the wrapped app:

``scope["cloudbase.user"]``
    the :class:`~cloudbase_auth_mw.guard.CloudBaseUser` (``await user.aprofile()`` loads
    ``/user/me`` once, cached), or ``None`` (no token, or a token that failed).
``scope["cloudbase.error"]``
    the :class:`~cloudbase_auth_mw.core.errors.RequestAuthError` the credentials raised (bad
    token 401, token sent twice 400, provider down 503), or ``None``.
``scope["cloudbase.guard"]``
    the :class:`~cloudbase_auth_mw.guard.CloudBaseGuard`, to authorise further downstream
    (``await guard.aauthorize(user, groups=...)``) or render an error.

Credentials that are sent are always judged, on every path: a bad or expired token (401), a
token sent twice (400) or a provider outage (503) is answered at once through
:meth:`CloudBaseAuthMiddleware.on_error` ("public" means no credentials are needed, not that
bad ones pass unnoticed, and an outage is never served as "signed out"). A request with no
token reaches the app with ``cloudbase.user = None``, unless auth is required there
(``required=True``, which ``groups`` or ``scopes`` imply when no ``required_paths`` are given,
or a path under ``required_paths``,
matched on ``scope["path"]`` by whole segments): then the middleware also enforces a signed-in
user, ``groups`` (one of), ``scopes`` (all of) and ``allow_anonymous``.

``on_error`` answers with ``guard.render_error`` (status, ``WWW-Authenticate``/``Retry-After``,
JSON body) or, for a websocket, a ``websocket.close`` with code 1008 (policy violation) before
the handshake is accepted. Override it to answer differently, or to let the request through
(``await self.app(scope, receive, send)``: ``cloudbase.error`` tells the app why). ``lifespan``
and any other scope type pass straight through. Stacked middlewares sharing one guard
validate once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from ..core.config import CloudBaseAuthConfig
from ..core.errors import RequestAuthError
from ..core.policy import AccessRule
from ..guard import CloudBaseGuard, CloudBaseUser, guard_for

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

USER_KEY = "cloudbase.user"
ERROR_KEY = "cloudbase.error"
GUARD_KEY = "cloudbase.guard"
#: WebSocket close code for a refused connection (RFC 6455 §7.4.1 "policy violation").
WS_POLICY_VIOLATION = 1008


def _cookies(headers: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for name, value in headers:
        if name == b"cookie":
            for chunk in value.decode("latin-1").split(";"):
                key, sep, val = chunk.partition("=")
                if sep and key.strip():
                    cookies.setdefault(key.strip(), val.strip().strip('"'))
    return cookies


def read_credentials(scope: Scope, config: CloudBaseAuthConfig) -> dict[str, Any]:
    """The keyword arguments of ``guard.aresolve`` for an ASGI ``http``/``websocket`` scope."""
    headers: Sequence[tuple[bytes, bytes]] = scope.get("headers") or ()
    found: dict[str, Any] = {
        "authorization": [v.decode("latin-1") for k, v in headers if k == b"authorization"]
    }
    if "cookie" in config.token_locations:
        found["cookies"] = _cookies(headers)
    if "query" in config.token_locations:
        found["query"] = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return found


class CloudBaseAuthMiddleware:
    """Pure ASGI middleware that authenticates ``http`` and ``websocket`` connections.

    Give it a ready ``guard`` or a ``config`` (default: ``CLOUDBASE_AUTH_*`` environment
    variables). ``required``/``required_paths`` choose where a signed-in user is needed; there
    ``groups``, ``scopes`` and ``allow_anonymous`` are enforced too (see the module docstring).
    """

    def __init__(
        self,
        app: ASGIApp,
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        user, error = await self._authenticate(scope)
        if error is not None:
            await self.on_error(scope, receive, send, error)
            return
        if self.is_required(scope.get("path", "")):
            try:
                await self.guard.aauthorize(
                    user,
                    groups=self.rule.groups,
                    scopes=self.rule.scopes,
                    allow_anonymous=self.rule.allow_anonymous,
                )
            except RequestAuthError as exc:
                await self.on_error(scope, receive, send, exc)
                return
        await self.app(scope, receive, send)

    def is_required(self, path: str) -> bool:
        """Whether ``path`` needs a signed-in user (``required``, or under ``required_paths``)."""
        return self.rule.applies_to(path)

    async def _authenticate(
        self, scope: Scope
    ) -> tuple[CloudBaseUser | None, RequestAuthError | None]:
        """Validate once per connection: an outer middleware with this guard may have done it."""
        if scope.get(GUARD_KEY) is self.guard and USER_KEY in scope:
            return scope[USER_KEY], scope.get(ERROR_KEY)
        user: CloudBaseUser | None = None
        error: RequestAuthError | None = None
        try:
            user = await self.guard.aresolve(**read_credentials(scope, self.guard.config))
        except RequestAuthError as exc:
            error = exc
        scope[USER_KEY], scope[ERROR_KEY], scope[GUARD_KEY] = user, error, self.guard
        return user, error

    async def on_error(
        self, scope: Scope, receive: Receive, send: Send, error: RequestAuthError
    ) -> None:
        """Answer a refused connection; override to change the answer."""
        if scope["type"] == "websocket":
            await send(
                {
                    "type": "websocket.close",
                    "code": WS_POLICY_VIOLATION,
                    "reason": error.description,
                }
            )
            return
        rendered = self.guard.render_error(error)
        headers = [(b"content-type", rendered.content_type.encode("latin-1"))]
        headers.append((b"content-length", str(len(rendered.body)).encode("latin-1")))
        headers.extend(
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in rendered.headers
        )
        await send({"type": "http.response.start", "status": rendered.status, "headers": headers})
        await send({"type": "http.response.body", "body": rendered.body})
