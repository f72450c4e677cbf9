"""``CloudBaseAuthMiddleware``: every request carries its CloudBase user.

Add it to ``MIDDLEWARE`` *after* ``django.contrib.auth.middleware.AuthenticationMiddleware``
(sessions keep working for the admin) or *instead of it* (a pure token API).

Credentials that are sent are always judged, on every route: a request whose bearer token fails
is answered by the middleware at once, with the guard's JSON body and headers -- 401
``invalid_token`` (malformed, forged, expired, wrong audience, revoked...), 400
``invalid_request`` (token sent twice), 503 with ``Retry-After`` when the provider cannot be
reached (a request whose credentials cannot be checked is never served as if it had none).
Public views need no token; a request without one (another scheme, e.g. ``Basic``, counts as
none) reaches them with no CloudBase user. For the requests it lets through it sets:

``request.cloudbase``
    the :class:`~cloudbase_auth_mw.guard.CloudBaseUser` of the bearer token (identity at once,
    ``.profile`` / ``await .aprofile()`` on first use), or ``None`` without a token.
``request.cloudbase_error``
    ``None`` (it holds the token error of a refused request, for middleware above this one, and
    when :func:`resolve_request` runs without the middleware).
``request.user`` / ``await request.auser()``
    with a token: the Django user mapped from ``sub`` by the authentication backends
    (``CloudBaseBackend``), loaded lazily. Without a token: left as
    ``AuthenticationMiddleware`` set it (the session user), else anonymous.

The guard is built when the middleware loads (server start-up), so a wrong ``CLOUDBASE_AUTH``
stops the start with a message naming it. The token is checked eagerly (a cache lookup once
seen; the async path never blocks the loop). Auth errors raised later by a view (a profile
fetch during an outage) are rendered by ``process_exception``. Protected views (our decorators
and mixin, DRF) also answer 401 without a token and 403 for a user who lacks a group or scope.
A request whose valid token came in the ``Authorization`` header is exempt from CSRF checks
(browsers never send that header on their own). Nothing is written to the session unless
``SESSION_LOGIN`` is true.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from ...core.errors import RequestAuthError
from ...guard import CloudBaseGuard, CloudBaseUser
from .conf import get_guard, session_login

_USER_CACHE = "_cloudbase_django_user"
_HEADER_ONLY = ("header",)


def error_response(error: RequestAuthError) -> HttpResponse:
    """The guard's rendering of ``error`` as a Django response (JSON, challenge headers)."""
    rendered = get_guard().render_error(error)
    response = HttpResponse(
        rendered.body, status=rendered.status, content_type=rendered.content_type
    )
    for name, value in rendered.headers:
        response[name] = value
    return response


def _token(request: HttpRequest, guard: CloudBaseGuard) -> str | None:
    """The request's bearer token (core's rules); only the header unless configured otherwise."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if guard.config.token_locations == _HEADER_ONLY:
        return guard.extract_token(authorization=(header,)) if header else None
    query = dict(request.GET.lists()) if "query" in guard.config.token_locations else None
    return guard.extract_token(
        authorization=(header,) if header else (), cookies=request.COOKIES, query=query
    )


# ---------------------------------------------------------------------- resolving the token
def resolve_request(request: HttpRequest) -> CloudBaseUser | None:
    """Check the request's token (sync) and set ``request.cloudbase``/``user``/``auser``.

    Credentials that fail raise their :class:`RequestAuthError` (401/400/503), also kept in
    ``request.cloudbase_error``.
    """
    guard = get_guard()
    try:
        token = _token(request, guard)
        user = None if token is None else guard.user_for(token)
    except RequestAuthError as exc:
        _attach(request, None, exc)
        raise
    return _attach(request, user, None)


async def aresolve_request(request: HttpRequest) -> CloudBaseUser | None:
    """:func:`resolve_request` for async code: the token is checked without blocking."""
    guard = get_guard()
    try:
        token = _token(request, guard)
        user = None if token is None else await guard.auser_for(token)
    except RequestAuthError as exc:
        _attach(request, None, exc)
        raise
    return _attach(request, user, None)


def _attach(
    request: Any, user: CloudBaseUser | None, error: RequestAuthError | None
) -> CloudBaseUser | None:
    request.cloudbase = user
    request.cloudbase_error = error
    if user is not None:
        request.user = _LazyUser(partial(get_user, request))
        request.auser = partial(auser, request)
        if request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer ":
            request._dont_enforce_csrf_checks = True
    elif error is not None or not hasattr(request, "user"):
        request.user = AnonymousUser()
        request.auser = partial(_same_user, request)
    elif not hasattr(request, "auser"):  # Django < 5.0: AuthenticationMiddleware sets no auser
        request.auser = partial(_asession_user, request)
    return user


def current_user(request: HttpRequest) -> CloudBaseUser | None:
    """The request's CloudBase user (``None``: no token); raises the stored token error."""
    try:
        error, user = request.cloudbase_error, request.cloudbase
    except AttributeError:  # the middleware is not installed: check the token now
        return resolve_request(request)
    if error is not None:
        raise error
    return user  # type: ignore[no-any-return]


