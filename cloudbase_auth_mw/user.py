"""The user a request carries: :class:`CloudBaseUser` (signed in) or ``UNAUTHENTICATED``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .core.identity import Identity, UserProfile

if TYPE_CHECKING:
    from .guard import CloudBaseGuard


class CloudBaseUser:
    """An authenticated CloudBase user: the identity at once, the profile on first access.

    ``profile`` loads synchronously (use it in sync views); ``await aprofile()`` in async code.
    CloudBase *anonymous* users are authenticated users with ``is_anonymous`` true.
    """

    is_authenticated = True

    __slots__ = ("_guard", "_profile", "_token", "identity")

    def __init__(self, guard: CloudBaseGuard, identity: Identity, token: str) -> None:
        self.identity = identity
        self._guard = guard
        self._token = token
        self._profile: UserProfile | None = None

    @property
    def sub(self) -> str:
        """The CloudBase user id (``sub`` claim; also ``uid``)."""
        return self.identity.sub

    uid = sub

    @property
    def is_anonymous(self) -> bool:
        return self.identity.is_anonymous

    @property
    def groups(self) -> tuple[str, ...]:
        return self.identity.groups

    @property
    def scopes(self) -> frozenset[str]:
        return self.identity.scopes

    @property
    def claims(self) -> Mapping[str, Any]:
        return self.identity.claims

    @property
    def access_token(self) -> str:
        """The bearer token of this request (for calling CloudBase on the user's behalf)."""
        return self._token

    @property
    def profile(self) -> UserProfile:
        """The ``/user/me`` profile, fetched (sync) on first access and cached by ``sub``."""
        if self._profile is None:
            self._profile = self._guard.fetch_profile(self.identity, self._token)
        return self._profile

    async def aprofile(self) -> UserProfile:
        """The ``/user/me`` profile, fetched without blocking the event loop."""
        if self._profile is None:
            self._profile = await self._guard.afetch_profile(self.identity, self._token)
        return self._profile

    def __repr__(self) -> str:
        kind = "anonymous " if self.is_anonymous else ""
        return f"<CloudBaseUser {kind}sub={self.sub!r}>"


class UnauthenticatedUser:
    """The user of a request that carried no token (like Django's ``AnonymousUser``)."""

    is_authenticated = False
    is_anonymous = True
    identity = None
    sub = None
    groups: tuple[str, ...] = ()
    scopes: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return "<UnauthenticatedUser>"

    def __bool__(self) -> bool:
        return False


UNAUTHENTICATED = UnauthenticatedUser()
