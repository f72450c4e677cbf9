"""View decorators answering our 401/403/503 (never a redirect to a login page).

::

    @cloudbase_login_required
    def private(request): ...

    @cloudbase_login_required(allow_anonymous=False, scopes=("user",))
    async def members(request): ...

    @cloudbase_group_required("admin")
    def admin(request): ...

They judge the CloudBase user of the token (``request.cloudbase``) with the guard's rules and
work on sync and async views. Django's own ``login_required`` and permission checks keep
working too, on the mapped Django user (``request.user``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar, overload

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest

from ...core.errors import RequestAuthError
from ...guard import CloudBaseUser
from .conf import get_guard
from .middleware import acurrent_user, current_user, error_response

View = TypeVar("View", bound=Callable[..., Any])


def authorize_request(
    request: HttpRequest,
    *,
    groups: Sequence[str] = (),
    scopes: Sequence[str] = (),
    allow_anonymous: bool | None = None,
) -> CloudBaseUser:
    """The request's CloudBase user if it passes; raises a :class:`RequestAuthError` otherwise."""
    return get_guard().authorize(
        current_user(request), groups=groups, scopes=scopes, allow_anonymous=allow_anonymous
    )


async def aauthorize_request(
    request: HttpRequest,
    *,
    groups: Sequence[str] = (),
    scopes: Sequence[str] = (),
    allow_anonymous: bool | None = None,
) -> CloudBaseUser:
    """:func:`authorize_request` for async views (a profile needed for groups is fetched async)."""
    return await get_guard().aauthorize(
        await acurrent_user(request), groups=groups, scopes=scopes, allow_anonymous=allow_anonymous
    )


def _protect(
    view: View, groups: tuple[str, ...], scopes: tuple[str, ...], allow_anonymous: bool | None
) -> View:
    if iscoroutinefunction(view):

        @wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                await aauthorize_request(
                    request, groups=groups, scopes=scopes, allow_anonymous=allow_anonymous
                )
            except RequestAuthError as exc:
                return error_response(exc)
            return await view(request, *args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:  # authorize_request, inlined: this runs on every request of a protected view
            get_guard().authorize(
                current_user(request), groups=groups, scopes=scopes, allow_anonymous=allow_anonymous
            )
        except RequestAuthError as exc:
            return error_response(exc)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@overload
def cloudbase_login_required(view: View) -> View: ...
@overload
def cloudbase_login_required(
    *, allow_anonymous: bool | None = None, scopes: Sequence[str] = ()
) -> Callable[[View], View]: ...
def cloudbase_login_required(
    view: View | None = None, *, allow_anonymous: bool | None = None, scopes: Sequence[str] = ()
) -> View | Callable[[View], View]:
    """Require a valid CloudBase token (401 without one); optionally refuse anonymous users.

    ``allow_anonymous`` defaults to the ``ALLOW_ANONYMOUS`` setting; ``scopes`` must all be in
    the token (403 otherwise).
    """
    if view is not None:
        return _protect(view, (), tuple(scopes), allow_anonymous)
    return lambda inner: _protect(inner, (), tuple(scopes), allow_anonymous)


def cloudbase_group_required(
    *groups: str, allow_anonymous: bool | None = None, scopes: Sequence[str] = ()
) -> Callable[[View], View]:
    """Require a CloudBase user in at least one of ``groups`` (403 otherwise)."""
    if not groups:
        raise ValueError("cloudbase_group_required needs at least one group")
    return lambda view: _protect(view, groups, tuple(scopes), allow_anonymous)
