"""Flask extension: every request carries its CloudBase user.

::

    from cloudbase_auth_mw.contrib.flask import CloudBaseAuth, current_user

    app = Flask(__name__)
    app.config["CLOUDBASE_AUTH_ENV_ID"] = "my-env-1a2b3c"
    auth = CloudBaseAuth(app)        # or: auth = CloudBaseAuth(); auth.init_app(app)

    @app.get("/me")
    @auth.login_required
    def me():
        return {"sub": current_user.sub, "name": current_user.profile.name}

Settings are read once, by ``init_app``, from ``app.config["CLOUDBASE_AUTH_<SETTING>"]`` (every
field of :class:`~cloudbase_auth_mw.core.config.CloudBaseAuthConfig`, e.g.
``CLOUDBASE_AUTH_VERIFY_MODE``) unless a ready ``guard=`` is given (that is how tests inject a
clock). Per-app state lives in ``app.extensions["cloudbase_auth"]``, so one ``CloudBaseAuth`` can
serve several apps.

Behaviour:

- Credentials that are sent are always judged. ``init_app`` registers a ``before_request``
  hook that, when the request carries a token (``Authorization`` header; cookie or query when
  enabled in ``TOKEN_LOCATIONS``), validates it before any view runs, decorated or not: an
  invalid token (malformed, forged, expired, wrong audience, revoked...) is answered 401
  ``invalid_token``, a token sent twice 400 ``invalid_request``, a provider outage 503 with
  ``Retry-After`` -- never served as "signed out". A request without a token costs the hook a
  dictionary lookup; another scheme (``Authorization: Basic ...``) counts as no token.
- Routes without a decorator are public: with no token they run with no user, with a valid
  one they see it. Decorated routes also answer 401 without a token and 403 when the user
  lacks a group, a scope, or is a CloudBase anonymous user where those are refused.
- The user is resolved at most once per request (cached with the request): the hook, the
  decorators and ``current_user`` share the result.
- ``current_user`` is the :class:`~cloudbase_auth_mw.guard.CloudBaseUser` (identity at once,
  ``.profile`` fetched from ``/user/me`` on first access, then cached) or ``UNAUTHENTICATED``
  (falsy, ``is_authenticated`` false).
- The answers come from ``guard.render_error`` (JSON body, ``WWW-Authenticate``,
  ``Retry-After``) through a ``RequestAuthError`` error handler registered on the app: views may
  ``raise`` these errors too, ``@auth.error_handler`` replaces the rendering, and an app's own
  ``@app.errorhandler(RequestAuthError)`` registered later wins.
- ``async def`` views (``flask[async]``): the hook and the decorators check the request in the
  worker thread before Flask runs the coroutine, so no event loop waits on CloudBase; in the
  view, ``await current_user.aprofile()`` reads the profile.
- Decorators go *below* ``@app.route`` (as with Flask-Login). ``before_request`` functions the
  app registered before ``init_app`` run before the check (they see no user for a bad token).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast, overload

from flask import Flask, Request, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.local import LocalProxy
from werkzeug.wrappers import Response

from ..core.config import CloudBaseAuthConfig
from ..core.errors import ConfigurationError, RequestAuthError
from ..guard import UNAUTHENTICATED, CloudBaseGuard, CloudBaseUser, UnauthenticatedUser

__all__ = [
    "CONFIG_PREFIX",
    "EXTENSION_KEY",
    "CloudBaseAuth",
    "authorize",
    "current_auth_error",
    "current_user",
]

EXTENSION_KEY = "cloudbase_auth"
CONFIG_PREFIX = "CLOUDBASE_AUTH_"
_ENVIRON_KEY = "cloudbase_auth.flask"

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])
#: ``hook(error)`` returns anything a Flask view may return; it may be ``async def``.
ErrorHook = Callable[[RequestAuthError], Any]


@dataclass(frozen=True, slots=True)
class _AppState:
    """What ``init_app`` stores in ``app.extensions["cloudbase_auth"]``."""

    extension: CloudBaseAuth
    guard: CloudBaseGuard
    read_cookies: bool
    read_query: bool


#: One request's credentials read: (guard, user or None, error or None). A plain tuple: this
#: is built on every request, and tuples are the cheapest record Python has.
_Resolution = tuple[CloudBaseGuard, "CloudBaseUser | None", "RequestAuthError | None"]


class _PublicContext:
    """The two request-context attributes we read, through Flask's public proxies."""

    @property
    def request(self) -> Request:
        return request

    @property
    def app(self) -> Flask:
        return current_app