async def acurrent_user(request: HttpRequest) -> CloudBaseUser | None:
    """:func:`current_user` for async views."""
    if not hasattr(request, "cloudbase"):
        return await aresolve_request(request)
    return current_user(request)


# ---------------------------------------------------------------------- the Django user
def get_user(request: Any) -> Any:
    """The Django user mapped from ``request.cloudbase`` (cached on the request)."""
    if not hasattr(request, _USER_CACHE):
        user = auth.authenticate(request, cloudbase_user=request.cloudbase) or AnonymousUser()
        if user.is_authenticated and session_login():
            _login_once(request, user)
        setattr(request, _USER_CACHE, user)
    return getattr(request, _USER_CACHE)


async def auser(request: Any) -> Any:
    """:func:`get_user` for async code (``await request.auser()``)."""
    if not hasattr(request, _USER_CACHE):
        user = await _aauthenticate(request, cloudbase_user=request.cloudbase) or AnonymousUser()
        if user.is_authenticated and session_login():
            await sync_to_async(_login_once)(request, user)
        setattr(request, _USER_CACHE, user)
    return getattr(request, _USER_CACHE)


async def _same_user(request: Any) -> Any:
    return request.user


async def _asession_user(request: Any) -> Any:
    return await sync_to_async(_evaluated)(request.user)


def _evaluated(user: Any) -> Any:
    user.is_authenticated  # noqa: B018  (loads the session user, in a thread)
    return user


async def _aauthenticate(request: Any, cloudbase_user: CloudBaseUser | None) -> Any:
    """``auth.aauthenticate`` (Django >= 5.0), else our backends' ``aauthenticate`` directly."""
    if hasattr(auth, "aauthenticate"):
        return await auth.aauthenticate(request, cloudbase_user=cloudbase_user)
    from .backends import CloudBaseBackend

    for path in settings.AUTHENTICATION_BACKENDS:
        backend = auth.load_backend(path)
        if isinstance(backend, CloudBaseBackend):
            user = await backend.aauthenticate(request, cloudbase_user=cloudbase_user)
            if user is not None:
                user.backend = path
                return user
    return None


def _login_once(request: Any, user: Any) -> None:
    """Log ``user`` into the session unless it is the session's user already."""
    if request.session.get(auth.SESSION_KEY) != user._meta.pk.value_to_string(user):
        auth.login(request, user)


class _LazyUser(SimpleLazyObject):  # type: ignore[misc]
    """``SimpleLazyObject`` with a cheaper constructor (it runs on every request)."""

    def __init__(self, func: Callable[[], Any]) -> None:
        state = object.__getattribute__(self, "__dict__")
        state["_setupfunc"] = func
        state["_wrapped"] = empty


# ---------------------------------------------------------------------- the middleware
class CloudBaseAuthMiddleware:
    """Checks the bearer token of every request; see the module docstring for what it sets."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        if get_response is None:
            raise ValueError("get_response must be provided.")
        self.get_response = get_response
        get_guard()  # a wrong CLOUDBASE_AUTH stops the server start, naming the setting
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        try:
            resolve_request(request)
        except RequestAuthError as exc:  # credentials that are sent are judged on every route
            return error_response(exc)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> Any:
        try:
            await aresolve_request(request)
        except RequestAuthError as exc:
            return error_response(exc)
        return await self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Render auth errors a view raised (profile fetch during an outage...)."""
        if isinstance(exception, RequestAuthError):
            return error_response(exception)
        return None
