"""``CloudBaseGuard``: the framework-neutral entry point every adapter stands on.

It ties core's decisions (token extraction, validation, authorisation, rendering) to the two
drivers: ``authenticate``/``fetch_profile`` run with the sync transport (requests), the
``a``-prefixed twins with the async one (httpx) and never block an event loop. A token seen
before costs one cache lookup; only the first sight of a token (or a profile) may need the
network, and then one fetch serves every request that waits for it.

Typical adapter use::

    guard = CloudBaseGuard(CloudBaseAuthConfig.from_env())
    try:
        user = guard.resolve(authorization=headers.getlist("Authorization"))  # None: no token
        guard.authorize(user, groups=("admin",))
    except RequestAuthError as exc:
        answer = guard.render_error(exc)          # status, WWW-Authenticate, JSON body
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .core.authenticator import Authenticator
from .core.cache import Cache
from .core.config import CloudBaseAuthConfig
from .core.errors import InsufficientScope, MissingToken, RequestAuthError
from .core.identity import Identity, UserProfile
from .core.introspection import Verdict
from .core.profile import ProfileLoader
from .core.rendering import ErrorResponse, render_error
from .core.tokens import extract_token, token_from_header
from .transport.base import AsyncTransport, SyncTransport
from .transport.defaults import async_transport_for, sync_transport_for
from .transport.drivers import AsyncRunner, SyncRunner
from .user import UNAUTHENTICATED, CloudBaseUser, UnauthenticatedUser

__all__ = [
    "UNAUTHENTICATED",
    "CloudBaseGuard",
    "CloudBaseUser",
    "UnauthenticatedUser",
    "guard_for",
]


def _has_group_claim(user: CloudBaseUser) -> bool:
    return "groups" in user.identity.claims


def _require_group(required: Sequence[str], member_of: Sequence[str]) -> None:
    if not set(required) & set(member_of):
        raise InsufficientScope("The user is not in a required group.", required=tuple(required))


def guard_for(
    guard: CloudBaseGuard | None = None,
    config: CloudBaseAuthConfig | None = None,
    **settings: Any,
) -> CloudBaseGuard:
    """The adapters' one way to a guard: ``guard`` as given, else one built from ``config``
    (with ``settings`` applied), else from ``CLOUDBASE_AUTH_*`` variables plus ``settings``."""
    if guard is not None:
        if config is not None or settings:
            raise TypeError("pass a guard, or a config and settings, not both")
        return guard
    if config is not None:
        return CloudBaseGuard(config.replace(**settings) if settings else config)
    return CloudBaseGuard(CloudBaseAuthConfig.from_env(**settings))


class CloudBaseGuard:
    """Validates tokens, loads profiles and renders errors; one per application, thread-safe."""

    def __init__(
        self,
        config: CloudBaseAuthConfig,
        *,
        transport: SyncTransport | None = None,
        async_transport: AsyncTransport | None = None,
        clock: Callable[[], float] = time.time,
        token_cache: Cache[str, Identity] | None = None,
        profile_cache: Cache[str, UserProfile] | None = None,
        introspection_cache: Cache[str, tuple[Verdict]] | None = None,
    ) -> None:
        self.config = config
        self.authenticator = Authenticator(
            config, clock=clock, token_cache=token_cache, introspection_cache=introspection_cache
        )
        self.profiles = ProfileLoader(config, clock=clock, cache=profile_cache)
        self._transport = transport
        self._async_transport = async_transport
        self._sync_runner: SyncRunner | None = None
        self._async_runner: AsyncRunner | None = None
        self._runner_lock = threading.Lock()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **kwargs: Any) -> CloudBaseGuard:
        """A guard configured from ``CLOUDBASE_AUTH_*`` environment variables."""
        return cls(CloudBaseAuthConfig.from_env(environ), **kwargs)

    # ------------------------------------------------------------------ runners (lazy)
    @property
    def sync_runner(self) -> SyncRunner:
        """The sync driver, built once (under a lock: its in-flight table must be shared)."""
        if self._sync_runner is None:
            with self._runner_lock:
                if self._sync_runner is None:
                    self._transport = self._transport or sync_transport_for(self.config)
                    self._sync_runner = SyncRunner(self._transport)
        return self._sync_runner

    @property
    def async_runner(self) -> AsyncRunner:
        """The async driver (httpx, imported on first use: the ``async`` extra)."""
        if self._async_runner is None:
            with self._runner_lock:
                if self._async_runner is None:
                    transport = self._async_transport or async_transport_for(self.config)
                    self._async_transport = transport
                    self._async_runner = AsyncRunner(transport)
        return self._async_runner

    # ------------------------------------------------------------------ tokens
    def extract_token(
        self,
        *,
        authorization: Sequence[str] = (),
        cookies: Mapping[str, str] | None = None,
        query: Mapping[str, Sequence[str]] | None = None,
    ) -> str | None:
        """The request's bearer token or ``None``; raises for a token sent twice or oversize."""
        return extract_token(self.config, authorization=authorization, cookies=cookies, query=query)

    def authenticate(self, token: str) -> Identity:
        """Validate ``token`` (sync); raises a :class:`RequestAuthError` subclass."""
        identity = self.authenticator.cached(token) or self.authenticator.verify_offline(token)
        if identity is not None:
            return identity
        return self.sync_runner.run(self.authenticator.authenticate(token))

    async def aauthenticate(self, token: str) -> Identity:
        """Validate ``token`` without blocking the loop; raises a :class:`RequestAuthError`."""
        identity = self.authenticator.cached(token) or self.authenticator.verify_offline(token)
        if identity is not None:
            return identity
        return await self.async_runner.run(self.authenticator.authenticate(token))

    def user_for(self, token: str) -> CloudBaseUser:
        """Validate an extracted ``token`` (sync) and wrap it as the request's user."""
        identity = self.authenticator.cached(token) or self.authenticate(token)
        return CloudBaseUser(self, identity, token)

    async def auser_for(self, token: str) -> CloudBaseUser:
        """Validate an extracted ``token`` (async) and wrap it as the request's user."""
        identity = self.authenticator.cached(token) or await self.aauthenticate(token)
        return CloudBaseUser(self, identity, token)

    def resolve_authorization(self, value: str | None) -> CloudBaseUser | None:
        """:meth:`resolve` when the only credentials can be one ``Authorization`` value (sync).

        The fast path for header-only settings (the default): WSGI servers join repeated
        headers into one value, which then fails as malformed (400).
        """
        token = token_from_header(self.config, value) if value else None
        return None if token is None else self.user_for(token)

    def resolve(
        self,
        *,
        authorization: Sequence[str] = (),
        cookies: Mapping[str, str] | None = None,
        query: Mapping[str, Sequence[str]] | None = None,
    ) -> CloudBaseUser | None:
        """Extract and validate the request's token (sync); ``None`` when it carries none."""
        token = extract_token(
            self.config, authorization=authorization, cookies=cookies, query=query
        )
        if token is None:
            return None
        return self.user_for(token)

    async def aresolve(
        self,
        *,
        authorization: Sequence[str] = (),
        cookies: Mapping[str, str] | None = None,
        query: Mapping[str, Sequence[str]] | None = None,
    ) -> CloudBaseUser | None:
        """Extract and validate the request's token (async); ``None`` when it carries none."""
        token = extract_token(
            self.config, authorization=authorization, cookies=cookies, query=query
        )
        if token is None:
            return None
        return await self.auser_for(token)

    # ------------------------------------------------------------------ profile
    def fetch_profile(self, identity: Identity, token: str) -> UserProfile:
        """``/user/me`` for this user (sync), from the cache when fresh."""
        profile = self.profiles.cached(identity.sub)
        if profile is not None:
            return profile
        return self.sync_runner.run(self.profiles.load(identity, token))

    async def afetch_profile(self, identity: Identity, token: str) -> UserProfile:
        """``/user/me`` for this user (async), from the cache when fresh."""
        profile = self.profiles.cached(identity.sub)
        if profile is not None:
            return profile
        return await self.async_runner.run(self.profiles.load(identity, token))

    # ------------------------------------------------------------------ decisions
    def authorize(
        self,
        user: CloudBaseUser | None,
        *,
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        allow_anonymous: bool | None = None,
    ) -> CloudBaseUser:
        """Require a signed-in user with every scope in ``scopes`` and one of ``groups``.

        ``allow_anonymous`` (default: the config's) says whether CloudBase anonymous users
        pass. Groups come from the token's ``groups`` claim; a token without one is judged by
        the profile's groups (fetched synchronously, then cached). Raises
        :class:`MissingToken` (401) or :class:`InsufficientScope` (403).
        """
        checked = self._check_identity(user, scopes, allow_anonymous)
        if groups:
            member_of = checked.groups if _has_group_claim(checked) else checked.profile.groups
            _require_group(groups, member_of)
        return checked

    async def aauthorize(
        self,
        user: CloudBaseUser | None,
        *,
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        allow_anonymous: bool | None = None,
    ) -> CloudBaseUser:
        """:meth:`authorize` for async code: a profile needed for groups is fetched async."""
        checked = self._check_identity(user, scopes, allow_anonymous)
        if groups:
            if _has_group_claim(checked):
                member_of = checked.groups
            else:
                member_of = (await checked.aprofile()).groups
            _require_group(groups, member_of)
        return checked

    def _check_identity(
        self, user: CloudBaseUser | None, scopes: Sequence[str], allow_anonymous: bool | None
    ) -> CloudBaseUser:
        if user is None:
            raise MissingToken()
        if user.identity.is_anonymous and not (
            self.config.allow_anonymous if allow_anonymous is None else allow_anonymous
        ):
            raise InsufficientScope("Anonymous users are not allowed here.", required=("user",))
        if scopes:
            missing = tuple(s for s in scopes if s not in user.identity.scopes)
            if missing:
                raise InsufficientScope(
                    "The access token lacks a required scope.", required=missing
                )
        return user

    def render_error(self, error: RequestAuthError) -> ErrorResponse:
        """Status, headers (``WWW-Authenticate``/``Retry-After``) and JSON body for ``error``."""
        return render_error(error, realm=self.config.realm)

    def challenge(self) -> ErrorResponse:
        """The 401 answer for a protected route reached without a token."""
        return self.render_error(MissingToken())

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the sync transport's pooled connections."""
        if self._transport is not None:
            self._transport.close()

    async def aclose(self) -> None:
        """Close the async transport's pooled connections (for the running loop)."""
        if self._async_transport is not None:
            await self._async_transport.aclose()