try:  # Flask 2.2 to 3.1 hold the request context in this ContextVar: one C call, no proxies
    from flask.globals import _cv_request

    _request_context: Callable[[], Any] = _cv_request.get
except ImportError:  # pragma: no cover - a Flask without it: the public proxies, a bit slower
    _request_context = _PublicContext


def _app_state(app: Flask) -> _AppState:
    state: _AppState | None = app.extensions.get(EXTENSION_KEY)
    if state is None:
        raise RuntimeError(
            "CloudBaseAuth is not set up on this app: "
            "call CloudBaseAuth(app) or auth.init_app(app)."
        )
    return state


def _state() -> _AppState:
    return _app_state(current_app)


def _read_request(state: _AppState, environ: dict[str, Any]) -> _Resolution:
    header = environ.get("HTTP_AUTHORIZATION")
    try:
        if state.read_cookies or state.read_query:
            user = state.guard.resolve(
                authorization=(header,) if header else (),
                cookies=request.cookies if state.read_cookies else None,
                query=request.args.to_dict(flat=False) if state.read_query else None,
            )
        else:
            user = state.guard.resolve_authorization(header)
    except RequestAuthError as exc:
        logger.debug("CloudBase credentials refused: %s", type(exc).__name__)
        return state.guard, None, exc
    return state.guard, user, None


def _resolved(state: _AppState, environ: dict[str, Any]) -> _Resolution:
    """The credentials of the request of ``environ``, read at most once per request.

    Kept in the request's WSGI environ rather than on ``flask.g``: ``g`` belongs to the app
    context, which Flask reuses for every request made while one is pushed (tests, CLI).
    """
    found: _Resolution | None = environ.get(_ENVIRON_KEY)
    if found is None:
        found = environ[_ENVIRON_KEY] = _read_request(state, environ)
    return found


def _resolution() -> _Resolution:
    """This request's credentials (see :func:`_resolved`), avoiding proxies where it can."""
    try:
        context = _request_context()
    except LookupError:
        raise RuntimeError("Working outside of request context.") from None
    return _resolved(_app_state(context.app), context.request.environ)


def _credentials_check(state: _AppState) -> Callable[[], None]:
    """The ``before_request`` hook of one app: judge the credentials a request sends.

    Only a request that carries some (the ``Authorization`` header, or a cookie / query
    string where tokens are read from those) is resolved; the rest pass after a lookup.
    """
    read_cookies, read_query = state.read_cookies, state.read_query

    def check_sent_credentials() -> None:
        environ = _request_context().request.environ
        if (
            "HTTP_AUTHORIZATION" in environ
            or (read_cookies and "HTTP_COOKIE" in environ)
            or (read_query and environ.get("QUERY_STRING"))
        ):
            error = _resolved(state, environ)[2]
            if error is not None:
                raise error

    return check_sent_credentials


def _current_user() -> CloudBaseUser | UnauthenticatedUser:
    user = _resolution()[1]
    return UNAUTHENTICATED if user is None else user


#: The request's :class:`CloudBaseUser`, or ``UNAUTHENTICATED`` (falsy) when it has none.
current_user: CloudBaseUser | UnauthenticatedUser = LocalProxy(_current_user)  # type: ignore[assignment]


def current_auth_error() -> RequestAuthError | None:
    """The error this request's credentials raised; ``None`` when valid or none were sent.

    Such a request is answered with that error before any view runs, so views always see
    ``None``; the error is there for code around the answer (``after_request`` and teardown
    functions, ``before_request`` functions registered before ``init_app``).
    """
    return _resolution()[2]


def authorize(
    *, groups: Sequence[str] = (), scopes: Sequence[str] = (), allow_anonymous: bool | None = None
) -> CloudBaseUser:
    """Check the current request as the decorators do and return its user.

    Raises the :class:`RequestAuthError` to answer (401/400/403/503), which the extension's
    error handler renders. ``allow_anonymous`` overrides the ``ALLOW_ANONYMOUS`` setting.
    """
    guard, user, error = _resolution()
    if error is not None:
        raise error
    return guard.authorize(user, groups=groups, scopes=scopes, allow_anonymous=allow_anonymous)


def _names(kind: str, names: tuple[Any, ...]) -> tuple[str, ...]:
    if not names or not all(isinstance(name, str) for name in names):
        raise TypeError(f"name at least one {kind}: @auth.require_{kind}s('name', ...)")
    return cast(tuple[str, ...], names)


class CloudBaseAuth:
    """The Flask extension. ``CloudBaseAuth(app)`` or ``CloudBaseAuth()`` then ``init_app(app)``.

    ``guard``: a ready :class:`CloudBaseGuard` for every app this extension serves; without it
    each app gets its own guard built from its ``CLOUDBASE_AUTH_*`` config.
    """

    def __init__(self, app: Flask | None = None, *, guard: CloudBaseGuard | None = None) -> None:
        self._guard = guard
        self._error_hook: ErrorHook | None = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, *, guard: CloudBaseGuard | None = None) -> None:
        """Read the settings (once), store the app's state, register the credentials check
        (``before_request``) and the error handler."""
        guard = guard or self._guard or _guard_from_config(app)
        locations = guard.config.token_locations
        state = _AppState(self, guard, "cookie" in locations, "query" in locations)
        app.extensions[EXTENSION_KEY] = state
        app.before_request(_credentials_check(state))
        app.register_error_handler(RequestAuthError, self._handle_error)

    @property
    def guard(self) -> CloudBaseGuard:
        """The guard of the current app."""
        return _state().guard

    # ------------------------------------------------------------------ decorators
    @overload
    def login_required(self, view: View, /) -> View: ...

    @overload
    def login_required(
        self, view: None = None, /, *, allow_anonymous: bool | None = None
    ) -> Callable[[View], View]: ...

    def login_required(
        self, view: View | None = None, /, *, allow_anonymous: bool | None = None
    ) -> View | Callable[[View], View]:
        """Require a signed-in user: ``@auth.login_required`` or ``(allow_anonymous=False)``."""
        decorate: Callable[[View], View] = self.requires(allow_anonymous=allow_anonymous)
        return decorate if view is None else decorate(view)

    def require_groups(
        self, *groups: str, allow_anonymous: bool | None = None
    ) -> Callable[[View], View]:
        """Require membership of at least one of ``groups``."""
        return self.requires(groups=_names("group", groups), allow_anonymous=allow_anonymous)

    def require_scopes(
        self, *scopes: str, allow_anonymous: bool | None = None
    ) -> Callable[[View], View]:
        """Require every scope in ``scopes``."""
        return self.requires(scopes=_names("scope", scopes), allow_anonymous=allow_anonymous)

    def requires(
        self,
        *,
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        allow_anonymous: bool | None = None,
    ) -> Callable[[View], View]:
        """The general decorator behind the others (see :func:`authorize`)."""
        groups, scopes = tuple(groups), tuple(scopes)

        def decorate(view: View) -> View:
            if inspect.iscoroutinefunction(view):

                @functools.wraps(view)
                def guarded(*args: Any, **kwargs: Any) -> Any:
                    authorize(groups=groups, scopes=scopes, allow_anonymous=allow_anonymous)
                    return current_app.ensure_sync(view)(*args, **kwargs)

            else:

                @functools.wraps(view)
                def guarded(*args: Any, **kwargs: Any) -> Any:
                    authorize(groups=groups, scopes=scopes, allow_anonymous=allow_anonymous)
                    return view(*args, **kwargs)

            return cast(View, guarded)

        return decorate

    # ------------------------------------------------------------------ errors
    def error_handler(self, hook: ErrorHook) -> ErrorHook:
        """Register ``hook(error)`` to answer auth errors instead of the default JSON.

        It may return anything a view may (``self.render(error)`` is the default answer).
        """
        self._error_hook = hook
        return hook

    def render(self, error: RequestAuthError) -> Response:
        """The default answer for ``error``: the guard's rendering as a Flask response."""
        answer = _state().guard.render_error(error)
        response: Response = current_app.response_class(
            answer.body, status=answer.status, headers=list(answer.headers)
        )
        response.content_type = answer.content_type
        return response

    def _handle_error(self, error: RequestAuthError) -> ResponseReturnValue:
        if self._error_hook is None:
            return self.render(error)
        return cast(ResponseReturnValue, current_app.ensure_sync(self._error_hook)(error))


def _guard_from_config(app: Flask) -> CloudBaseGuard:
    if not app.config.get(CONFIG_PREFIX + "ENV_ID"):
        raise ConfigurationError(
            f"CloudBase auth setting 'env_id' is required: set app.config['{CONFIG_PREFIX}ENV_ID']"
            " to your CloudBase environment id (or pass guard=)."
        )
    try:
        config = CloudBaseAuthConfig.from_mapping(app.config, prefix=CONFIG_PREFIX)
    except ConfigurationError as exc:
        raise ConfigurationError(
            f"{exc} (Flask reads these settings from app.config['{CONFIG_PREFIX}<SETTING>'])"
        ) from None
    return CloudBaseGuard(config)
